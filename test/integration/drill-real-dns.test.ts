import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runDrill, type DrillResult } from "../../drill/run-drill.ts";
import { CLIENT_KINDS, RESOLVER_PROFILES } from "../../offline/replay/client-kinds.ts";
import { loadScenario } from "../../offline/scenario.ts";

// The short drill with --dns real: PowerDNS and unbound from the Debian packages (a machine without them fails
// here with the install command), real clients of every kind behind every resolver profile.
const root = fileURLToPath(new URL("../..", import.meta.url));
const work = mkdtempSync(join(tmpdir(), "drill-dns-"));
let result: DrillResult;

beforeAll(async () => {
  result = await runDrill({
    scenario: loadScenario(join(root, "scenarios/short-drill.json")),
    speed: 20,
    outDir: work,
    write: () => undefined,
    // What the clients do is measured on the drill's clock; a busy machine runs late instead of stopping.
    loadGuard: false,
    dns: "real",
  });
}, 120_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("the short drill with --dns real", () => {
  it("passes and names the real authoritative server and resolver with their versions", () => {
    expect(result.summary.ok).toBe(true);
    const written = JSON.parse(readFileSync(result.files.summary, "utf8"));
    expect(written.dns.authoritative).toMatch(/^PowerDNS Authoritative Server \d+\.\d+/);
    expect(written.dns.resolver).toMatch(/^unbound \d+\.\d+/);
    expect(readFileSync(result.files.report, "utf8")).toContain("Real DNS: PowerDNS");
  });

  it("gives convergence figures and error rates for every client kind behind every resolver profile", () => {
    const dns = result.summary.dns;
    expect(dns?.answerChanges.length).toBeGreaterThanOrEqual(2);
    const drain = dns?.convergence[0];
    expect(drain?.to.primary).toBe(0);
    for (const profile of RESOLVER_PROFILES)
      for (const kind of CLIENT_KINDS) {
        const group = drain?.groups.find((g) => g.kind === kind && g.profile === profile);
        expect(group?.requests, `${kind}/${profile}`).toBeGreaterThan(0);
        expect(dns?.clients.find((c) => c.kind === kind && c.profile === profile)?.requests).toBeGreaterThan(0);
      }
  });
});
