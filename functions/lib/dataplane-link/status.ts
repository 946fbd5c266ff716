import type { HealthCheckAdmin, HealthCheckRead } from "../aws/route53-health-checks.ts";
import { calculatedHealthy, endpointStatus, recordAnswers, type SignalCheckStatus } from "../dataplane/check-status.ts";
import { describeError } from "../errors.ts";
import type { ZoneSnapshot } from "../records/zone-snapshot.ts";
import type { Weights } from "../types.ts";

/** One target's health check as Route 53 evaluates it. */
export interface TargetCheckStatus {
  id: string;
  /** The check its records carry (undefined: none, so DNS treats them as healthy). */
  check?: string;
  /** Healthy, unhealthy (drained through the data plane) or unknown (the status could not be read). */
  status: "healthy" | "unhealthy" | "unknown";
  /** The control-region checks a calculated check combines, each as its checkers see it. */
  signals: SignalCheckStatus[];
}

/** The data-plane view of `status`: each target's health-check status, and what DNS clients get. */
export interface DataPlaneStatus {
  targets: TargetCheckStatus[];
  /** Per record name, each target's share of DNS answers (0-1), by Route 53's answer rules. */
  answers: Record<string, Weights>;
}

/**
 * Reads each target's health check status (GetHealthCheckStatus of every
 * endpoint check; a calculated check's status is computed from its
 * children's, as AWS does not report it) and computes what DNS answers from
 * the record weights. A check whose status cannot be read is "unknown" and
 * counted healthy in the answers, with the reason in `problems`.
 */
export async function readDataPlaneStatus(
  admin: HealthCheckAdmin,
  snapshot: ZoneSnapshot,
  ids: readonly string[],
  problems: string[],
): Promise<DataPlaneStatus> {
  const checks = new Map((await admin.list()).map((check) => [check.id, check]));
  const endpoint = async (check: HealthCheckRead): Promise<SignalCheckStatus> => {
    const region = check.reference.split(":")[2] ?? "?";
    try {
      const { checkers, succeeded } = await admin.status(check.id);
      return {
        region,
        id: check.id,
        checkers,
        succeeded,
        status: endpointStatus(checkers, succeeded, check.spec.Inverted === true),
      };
    } catch (error) {
      problems.push(`health check ${check.id}: status unreadable: ${describeError(error)}`);
      return { region, id: check.id, checkers: 0, succeeded: 0, status: "unknown" };
    }
  };
  const targets: TargetCheckStatus[] = [];
  for (const id of ids) {
    const tied = [
      ...new Set(
        Object.values(snapshot.records).flatMap((byTarget) =>
          byTarget[id]?.HealthCheckId ? [byTarget[id].HealthCheckId] : [],
        ),
      ),
    ];
    const checkId = tied[0];
    if (tied.length > 1) problems.push(`${id}: its records carry different health checks (${tied.join(", ")})`);
    const check = checkId === undefined ? undefined : checks.get(checkId);
    if (checkId === undefined) {
      targets.push({ id, status: "healthy", signals: [] });
    } else if (check === undefined) {
      problems.push(`${id}: its records carry health check ${checkId}, which does not exist`);
      targets.push({ id, check: checkId, status: "unknown", signals: [] });
    } else if (check.spec.Type === "CALCULATED") {
      const children = (check.spec.ChildHealthChecks ?? []).map((child) => checks.get(child));
      const signals = await Promise.all(children.flatMap((child) => (child ? [endpoint(child)] : [])));
      const threshold = check.spec.HealthThreshold ?? signals.length;
      // An unknown child counts healthy (as a new check does), so "unhealthy" is certain and "healthy" only when all are known.
      const status = !calculatedHealthy(signals, threshold)
        ? "unhealthy"
        : signals.some((s) => s.status === "unknown")
          ? "unknown"
          : "healthy";
      targets.push({ id, check: checkId, status, signals });
    } else {
      const signal = await endpoint(check);
      targets.push({ id, check: checkId, status: signal.status, signals: [signal] });
    }
  }
  const healthy = new Map(targets.flatMap((t) => (t.check ? [[t.check, t.status !== "unhealthy"] as const] : [])));
  const answers = Object.fromEntries(
    Object.entries(snapshot.records).map(([name, byTarget]) => [
      name,
      recordAnswers(byTarget, (check) => healthy.get(check) ?? true, ids),
    ]),
  );
  return { targets, answers };
}
