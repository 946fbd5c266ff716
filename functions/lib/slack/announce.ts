import type { AlarmStateValue } from "../aws/cloudwatch.ts";

/**
 * Which notifier announces an alarm in Slack. Every control region has the
 * same alarms and its own notifier (losing a region must never silence
 * alerts), so each state change arrives twice. The notifier of the FIRST
 * control region (`config.controlRegions[0]`) always posts; any other one
 * first asks the first region's CloudWatch about the same alarm, and stays
 * quiet only when the first region answered and its alarm is in the same
 * state (it announces the change itself). No answer, an error, no such
 * alarm or another state: post, saying why this region speaks.
 *
 * Pure: the lookup's outcome comes in as data (functions/notify.ts asks).
 */

/** What the first control region's CloudWatch said about the alarm. */
export type FirstRegionAnswer =
  /** It answered: the alarm's state there. */
  | { kind: "state"; state: AlarmStateValue }
  /** It answered, but has no alarm of that name. */
  | { kind: "missing" }
  /** It did not answer in time, or failed (`problem` is for the logs). */
  | { kind: "unreachable"; problem: string };

export interface AnnounceInput {
  /** `config.controlRegions`: the first one always announces. */
  controlRegions: readonly string[];
  /** The control region this notifier runs in. */
  ownRegion: string;
  /** The notification's alarm name and new state; undefined when the message is not an alarm (always posted). */
  alarm: { name: string; state: AlarmStateValue } | undefined;
  /** The first region's answer; undefined when it was not asked (read as no answer). */
  firstRegion: FirstRegionAnswer | undefined;
}

export type Announcement =
  /** Post; `note` (when set) says in the message why this region, not the first, announces it. */
  | { announce: true; note?: string }
  /** Stay quiet: `reason` is for the log, e.g. `announced by us-east-2`. */
  | { announce: false; reason: string };

/**
 * The region whose CloudWatch a notifier must ask before posting `alarm`:
 * the first control region when this notifier runs in another control
 * region, else undefined (post without asking). A notifier in a region that
 * is not a control region at all also posts: a misplaced notifier must not
 * go quiet.
 */
export function regionToAsk(
  controlRegions: readonly string[],
  ownRegion: string,
  alarm: AnnounceInput["alarm"],
): string | undefined {
  const [first] = controlRegions;
  if (alarm === undefined || first === undefined || ownRegion === first || !controlRegions.includes(ownRegion))
    return undefined;
  return first;
}

/** Whether this notifier posts the notification, given what the first control region said. */
export function shouldAnnounce(input: AnnounceInput): Announcement {
  const first = regionToAsk(input.controlRegions, input.ownRegion, input.alarm);
  if (first === undefined || input.alarm === undefined) return { announce: true };
  const answer = input.firstRegion ?? { kind: "unreachable", problem: "not asked" };
  if (answer.kind === "state" && answer.state === input.alarm.state)
    return { announce: false, reason: `announced by ${first}` };
  const why =
    answer.kind === "unreachable"
      ? `its CloudWatch did not answer`
      : answer.kind === "missing"
        ? `it has no alarm ${input.alarm.name}`
        : `its alarm is ${answer.state}, not ${input.alarm.state}`;
  return {
    announce: true,
    note: `Sent from ${input.ownRegion}: the first control region ${first} did not announce this (${why}).`,
  };
}
