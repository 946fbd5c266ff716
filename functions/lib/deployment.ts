import type { FailoverConfig } from "./config.ts";
import { FailoverError } from "./errors.ts";

/**
 * Physical name of the manual failover function in every control region:
 * `<config.name>-<stage>-failover`. Fixed (not generated) so the CLI can
 * invoke it and on-call's IAM policy can name it without reading stack
 * outputs.
 */
export function manualFunctionName(config: Pick<FailoverConfig, "name">, stage: string): string {
  const name = `${config.name}-${stage}-failover`;
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(name)) {
    throw new FailoverError(
      "CONFIG_INVALID",
      `the manual failover function name "${name}" is not a valid Lambda name (at most 64 letters, digits, - or _)`,
      {
        hint: "Use a shorter config name or stage name.",
      },
    );
  }
  return name;
}

/**
 * Name of each control region's alert topic, `<config.name>-<stage>-alerts`
 * (alarms and failover events go there; the notifier is subscribed). Fixed,
 * like the manual function's, so the topics of every region are known
 * before any is created.
 */
export function alertTopicName(config: Pick<FailoverConfig, "name">, stage: string): string {
  return `${config.name}-${stage}-alerts`;
}

/**
 * Physical name of the Slack command function in every control region:
 * `<config.name>-<stage>-slack`. Fixed so its role can be allowed to invoke
 * it (the work after Slack's answer is an asynchronous self-invocation).
 */
export function slackCommandFunctionName(config: Pick<FailoverConfig, "name">, stage: string): string {
  return manualFunctionName(config, stage).replace(/-failover$/, "-slack");
}

/**
 * Memory in MB of each function (arm64), as stacks/probes.ts and
 * stacks/control.ts deploy them and the cost model (cost/model.ts) bills
 * them: one number, so the bill cannot drift from the deployment.
 *
 * - probe 128: a round of 1,000 targets peaks at 77 MB RSS
 *   (bench/probe-round.bench.ts) and the config allows 50 targets.
 * - decider 128: its bundle imports at 69 MB RSS, and a steady round costs
 *   about 7 ms of CPU on a full core, about 0.1 s at the 7% of a vCPU that
 *   128 MB buys: far inside its 3 s reserve. It mostly waits for the next
 *   probe round, and waiting is billed by memory.
 * - notify 128, manual 256: seldom invoked.
 * - slack 1769 (one full vCPU): Slack waits 3 s for the answer, also on a
 *   cold start, whose answer path (import, secrets, a Route 53 read,
 *   `views.open`) takes about 0.54 s of CPU (bench/slack-ack.bench.ts);
 *   Lambda gives CPU in proportion to memory, so at 256 MB (about 14% of a
 *   vCPU) it would take about 3.8 s. Invoked a few times per incident, it
 *   costs cents.
 */
export const functionMemoryMb = {
  probe: 128,
  decider: 128,
  notify: 128,
  manual: 256,
  signal: 128,
  slack: 1769,
} as const;
