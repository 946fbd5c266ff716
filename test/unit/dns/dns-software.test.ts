import { describe, expect, it } from "vitest";
import { luaWeights } from "../../../drill/dns/pdns.ts";
import { DNS_INSTALL_HINT, findDnsSoftware } from "../../../drill/dns/software.ts";
import { profileLines } from "../../../drill/dns/unbound.ts";
import { parseDrillArgs } from "../../../drill/args.ts";

describe("the real DNS path's software", () => {
  it("says in one line which Debian packages to install when the servers are missing", async () => {
    const error = await findDnsSoftware(["/nonexistent"], ["/nonexistent/schema.sql"]).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "DNS_SOFTWARE_MISSING", hint: DNS_INSTALL_HINT });
    expect(String((error as Error).message)).toContain("pdns_server (pdns-server)");
    expect(DNS_INSTALL_HINT).toBe(
      "Install them (Debian/Ubuntu, as root): apt-get update && apt-get install -y pdns-server pdns-backend-sqlite3 unbound sqlite3",
    );
  });

  it("turns answer shares into pickwrandom's integer weights, leaving out unanswered addresses", () => {
    expect(
      luaWeights([
        { address: "127.0.2.1", weight: 0.9 },
        { address: "127.0.2.2", weight: 0.1 },
        { address: "127.0.2.3", weight: 0 },
      ]),
    ).toEqual([
      [900, "127.0.2.1"],
      [100, "127.0.2.2"],
    ]);
    expect(
      luaWeights([
        { address: "a", weight: 1e-6 },
        { address: "b", weight: 1 },
      ])[0]?.[0],
    ).toBe(1);
  });

  it("scales a resolver profile's seconds to the drill's clock", () => {
    const at20x = (s: number) => Math.max(1, Math.round(s / 20));
    expect(profileLines("serve-expired", at20x)).toEqual(["serve-expired: yes", "serve-expired-reply-ttl: 2"]);
    expect(profileLines("cache-min-ttl-60", at20x)).toEqual(["cache-min-ttl: 3"]);
    expect(profileLines("default", at20x)).toEqual([]);
  });

  it("takes --dns real, and refuses another value naming the flag", () => {
    // Served TTLs are whole wall seconds: --dns real runs at 20x unless told otherwise.
    expect(parseDrillArgs(["--dns", "real"])).toMatchObject({ dns: "real", speed: 20 });
    expect(parseDrillArgs(["--dns", "real", "--speed", "10"])).toMatchObject({ dns: "real", speed: 10 });
    expect(parseDrillArgs([])).toMatchObject({ dns: "model" });
    expect(() => parseDrillArgs(["--dns", "fake"])).toThrow(/--dns: expected "real" or "model", got "fake"/);
  });
});
