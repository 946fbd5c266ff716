import type { AwsClientOptions } from "../../functions/lib/aws/client-config.ts";
import { HealthCheckAdmin } from "../../functions/lib/aws/route53-health-checks.ts";
import { Route53Switcher } from "../../functions/lib/aws/route53.ts";
import { ParameterStore } from "../../functions/lib/aws/ssm.ts";
import type { FailoverConfig } from "../../functions/lib/config.ts";
import { linkDataPlane } from "../../functions/lib/dataplane-link/link.ts";
import { healthCheckReference } from "../../functions/lib/dataplane/health-checks.ts";
import { SignalStore } from "../../functions/lib/dataplane/signal-store.ts";
import { DEFAULT_DATA_PLANE_TIMING } from "../../functions/lib/dataplane/timing.ts";
import { createSignalHandler } from "../../functions/signal.ts";
import { controlRegionsDown } from "../../offline/scenario.ts";
import type { HealthAnswerChange } from "../dns-answers.ts";
import { hashString, seededRandom } from "../faults.ts";
import { HealthCheckEvaluator } from "../health-check-evaluator.ts";
import type { DrillSession } from "../session.ts";
import { startSignalEndpoint, type SignalEndpoint } from "../signal-endpoint.ts";
import { formatClock } from "../timeline.ts";
import type { AwsRoutes } from "./aws.ts";

/**
 * The data-plane path as the drill runs it: the real signal function served
 * per control region, the health checks `linkDataPlane` created in the
 * emulator (records tied to them), and the stand-in that evaluates them.
 */
export interface DataPlaneParts {
  endpoints: SignalEndpoint[];
  evaluator: HealthCheckEvaluator;
  /** Each target's calculated check. */
  calculated: Record<string, string>;
  /** Control region of each signal check, by check id. */
  regionOf: Map<string, string>;
  /** Decision times (virtual epoch ms) of drains carried out by a signal, by `<check id>@<ask ms>`; found shortly after. */
  decidedAt: Map<string, number>;
  /** The health checks' answer changes, with region and decision time where known. */
  healthChanges(): HealthAnswerChange[];
}

/**
 * The signal endpoint of each control region (functions/signal.ts on the
 * drill clock, reading the parameter stores as deployed), then, ahead of
 * time as `failover init` does, the health checks and the records tied to
 * them (linkDataPlane, straight to the emulator), and the stand-in that
 * evaluates those checks (not the canary checks: they always drain and no
 * record carries them).
 */
export async function startDataPlane(
  session: DrillSession,
  config: FailoverConfig,
  routes: AwsRoutes,
): Promise<DataPlaneParts> {
  const { clock, printer, scenario } = session;
  const storesOf = (aws: AwsClientOptions) =>
    new SignalStore(
      config,
      new Map(config.controlRegions.map((region) => [region, new ParameterStore({ ...aws, region })])),
    );
  const endpoints = await startSignalEndpoints(session, config, routes, storesOf(routes.system));
  const admin = new HealthCheckAdmin(config, routes.direct);
  const link = await linkDataPlane(
    config,
    Object.fromEntries(endpoints.map((endpoint) => [endpoint.region, endpoint.url])),
    admin,
    new Route53Switcher(config, routes.direct),
  );
  const checks = (await admin.list()).filter((check) => !Object.values(link.canary).includes(check.id));
  const regionOf = new Map<string, string>();
  const targetOf = new Map<string, string>();
  for (const target of config.targets)
    for (const region of config.controlRegions) {
      const check = checks.find((read) => read.reference === healthCheckReference(config, target.id, region));
      if (check) {
        regionOf.set(check.id, region);
        targetOf.set(check.id, target.id);
      }
    }
  const decidedAt = new Map<string, number>();
  const findDecision = decisionFinder(session, storesOf(routes.direct), { regionOf, targetOf, decidedAt });
  const timing = DEFAULT_DATA_PLANE_TIMING;
  const evaluator = new HealthCheckEvaluator({
    clock,
    checks,
    timing,
    calculated: link.calculated,
    random: seededRandom(scenario.seed ^ hashString("health checkers")),
    onStatusChange: (change) => {
      const target = targetOf.get(change.id) ?? change.id;
      const region = regionOf.get(change.id) ?? "?";
      const calculated = link.calculated[target];
      const moves =
        calculated !== undefined &&
        evaluator.board.statusAt(calculated, change.at + timing.aggregateSeconds * 1000) === change.healthy;
      printer.event(
        change.at,
        `health check ${target} (${region} signal): ${change.healthy ? "healthy again: the endpoint no longer says drain" : `unhealthy: the endpoint says "drain ${target}"`}${moves ? ` (data plane: DNS answers follow at ${formatClock(change.at + (timing.aggregateSeconds + timing.answerSeconds) * 1000)})` : ""}`,
      );
      if (!change.healthy) findDecision(change.id, change.at);
    },
  });
  return {
    endpoints,
    evaluator,
    calculated: link.calculated,
    regionOf,
    decidedAt,
    healthChanges: () =>
      evaluator.answerChanges().map((change) => ({
        ...change,
        region: regionOf.get(change.child),
        decidedAt: change.healthy ? undefined : decidedAt.get(`${change.child}@${change.checkedAt}`),
      })),
  };
}

/** The signal endpoint of each control region, reading `signals`; silent while its region is lost (once armed). */
async function startSignalEndpoints(
  session: DrillSession,
  config: FailoverConfig,
  routes: AwsRoutes,
  signals: SignalStore,
): Promise<SignalEndpoint[]> {
  const { clock, log, scenario } = session;
  const endpoints: SignalEndpoint[] = [];
  for (const region of config.controlRegions) {
    const endpoint = await startSignalEndpoint(
      region,
      createSignalHandler({ config, region, store: signals, clock, log }),
      undefined,
      () => routes.armed && controlRegionsDown(scenario.faults, clock.elapsedSeconds()).has(region),
    );
    session.onClose(() => endpoint.close());
    endpoints.push(endpoint);
  }
  return endpoints;
}

/**
 * Dates a drain a signal carried out: finds, a little after the health check
 * turned, the decider's switch that drained the target, and notes its time in
 * `decidedAt` (by `<check id>@<ask ms>`). Reads the deciders' view straight
 * from the emulator. Each search is waited for when the drill stops.
 */
function decisionFinder(
  session: DrillSession,
  observed: SignalStore,
  checks: { regionOf: Map<string, string>; targetOf: Map<string, string>; decidedAt: Map<string, number> },
): (checkId: string, at: number) => void {
  const { clock } = session;
  const { regionOf, targetOf, decidedAt } = checks;
  const find = async (checkId: string, at: number) => {
    // Look a little later: the round that drained may still be writing.
    await clock.sleepUntil(at + 15_000);
    const region = regionOf.get(checkId);
    const target = targetOf.get(checkId);
    if (region === undefined || target === undefined) return;
    const read = await observed.read(region);
    const switches = read.docs.flatMap((doc) => doc.view.state.switches);
    const decision = switches.find(
      (event) => event.at * 1000 <= at && (event.to[target] ?? 0) === 0 && (event.from[target] ?? 0) > 0,
    );
    if (decision !== undefined) decidedAt.set(`${checkId}@${at}`, decision.at * 1000);
  };
  const pending: Array<Promise<void>> = [];
  session.onClose(() => Promise.allSettled(pending));
  return (checkId, at) => void pending.push(find(checkId, at));
}
