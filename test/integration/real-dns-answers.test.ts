import { promises as dns } from "node:dns";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { answerShares, type AnswerSet } from "../../functions/lib/dataplane/answers.ts";
import { targetAddresses, weightedAnswers } from "../../drill/dns/answers.ts";
import { startAuthoritative, type Authoritative } from "../../drill/dns/pdns.ts";
import { findDnsSoftware } from "../../drill/dns/software.ts";
import { startResolver, type Resolver } from "../../drill/dns/unbound.ts";

// Real PowerDNS and unbound (Debian packages); a machine without them fails here with the install command.
const NAME = "api.example.com";
const IDS = ["a", "b", "c"];
const addresses = targetAddresses(IDS);
const targetOf = new Map([...addresses].map(([id, address]) => [address, id]));
let authoritative: Authoritative;
let resolver: Resolver;

beforeAll(async () => {
  const software = await findDnsSoftware();
  authoritative = await startAuthoritative(software, "example.com");
  resolver = await startResolver(software, {
    zone: "example.com",
    authoritativePort: authoritative.port,
    profile: "default",
  });
}, 60_000);

afterAll(async () => {
  await resolver?.stop();
  await authoritative?.stop();
});

/** `count` queries straight to the authoritative server (no cache between), 50 at a time; answers by target. */
async function ask(
  count: number,
  port = authoritative.port,
): Promise<{ counts: Record<string, number>; bad: string[] }> {
  const counts: Record<string, number> = Object.fromEntries(IDS.map((id) => [id, 0]));
  const bad: string[] = [];
  const client = new dns.Resolver({ timeout: 2000, tries: 2 });
  client.setServers([`127.0.0.1:${port}`]);
  for (let done = 0; done < count; done += 50)
    await Promise.all(
      Array.from({ length: Math.min(50, count - done) }, async () => {
        try {
          const answer = await client.resolve4(NAME);
          const id = answer.length === 1 ? targetOf.get(answer[0] ?? "") : undefined;
          if (id === undefined) bad.push(`answer ${JSON.stringify(answer)}`);
          else counts[id] = (counts[id] ?? 0) + 1;
        } catch (error) {
          bad.push(String((error as { code?: string }).code ?? error));
        }
      }),
    );
  return { counts, bad };
}

async function serve(sets: AnswerSet[]): Promise<Record<string, number>> {
  const shares = answerShares(sets);
  await authoritative.setAnswers(NAME, 60, weightedAnswers(shares, addresses));
  return shares;
}

const set = (id: string, weight: number, healthy = true): AnswerSet => ({ id, weight, healthy });

describe("the real authoritative server answers by Route 53's rules", () => {
  it.each([
    ["weights 60/30/10, all healthy", [set("a", 60), set("b", 30), set("c", 10)]],
    ["a unhealthy: b and c by weight", [set("a", 60, false), set("b", 30), set("c", 10)]],
    ["a weight-0 set is left out while another is healthy", [set("a", 0), set("b", 50), set("c", 50)]],
    ["weight-0 sets answered when every other set is unhealthy", [set("a", 90, false), set("b", 0), set("c", 0)]],
    [
      "everything unhealthy: everything answered, by weight",
      [set("a", 60, false), set("b", 30, false), set("c", 10, false)],
    ],
    ["everything unhealthy and weight 0: equal shares", [set("a", 0, false), set("b", 0, false), set("c", 0, false)]],
  ])(
    "%s: shares over 10,000 queries within 2 points, never empty or failed",
    async (_name, sets) => {
      const shares = await serve(sets);
      const { counts, bad } = await ask(10_000);
      expect(bad).toEqual([]);
      for (const id of IDS) {
        const seen = (counts[id] ?? 0) / 10_000;
        expect(Math.abs(seen - (shares[id] ?? 0)), `${id}: ${seen} vs ${shares[id]}`).toBeLessThan(0.02);
        if ((shares[id] ?? 0) === 0) expect(counts[id]).toBe(0);
      }
    },
    60_000,
  );

  it("serves a change at once (under a second) from the authoritative server", async () => {
    await serve([set("a", 100), set("b", 0), set("c", 0)]);
    expect((await ask(20)).counts.a).toBe(20);
    const changed = performance.now();
    await serve([set("a", 100, false), set("b", 50), set("c", 0)]);
    const { counts } = await ask(20);
    expect(performance.now() - changed).toBeLessThan(1000);
    expect(counts.b).toBe(20);
  });

  it("through unbound: one cached answer for the record's TTL, never empty or SERVFAIL", async () => {
    await serve([set("a", 50), set("b", 50), set("c", 0)]);
    const { counts, bad } = await ask(200, resolver.port);
    expect(bad).toEqual([]);
    // The resolver caches the one address it got for the TTL (60 s): every client behind it goes there.
    expect(Object.values(counts).filter((count) => count > 0)).toEqual([200]);
  });
});
