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
    expect(result.summary.expectations.filter((expectation) => !expectation.ok)).toEqual([]);
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

  // The stated tolerance (docs/performance.md, "Clients behind real DNS"): per kind, the error rate averaged
  // over the resolver profiles within 6 points of the model's; after the drain, behind unbound's defaults, the
  // share of the first TTL's requests still on the drained region within 40 points of the model's, for every
  // kind that follows DNS by itself. Either side can be the slower: 6 clients a group over one TTL (3 s of wall
  // time at 20x) vary by about ±0.2 from run to run (gaps seen: 0.26, 0.34). A model that ignored the TTL or the
  // kind's own cache would miss by 0.5 or more. Times to 90% move in 15 s steps: not compared run by run.
  it("agrees with the replay's client model within the stated tolerance", () => {
    const dns = result.summary.dns;
    const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
    for (const kind of CLIENT_KINDS) {
      const real = mean(dns?.clients.filter((c) => c.kind === kind).map((c) => c.errorRate) ?? []);
      const model = mean(dns?.modelled.filter((m) => m.kind === kind).map((m) => m.errorRate) ?? []);
      expect(Math.abs(real - model), `${kind}: drill ${real}, model ${model}`).toBeLessThanOrEqual(0.06);
    }
    for (const kind of ["per-request", "ttl-cache", "fixed-30s"] as const) {
      const real = dns?.convergence[0]?.groups.find((g) => g.kind === kind && g.profile === "default");
      const model = dns?.modelled.find((m) => m.kind === kind && m.profile === "default")?.changes[0];
      const gap = Math.abs((real?.oldShareWithinTtl ?? -1) - (model?.oldShareWithinTtl ?? 1));
      expect(gap, `${kind}: drill ${real?.oldShareWithinTtl}, model ${model?.oldShareWithinTtl}`).toBeLessThanOrEqual(
        0.4,
      );
    }
  });
});
