import type { HealthCheckAdmin } from "../aws/route53-health-checks.ts";
import type { Route53Switcher } from "../aws/route53.ts";
import { describeError, FailoverError } from "../errors.ts";
import type { RecordSetData } from "../records/record-set.ts";

/**
 * Ties `target`'s record sets to its calculated check `checkId` and, when
 * the batch fails, reads the records back. A batch whose answer was lost
 * may be in place: its retry then finds the records changed and fails as
 * if another writer had been first. Every set tied with its weight
 * unchanged is that batch applied (the tied sets are answered, and
 * `problems` says it was read back); anything else is the failure, with
 * what the read showed.
 */
export async function tieReadingBack(
  admin: Pick<HealthCheckAdmin, "tieRecords">,
  switcher: Pick<Route53Switcher, "read">,
  sets: readonly RecordSetData[],
  target: string,
  checkId: string,
  problems: string[],
): Promise<string[]> {
  try {
    return await admin.tieRecords(sets, { [target]: checkId });
  } catch (error) {
    const now = await switcher.read().then(
      (snapshot) => Object.values(snapshot.records).flatMap((byTarget) => (byTarget[target] ? [byTarget[target]] : [])),
      (readError: unknown) => readError,
    );
    if (Array.isArray(now) && sets.every((set) => isTied(now, set, checkId))) {
      problems.push(
        `tying ${target}'s records to health check ${checkId} lost Route 53's answer (${describeError(error).split("\n")[0]}); reading them back shows them tied, weights unchanged`,
      );
      return sets
        .filter((set) => set.HealthCheckId !== checkId)
        .map((set) => `${set.Name} ${set.Type} ${set.SetIdentifier}`);
    }
    const read = !Array.isArray(now)
      ? `reading the records back failed too: ${describeError(now)}`
      : sets.every((set) => isAsBefore(now, set))
        ? "the records are as they were (not tied)"
        : "the records changed otherwise meanwhile (another writer)";
    const failed = error instanceof FailoverError ? error : undefined;
    throw new FailoverError(
      failed?.code ?? "ROUTE53_UNAVAILABLE",
      `${failed?.message ?? describeError(error)}; read back: ${read}`,
      {
        cause: error,
        hint: "Run init again once the Route 53 API answers: it ties what is untied and changes nothing else.",
      },
    );
  }
}

function isTied(now: readonly RecordSetData[], set: RecordSetData, checkId: string): boolean {
  const same = sameSet(now, set);
  return same?.HealthCheckId === checkId && same.Weight === set.Weight;
}

function isAsBefore(now: readonly RecordSetData[], set: RecordSetData): boolean {
  const same = sameSet(now, set);
  return same?.HealthCheckId === set.HealthCheckId && same?.Weight === set.Weight;
}

function sameSet(now: readonly RecordSetData[], set: RecordSetData): RecordSetData | undefined {
  return now.find((one) => one.Name === set.Name && one.Type === set.Type && one.SetIdentifier === set.SetIdentifier);
}
