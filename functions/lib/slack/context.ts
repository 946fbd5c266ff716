import { Route53Switcher } from "../aws/route53.ts";
import type { FailoverConfig } from "../config.ts";
import { describeError } from "../errors.ts";
import type { Logger } from "../log.ts";
import { normalWeights } from "../policy/weights.ts";
import { parseStateDocument, type SwitchEvent } from "../state.ts";
import type { NotifyContext } from "./message.ts";

/**
 * Reads what a notification should show besides the alarm: the weights and
 * the lease from Route 53, and the last switch from the state record. A
 * malformed state record costs only the last switch (logged), not the rest.
 */
export async function loadNotifyContext(
  config: FailoverConfig,
  options: { switcher?: Pick<Route53Switcher, "read">; log?: Logger } = {},
): Promise<NotifyContext> {
  const snapshot = await (options.switcher ?? new Route53Switcher(config)).read();
  let lastSwitch: SwitchEvent | undefined;
  try {
    lastSwitch = snapshot.state === undefined ? undefined : parseStateDocument(snapshot.state).switches[0];
  } catch (error) {
    options.log?.warn("state record unreadable; notifying without the last switch", { problem: describeError(error) });
  }
  return {
    weights: snapshot.weights,
    normal: normalWeights(config.targets),
    ...(snapshot.lease ? { lease: snapshot.lease } : {}),
    ...(lastSwitch ? { lastSwitch } : {}),
  };
}
