import type { HealthCheckAdmin, HealthCheckRead } from "../aws/route53-health-checks.ts";
import type { Route53Switcher } from "../aws/route53.ts";
import type { FailoverConfig } from "../config.ts";
import { CANARY_TARGET, currentCheck, healthCheckReference } from "../dataplane/health-checks.ts";

/** What retiring superseded checks did. */
export interface RetireResult {
  /** Checks deleted now: "<id> (<caller reference>)". */
  deleted: string[];
  /** Superseded checks kept because something still refers to them, and what. */
  problems: string[];
}

/**
 * Deletes the data-plane checks a replacement superseded (`<reference>` when
 * `<reference>.2` exists, and so on: `linkDataPlane` replaces a check whose
 * Type or RequestInterval cannot be changed in place, e.g. the string-match
 * checks of versions before 2026-12), so an upgrade does not keep paying for
 * them. Only once nothing refers to one: no record set of the zone and no
 * calculated check that stays lists it (Route 53 would delete it anyway and
 * leave the referrer's status unpredictable). A superseded canary check is
 * deleted only when `canaryAlarmsFollow` (the canary alarms were put on the
 * current canary checks in this run). Found from the account's checks each
 * run, so a run that stopped half way is finished by the next.
 */
export async function retireSupersededChecks(
  config: FailoverConfig,
  admin: HealthCheckAdmin,
  switcher: Route53Switcher,
  canaryAlarmsFollow: boolean,
): Promise<RetireResult> {
  const result: RetireResult = { deleted: [], problems: [] };
  const checks = await admin.list();
  const canaries = new Set(config.controlRegions.map((region) => healthCheckReference(config, CANARY_TARGET, region)));
  const superseded = familyReferences(config).flatMap((reference) => {
    const current = currentCheck(checks, reference);
    if (current === undefined || (canaries.has(reference) && !canaryAlarmsFollow)) return [];
    return checks.filter((check) => check !== current && inFamily(check.reference, reference));
  });
  if (superseded.length === 0) return result;
  const gone = new Set(superseded.map((check) => check.id));
  const snapshot = await switcher.read();
  const referrers = new Map<string, string[]>();
  const refer = (id: string | undefined, by: string) => {
    if (id !== undefined) referrers.set(id, [...(referrers.get(id) ?? []), by]);
  };
  for (const [name, byTarget] of Object.entries(snapshot.records))
    for (const [target, set] of Object.entries(byTarget)) refer(set.HealthCheckId, `record ${name} ${target}`);
  for (const check of checks)
    if (!gone.has(check.id))
      for (const child of check.spec.ChildHealthChecks ?? []) refer(child, `calculated check ${check.id}`);
  // Calculated checks first: a superseded child may be listed only by a superseded calculated check.
  for (const check of [...superseded].sort((a, b) => calculatedFirst(a) - calculatedFirst(b))) {
    const by = referrers.get(check.id);
    const label = `${check.id} (${check.reference})`;
    if (by !== undefined) {
      result.problems.push(
        `health check ${label} was replaced but is still referred to by ${by.join(", ")}: not deleted; run init again once nothing refers to it`,
      );
      continue;
    }
    await admin.delete(check.id);
    result.deleted.push(label);
  }
  return result;
}

/** Every caller reference linkDataPlane creates checks under: per target its regions' and its calculated one, the canaries. */
function familyReferences(config: FailoverConfig): string[] {
  return [
    ...config.targets.flatMap((target) => [
      ...config.controlRegions.map((region) => healthCheckReference(config, target.id, region)),
      healthCheckReference(config, target.id),
    ]),
    ...config.controlRegions.map((region) => healthCheckReference(config, CANARY_TARGET, region)),
  ];
}

function inFamily(reference: string, family: string): boolean {
  return (
    reference === family || /^\d+$/.test(reference.startsWith(`${family}.`) ? reference.slice(family.length + 1) : "")
  );
}

function calculatedFirst(check: HealthCheckRead): number {
  return check.spec.Type === "CALCULATED" ? 0 : 1;
}
