import type { AwsClientOptions } from "../../functions/lib/aws/client-config.ts";
import { Route53Switcher } from "../../functions/lib/aws/route53.ts";
import type { RetryOptions } from "../../functions/lib/aws/retry.ts";
import type { FailoverConfig } from "../../functions/lib/config.ts";
import { startFaultProxy as startAwsFaultProxy } from "../../emulator/aws-fault-proxy.ts";
import { startEmulator } from "../../emulator/harness.ts";
import { createHostedZone } from "../../emulator/hosted-zone.ts";
import { awsFaultRule, noCalls, type AwsCallCounts } from "../aws-faults.ts";
import type { DrillSession } from "../session.ts";

/**
 * Where AWS calls go. The system's own parts (probes, deciders, the manual
 * function, the notifier, the signal endpoints) call AWS through a fault
 * proxy that applies the scenario's `route53-api-down`, `cloudwatch-down`,
 * `control-region-down` and `signal-store-down` once armed (../aws-faults.ts);
 * the drill's observers and stand-ins (record watcher, clients' DNS, alarm
 * evaluator, health-check evaluator) and the set-up go straight to the
 * emulator: DNS answers and health checks are Route 53's data plane, which
 * stays up.
 */
export interface AwsRoutes {
  /** Endpoint of the system's parts (the fault proxy). */
  system: AwsClientOptions & { retry: RetryOptions };
  /** Endpoint of the drill's observers and set-up (the emulator). */
  direct: { endpoint: string };
  /** The system's AWS calls by fate since the faults were armed. */
  counts: AwsCallCounts;
  /** Starts applying the scenario's AWS faults (at the scenario's second 0; set-up is ahead of time). */
  arm(): void;
  /** Whether {@link arm} was called: the scenario's faults apply. */
  armed: boolean;
}

/** The drill's AWS: the emulator process, the routes to it, and the scenario's config with the emulator's hosted zone. */
export interface DrillAws {
  emulatorPid: number;
  /** Base URL of the emulator (the load guard times it). */
  emulatorUrl: string;
  routes: AwsRoutes;
  config: FailoverConfig;
}

/**
 * Starts the moto emulator (a process, stopped by its pid at the end), the
 * fault proxy in front of it for the system's calls, and the scenario's
 * hosted zone with its weighted records.
 */
export async function startAws(session: DrillSession): Promise<DrillAws> {
  const emulator = await startEmulator();
  session.startedProcess("emulator", emulator.pid, () => emulator.stop());
  session.checkAborted();
  const routes = await startAwsRoutes(session, emulator.url);
  const base = session.scenario.resolvedConfig;
  const zoneId = await createHostedZone(base.hostedZone.name, routes.direct);
  const config: FailoverConfig = { ...base, hostedZone: { ...base.hostedZone, id: zoneId } };
  await new Route53Switcher(config, routes.direct).init();
  return { emulatorPid: emulator.pid, emulatorUrl: emulator.url, routes, config };
}

/** The fault proxy in front of the emulator for the system's AWS calls (see {@link AwsRoutes}). */
async function startAwsRoutes(session: DrillSession, emulatorUrl: string): Promise<AwsRoutes> {
  const { clock, scenario } = session;
  const proxy = await startAwsFaultProxy(emulatorUrl);
  session.onClose(() => proxy.close());
  const counts = noCalls();
  // Backoffs between retries on the drill clock (as long as they would be in AWS); budgets stay wall time.
  const retry = { sleep: (ms: number) => clock.sleep(ms) };
  const routes: AwsRoutes = {
    system: { endpoint: proxy.url, retry },
    direct: { endpoint: emulatorUrl },
    counts,
    armed: false,
    arm() {
      proxy.setRule(awsFaultRule(scenario.faults, () => clock.elapsedSeconds(), counts));
      routes.armed = true;
    },
  };
  return routes;
}
