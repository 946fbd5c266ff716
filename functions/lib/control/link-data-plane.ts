import type { HealthCheckAdmin, HealthCheckRead } from "../aws/route53-health-checks.ts";
import type { Route53Switcher } from "../aws/route53.ts";
import type { FailoverConfig } from "../config.ts";
import {
  calculatedCheckSpec,
  dataPlaneCheckSpecs,
  healthCheckReference,
  type HealthCheckSpec,
} from "../dataplane/health-checks.ts";

/** What linking created and tied. */
export interface LinkResult {
  /** Caller references of the checks created now (empty when all existed). */
  created: string[];
  /** Record sets tied to their target's calculated check now. */
  tied: string[];
  /** The calculated check of each target. */
  calculated: Record<string, string>;
}

/**
 * Sets up the data-plane path once, ahead of time (Route 53 control plane):
 * per target one inverted signal check per control region and a calculated
 * check over them, then ties every weighted record set to its target's
 * calculated check. New checks start healthy, and the records are re-created
 * with the same weights in one batch, so adopting a live zone moves no
 * traffic. Running it again creates nothing.
 */
export async function linkDataPlane(
  config: FailoverConfig,
  endpoints: Readonly<Record<string, string>>,
  admin: HealthCheckAdmin,
  switcher: Route53Switcher,
): Promise<LinkResult> {
  const existing = await admin.list();
  const created: string[] = [];
  const calculated: Record<string, string> = {};
  for (const { target, regions } of dataPlaneCheckSpecs(config, endpoints)) {
    const children: string[] = [];
    for (const { reference, spec } of regions) {
      const check = await admin.ensure(reference, spec, existing);
      if (check.created) created.push(reference);
      children.push(check.id);
    }
    const reference = healthCheckReference(config, target);
    const check = await admin.ensure(reference, calculatedCheckSpec(children), existing);
    if (check.created) created.push(reference);
    calculated[target] = check.id;
  }
  const snapshot = await switcher.read();
  const sets = Object.values(snapshot.records).flatMap((byTarget) => Object.values(byTarget));
  const tied = await admin.tieRecords(sets, calculated);
  return { created, tied, calculated };
}

/**
 * Checks the whole data-plane chain and names every broken link: a missing
 * or wrong signal check, a calculated check that does not combine them, a
 * record set not tied to its target's calculated check, an endpoint that
 * does not answer for a target. Reads only; an empty list means sound.
 */
export async function verifyDataPlane(
  config: FailoverConfig,
  endpoints: Readonly<Record<string, string>>,
  admin: HealthCheckAdmin,
  switcher: Route53Switcher,
  fetchText: (url: string) => Promise<{ status: number; body: string }> = defaultFetch,
): Promise<string[]> {
  const problems: string[] = [];
  const checks = await admin.list();
  const byReference = new Map(checks.map((check) => [check.reference, check]));
  const snapshot = await switcher.read();
  for (const { target, regions } of dataPlaneCheckSpecs(config, endpoints)) {
    const children: string[] = [];
    for (const { region, reference, spec } of regions) {
      const check = byReference.get(reference);
      if (check === undefined) {
        problems.push(`${target}: no signal health check for control region ${region} (run failover init)`);
        continue;
      }
      children.push(check.id);
      const differs = differences(spec, check);
      if (differs.length > 0)
        problems.push(
          `${target}: health check ${check.id} (${region}) points at the wrong thing: ${differs.join(", ")}`,
        );
      const url = `${endpoints[region]?.replace(/\/$/, "")}${spec.ResourcePath ?? "/"}`;
      try {
        const answer = await fetchText(url);
        if (answer.status !== 200 || !/^(drain|serve) /.test(answer.body))
          problems.push(
            `${target}: signal endpoint in ${region} answered ${answer.status} "${answer.body.trim().slice(0, 60)}"`,
          );
      } catch (error) {
        problems.push(
          `${target}: signal endpoint in ${region} unreachable (${error instanceof Error ? error.message : error})`,
        );
      }
    }
    const calculated = byReference.get(healthCheckReference(config, target));
    if (calculated === undefined) {
      problems.push(`${target}: no calculated health check`);
      continue;
    }
    const wanted = calculatedCheckSpec(children);
    const kids = [...(calculated.spec.ChildHealthChecks ?? [])].sort().join(",");
    if (kids !== [...children].sort().join(",") || calculated.spec.HealthThreshold !== wanted.HealthThreshold)
      problems.push(
        `${target}: calculated health check ${calculated.id} does not require every control region's check`,
      );
    for (const [name, byTarget] of Object.entries(snapshot.records)) {
      const set = byTarget[target];
      if (set === undefined) problems.push(`${target}: no record set ${name}`);
      else if (set.HealthCheckId !== calculated.id)
        problems.push(
          `${target}: record ${name} is ${set.HealthCheckId ? `tied to ${set.HealthCheckId}` : "without a health check"}, not to ${calculated.id}`,
        );
    }
  }
  return problems;
}

function differences(spec: HealthCheckSpec, check: HealthCheckRead): string[] {
  const keys = ["Type", "FullyQualifiedDomainName", "Port", "ResourcePath", "SearchString", "Inverted"] as const;
  return keys
    .filter((key) => spec[key] !== check.spec[key])
    .map((key) => `${key} ${JSON.stringify(check.spec[key])}, expected ${JSON.stringify(spec[key])}`);
}

async function defaultFetch(url: string): Promise<{ status: number; body: string }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(4000) });
  return { status: response.status, body: await response.text() };
}
