import type { DnsChange } from "./dns-answers.ts";
import type { DrillFault } from "./faults.ts";
import { clientFaultKinds } from "../offline/scenario.ts";

/** One line of the drill's timeline. */
export interface TimelineEntry {
  /** Virtual epoch ms. */
  at: number;
  text: string;
}

/** `02:55` on the minute, `02:55:20` otherwise (UTC), as in an incident write-up. */
export function formatClock(atMs: number): string {
  const date = new Date(Math.round(atMs / 1000) * 1000);
  const hhmm = date.toISOString().slice(11, 16);
  const seconds = date.getUTCSeconds();
  return seconds === 0 ? hhmm : `${hhmm}:${String(seconds).padStart(2, "0")}`;
}

/** `primary: 429 ratio 0.7 from 3/3 vantages`, `us-west-2 vantage cannot probe or publish`... */
export function describeFault(fault: DrillFault, allVantages: readonly string[]): string {
  if (fault.kind === "route53-api-down")
    return "Route 53 API down: every control-plane call fails; DNS answers and health checks go on";
  if (fault.kind === "cloudwatch-down") return `CloudWatch down in ${fault.region}: no alarm metrics there`;
  if (fault.kind === "votes-down") return `votes table down in ${fault.region}: its decider is blind`;
  if (fault.kind === "control-region-down")
    return `control region ${fault.region} lost: its decider, signal store and endpoint, and CloudWatch`;
  if (fault.kind === "signal-store-down")
    return `signal store in ${fault.region} refuses writes; checkers still read what it holds`;
  const who = fault.target ?? "every target";
  const from = `from ${(fault.vantages ?? allVantages).length}/${allVantages.length} vantages${fault.vantages ? ` (${fault.vantages.join(", ")})` : ""}`;
  const clients = fault.vantages === undefined && clientFaultKinds.has(fault.kind) ? " and clients" : "";
  switch (fault.kind) {
    case "down":
      return `${who}: down (connections refused) ${from}${clients}`;
    case "blackhole":
      return `${who}: blackhole (connections hang) ${from}${clients}`;
    case "status":
      return `${who}: ${fault.status} ratio ${fault.ratio} ${from}${clients}`;
    case "latency":
      return `${who}: +${fault.ms} ms latency ${from}${clients}`;
    case "loss":
      return `${who}: ${Math.round(fault.ratio * 100)}% probe loss ${from}`;
    case "partition":
      return `${who}: path cut (probe checks hang) ${from}; clients unaffected`;
    case "vantage-down":
      return `vantage ${(fault.vantages ?? allVantages).join(", ")} cannot probe or publish`;
  }
}

/**
 * `drained primary (90→0), failover 10→100`: what a weight change did, in
 * the targets' order. Drains and returns from zero are named; the others
 * show their move.
 */
export function describeWeightChange(
  from: Record<string, number>,
  to: Record<string, number>,
  order: readonly string[],
): string {
  const parts: string[] = [];
  for (const target of order) {
    const before = from[target] ?? 0;
    const after = to[target] ?? 0;
    if (before === after) continue;
    if (after === 0) parts.unshift(`drained ${target} (${before}→0)`);
    else if (before === 0) parts.push(`restoring ${target} (0→${after})`);
    else parts.push(`${target} ${before}→${after}`);
  }
  return parts.join(", ");
}

/**
 * Prints the timeline as it happens, in time order: one line per event, and,
 * when the output is a terminal, a progress line kept at the bottom
 * (redrawn in place). Events arrive a little out of order (a weight change
 * is read after the alarm it caused, a Slack message after a later fault),
 * so each line waits until events `holdMs` later have arrived, then prints
 * in order; {@link endProgress} prints what is left.
 */
export class TimelinePrinter {
  /** Every event so far, in time order. */
  readonly entries: TimelineEntry[] = [];
  private readonly pending: TimelineEntry[] = [];
  private latestAt = Number.NEGATIVE_INFINITY;
  private ended = false;
  private progressText = "";

  constructor(
    private readonly options: {
      /** Where lines go. @default process.stdout.write */
      write?: (text: string) => void;
      /** Draw the progress line (only on a terminal). @default false */
      isTTY?: boolean;
      /** Print events as they come. @default true */
      live?: boolean;
      /** Virtual ms a line waits for earlier events that arrive late. @default 60000 */
      holdMs?: number;
    } = {},
  ) {}

  private write(text: string): void {
    (this.options.write ?? ((chunk: string) => process.stdout.write(chunk)))(text);
  }

  /** Records one event; prints it once no earlier event can still be coming. */
  event(at: number, text: string): void {
    const entry = { at, text };
    insertInOrder(this.entries, entry);
    if (this.options.live === false) return;
    insertInOrder(this.pending, entry);
    this.latestAt = Math.max(this.latestAt, at);
    this.flush(this.ended ? Number.POSITIVE_INFINITY : this.latestAt - (this.options.holdMs ?? 60_000));
  }

  private flush(upTo: number): void {
    let count = 0;
    while (count < this.pending.length && (this.pending[count]?.at ?? 0) <= upTo) count++;
    if (count === 0) return;
    const lines = this.pending
      .splice(0, count)
      .map((entry) => `${formatClock(entry.at)} ${entry.text}\n`)
      .join("");
    if (this.options.isTTY && this.progressText) this.write(`\r\x1b[2K${lines}${this.progressText}`);
    else this.write(lines);
  }

  /** Replaces the progress line (terminals only). */
  progress(text: string): void {
    if (!this.options.isTTY || this.options.live === false) return;
    this.progressText = text;
    this.write(`\r\x1b[2K${text}`);
  }

  /** Prints every line still held, clears the progress line; later events print at once. */
  endProgress(): void {
    if (this.options.isTTY && this.progressText) this.write("\r\x1b[2K");
    this.progressText = "";
    this.ended = true;
    this.flush(Number.POSITIVE_INFINITY);
  }
}

/** Inserts after every entry at the same time or earlier (stable). */
function insertInOrder(entries: TimelineEntry[], entry: TimelineEntry): void {
  let index = entries.length;
  while (index > 0 && (entries[index - 1]?.at ?? 0) > entry.at) index--;
  entries.splice(index, 0, entry);
}

/**
 * `DNS answers: drained primary (90→0) through the data plane: decided 02:57:10 → health check (us-east-2 signal)
 * 02:57:14 → calculated check 02:57:16 → DNS answers 02:57:21`, or `… through the records: compare-and-swap
 * at 02:57:10`: one change of what DNS answers and the path that made it.
 */
export function describeDnsChange(
  change: DnsChange,
  previous: Record<string, number>,
  order: readonly string[],
): string {
  const moved = describeWeightChange(previous, change.weights, order);
  if (change.path === "start") return `DNS answers ${order.map((id) => `${id} ${change.weights[id] ?? 0}`).join(", ")}`;
  if (change.path === "records")
    return `DNS answers: ${moved} through the records: compare-and-swap at ${formatClock(change.at)}`;
  const via = change.via;
  const steps = [
    change.decidedAt !== undefined ? `decided ${formatClock(change.decidedAt)}` : undefined,
    via ? `health check (${via.region ?? "?"} signal) ${formatClock(via.checkedAt)}` : undefined,
    via ? `calculated check ${formatClock(via.calculatedAt)}` : undefined,
    `DNS answers ${formatClock(change.at)}`,
  ].filter((step) => step !== undefined);
  return `DNS answers: ${moved} through the data plane: ${steps.join(" → ")}`;
}
