import type { AwsClientOptions } from "../../functions/lib/aws/client-config.ts";
import { Route53Switcher } from "../../functions/lib/aws/route53.ts";
import { VoteTable } from "../../functions/lib/aws/vote-table.ts";
import type { RetryOptions } from "../../functions/lib/aws/retry.ts";
import type { FailoverConfig } from "../../functions/lib/config.ts";
import {
  startFaultProxy as startAwsFaultProxy,
  type FaultProxy,
  type FaultRule,
} from "../../emulator/aws-fault-proxy.ts";
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
  /**
   * A route of one caller's own (a decider's): through a fault proxy of its own that applies the same faults
   * (counted in {@link counts} too) and counts the caller's calls once armed, by service.
   */
  callerRoute(): Promise<CallerRoute>;
}

/** A caller's own route to AWS and the calls it made through it since the faults were armed. */
export interface CallerRoute {
  system: AwsRoutes["system"];
  /** Calls (attempts, retries included) by SigV4 service, e.g. `{ route53: 3, monitoring: 2, ssm: 4 }`. */
  calls: Record<string, number>;
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
  // The votes table of each control region, as the stacks create it.
  const tables = new VoteTable(config, routes.direct);
  await Promise.all(config.controlRegions.map((region) => tables.createTable(region)));
  return { emulatorPid: emulator.pid, emulatorUrl: emulator.url, routes, config };
}

/** The fault proxies in front of the emulator for the system's AWS calls (see {@link AwsRoutes}). */
async function startAwsRoutes(session: DrillSession, emulatorUrl: string): Promise<AwsRoutes> {
  const { clock, scenario } = session;
  const counts = noCalls();
  const rule = () => awsFaultRule(scenario.faults, () => clock.elapsedSeconds(), counts);
  // Backoffs between retries on the drill clock (as long as they would be in AWS); budgets stay wall time.
  const retry = { sleep: (ms: number) => clock.sleep(ms) };
  const startProxy = async () => {
    const proxy = await startAwsFaultProxy(emulatorUrl);
    session.onClose(() => proxy.close());
    return proxy;
  };
  const proxy = await startProxy();
  const callers: Array<{ proxy: FaultProxy; calls: Record<string, number> }> = [];
  const routes: AwsRoutes = {
    system: { endpoint: proxy.url, retry },
    direct: { endpoint: emulatorUrl },
    counts,
    armed: false,
    arm() {
      proxy.setRule(rule());
      for (const caller of callers) caller.proxy.setRule(countedRule(rule(), caller.calls));
      routes.armed = true;
    },
    async callerRoute() {
      const caller = { proxy: await startProxy(), calls: {} };
      callers.push(caller);
      if (routes.armed) caller.proxy.setRule(countedRule(rule(), caller.calls));
      return { system: { endpoint: caller.proxy.url, retry }, calls: caller.calls };
    },
  };
  return routes;
}

/** `rule`, counting each call by service in `calls` first. */
function countedRule(rule: FaultRule, calls: Record<string, number>): FaultRule {
  return (call) => {
    const service = call.service ?? "unsigned";
    calls[service] = (calls[service] ?? 0) + 1;
    return rule(call);
  };
}
