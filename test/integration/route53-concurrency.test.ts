import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHostedZone } from "../../emulator/hosted-zone.ts";
import { Route53Error } from "../../functions/lib/records/route53-error.ts";
import { Route53Switcher } from "../../functions/lib/aws/route53.ts";
import { startEmulator, type Emulator } from "../../emulator/harness.ts";
import { fastRetry, testConfig } from "./aws-fixtures.ts";

// Eight deciders switching from the same read: Route 53's DELETE-exact + CREATE
// batch must let exactly one win each round. The same check against a stock
// moto (patches off) sees several winners, which is why the launcher exists.

const WRITERS = 8;
const ROUNDS = 20;

let patched: Emulator;
let stock: Emulator;
beforeAll(async () => {
  [patched, stock] = await Promise.all([startEmulator(), startEmulator({ patches: false })]);
});
afterAll(async () => {
  await Promise.all([patched?.stop(), stock?.stop()]);
});

/** Each writer moves both targets to weights no one has written before (init wrote 90/10). */
const writerWeights = (k: number) => ({ primary: 91 + (k % 80), failover: 11 + (k % 80) });

/** Runs `rounds` rounds of `WRITERS` concurrent applies from one snapshot; returns the winners per round and conflicts seen. */
async function race(emulator: Emulator, rounds: number) {
  await emulator.reset();
  const zoneId = await createHostedZone("example.com", { endpoint: emulator.url });
  const config = testConfig(zoneId);
  const writers = Array.from(
    { length: WRITERS },
    () => new Route53Switcher(config, { endpoint: emulator.url, retry: fastRetry }),
  );
  await writers[0]!.init();
  const winners: number[] = [];
  const otherErrors: string[] = [];
  let conflicts = 0;
  for (let round = 0; round < rounds; round++) {
    const snapshot = await writers[0]!.read();
    const results = await Promise.allSettled(
      writers.map((writer, i) => writer.apply(snapshot, { weights: writerWeights(round * WRITERS + i) })),
    );
    winners.push(results.filter((r) => r.status === "fulfilled").length);
    for (const r of results) {
      if (r.status === "rejected") {
        if (r.reason instanceof Route53Error && r.reason.code === "ROUTE53_CONFLICT") conflicts += 1;
        else otherErrors.push(String(r.reason));
      }
    }
  }
  return { winners, conflicts, otherErrors };
}

describe("concurrent writers", () => {
  it(`exactly one of ${WRITERS} writers wins in each of ${ROUNDS} rounds; the others see ROUTE53_CONFLICT`, async () => {
    const { winners, conflicts, otherErrors } = await race(patched, ROUNDS);

    expect(winners).toEqual(Array(ROUNDS).fill(1));
    expect(conflicts).toBe(ROUNDS * (WRITERS - 1));
    expect(otherErrors).toEqual([]);
  });

  it("the same check against stock moto (patches off) sees more than one winner", async () => {
    const { winners } = await race(stock, 1);

    expect(winners[0]).toBeGreaterThan(1);
  });
});
