import type { AlarmStateValue } from "../aws/cloudwatch.ts";

/**
 * Which notifier announces an alarm in Slack. Every control region has the
 * same alarms and its own notifier (losing a region must never silence
 * alerts), so each state change arrives twice. The notifier of the FIRST
 * control region (`config.controlRegions[0]`) posts; any other one first
 * asks the first region's CloudWatch about the same alarm, and stays quiet
 * only when the first region answered and its alarm is in the same state (it
 * announces the change itself). No answer, an error, no such alarm or
 * another state: post, saying why this region speaks.
 *
 * Each notifier also reads when its own alarm entered the state: the region
 * whose alarm entered it first speaks. So a first region whose alarm follows
 * another region's late (a lost region back: its CloudWatch evaluates the
 * gap it was away, e.g. "Automation blind" that the other region announced
 * while it was lost) stays quiet, and the other, having asked it before,
 * posted. Without both times, the rule above alone (ties: the first region).
 *
 * Pure: the lookups' outcomes come in as data (functions/notify.ts asks).
 */

/** What the first control region's CloudWatch said about the alarm. */
export type FirstRegionAnswer =
  /** It answered: the alarm's state there, and since when (epoch ms by its CloudWatch; undefined: not said). */
  | { kind: "state"; state: AlarmStateValue; sinceMs?: number | undefined }
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
  /** This region's own alarm: when it entered its state. @default not asked: the first region decides ties */
  own?: FirstRegionAnswer | undefined;
  /** For the first region's notifier: the other control regions' alarms, by region. @default none asked */
  others?: Record<string, FirstRegionAnswer> | undefined;
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

/**
 * Every region a notifier asks about `alarm` (its own included, for when its alarm entered the state): the
 * first control region's notifier asks every control region, another asks the first and its own; none for a
 * message that is not an alarm, a notifier outside the control regions, or a single control region.
 */
export function regionsToAsk(
  controlRegions: readonly string[],
  ownRegion: string,
  alarm: AnnounceInput["alarm"],
): string[] {
  if (alarm === undefined || controlRegions.length < 2 || !controlRegions.includes(ownRegion)) return [];
  const first = controlRegions[0] as string;
  return ownRegion === first ? [...controlRegions] : [first, ownRegion];
}

/** Whether this notifier posts the notification, given what the first control region (and, when asked, the others) said. */
export function shouldAnnounce(input: AnnounceInput): Announcement {
  const { alarm } = input;
  if (alarm === undefined) return { announce: true };
  const own = input.own;
  const ownSince = own?.kind === "state" && own.state === alarm.state ? own.sinceMs : undefined;
  /** -1: `answer`'s alarm entered this state before this region's, 1: after, 0: same state, order unknown or tied. */
  const order = (answer: FirstRegionAnswer | undefined): -1 | 0 | 1 => {
    if (answer?.kind !== "state" || answer.state !== alarm.state) return 0;
    if (answer.sinceMs === undefined || ownSince === undefined || answer.sinceMs === ownSince) return 0;
    return answer.sinceMs < ownSince ? -1 : 1;
  };
  if (input.controlRegions[0] === input.ownRegion) {
    const earlier = Object.entries(input.others ?? {}).find(
      ([region, answer]) => region !== input.ownRegion && order(answer) === -1,
    );
    return earlier === undefined
      ? { announce: true }
      : { announce: false, reason: `announced by ${earlier[0]} (its alarm entered ${alarm.state} first)` };
  }
  const first = regionToAsk(input.controlRegions, input.ownRegion, alarm);
  if (first === undefined) return { announce: true };
  const answer = input.firstRegion ?? { kind: "unreachable", problem: "not asked" };
  if (answer.kind === "state" && answer.state === alarm.state && order(answer) !== 1)
    return { announce: false, reason: `announced by ${first}` };
  const why =
    answer.kind === "unreachable"
      ? `its CloudWatch did not answer`
      : answer.kind === "missing"
        ? `it has no alarm ${alarm.name}`
        : answer.state === alarm.state
          ? `its alarm entered ${alarm.state} after this region's: it leaves it to this one`
          : `its alarm is ${answer.state}, not ${alarm.state}`;
  return {
    announce: true,
    note: `Sent from ${input.ownRegion}: the first control region ${first} did not announce this (${why}).`,
  };
}
