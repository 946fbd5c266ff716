import { MetricsBus } from "../../functions/lib/aws/cloudwatch.ts";
import { VoteTable } from "../../functions/lib/aws/vote-table.ts";
import { Route53Switcher } from "../../functions/lib/aws/route53.ts";
import type { FailoverConfig } from "../../functions/lib/config.ts";
import { CloudWatchAdmin } from "../../emulator/cloudwatch-admin.ts";
import type { AwsRoutes } from "./aws.ts";

/** One switcher per caller, so the summary can say who made which emulator calls. */
export interface Switchers {
  decider: Route53Switcher;
  watcher: Route53Switcher;
  client: Route53Switcher;
  notify: Route53Switcher;
}

/** One metrics bus per caller, as {@link Switchers}; the votes table read by the manual function and the warm-up counts into the decider's. */
export interface Buses {
  probe: MetricsBus;
  decider: MetricsBus;
  deciderVotes: VoteTable;
  alarm: CloudWatchAdmin;
  notify: MetricsBus;
}

/**
 * The Route 53 and CloudWatch clients of each caller: the system's parts
 * (deciders, notifier, probes) through the fault proxy, the drill's
 * observers (record watcher, clients' DNS, alarm evaluator) straight to the
 * emulator.
 */
export function awsClientsPerCaller(config: FailoverConfig, routes: AwsRoutes): { switchers: Switchers; buses: Buses } {
  const { system, direct } = routes;
  const decider = new MetricsBus(config, system);
  return {
    switchers: {
      decider: new Route53Switcher(config, system),
      watcher: new Route53Switcher(config, direct),
      client: new Route53Switcher(config, direct),
      notify: new Route53Switcher(config, system),
    },
    buses: {
      probe: new MetricsBus(config, system),
      decider,
      deciderVotes: new VoteTable(config, { ...system, stats: decider.stats }),
      alarm: new CloudWatchAdmin(config, direct),
      notify: new MetricsBus(config, system),
    },
  };
}
