import { attributionOf, type AuditTrail } from "../audit-trail.ts";
import { Route53Switcher } from "../aws/route53.ts";
import type { FailoverConfig } from "../config.ts";
import { describeError } from "../errors.ts";
import type { Logger } from "../log.ts";
import { normalWeights } from "../policy/weights.ts";
import { parseStateDocument, type SwitchEvent } from "../state-document.ts";
import type { NotifyContext } from "./message.ts";

/**
 * Reads what a notification should show besides the alarm: the weights and
 * the lease from Route 53, the last switch from the state record, and who
 * and why from the audit trail. A
 * malformed state record costs only the last switch (logged), not the rest.
 */
export async function loadNotifyContext(
  config: FailoverConfig,
  options: {
    switcher?: Pick<Route53Switcher, "read">;
    log?: Logger;
    /** Where the lease's and the last manual switch's who-and-why are read. @default none: "(audit unavailable)" */
    audit?: AuditTrail;
  } = {},
): Promise<NotifyContext> {
  const snapshot = await (options.switcher ?? new Route53Switcher(config)).read();
  let lastSwitch: SwitchEvent | undefined;
  try {
    lastSwitch = snapshot.state === undefined ? undefined : parseStateDocument(snapshot.state).switches[0];
  } catch (error) {
    options.log?.warn("state record unreadable; notifying without the last switch", { problem: describeError(error) });
  }
  const attribution = async (id: string | undefined) => {
    if (id === undefined || options.audit === undefined) return attributionOf(undefined);
    const read = await options.audit.read(id);
    if (read.problem !== undefined) options.log?.warn("audit entry unreadable", { problem: read.problem });
    return attributionOf(read.entry);
  };
  const [leaseBy, switchBy] = await Promise.all([attribution(snapshot.lease?.id), attribution(lastSwitch?.audit)]);
  return {
    weights: snapshot.weights,
    normal: normalWeights(config.targets),
    ...(snapshot.lease ? { lease: { ...snapshot.lease, ...leaseBy } } : {}),
    ...(lastSwitch
      ? { lastSwitch: lastSwitch.audit === undefined ? lastSwitch : { ...lastSwitch, actor: switchBy.actor } }
      : {}),
  };
}
