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
  if (fault.kind === "cloudwatch-down") return `CloudWatch down in ${fault.region}: its decider is blind`;
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
 * Prints the timeline as it happens: one line per event, and, when the
 * output is a terminal, a progress line kept at the bottom (redrawn in place).
 */
export class TimelinePrinter {
  readonly entries: TimelineEntry[] = [];
  private progressText = "";

  constructor(
    private readonly options: {
      /** Where lines go. @default process.stdout.write */
      write?: (text: string) => void;
      /** Draw the progress line (only on a terminal). @default false */
      isTTY?: boolean;
      /** Print events as they come. @default true */
      live?: boolean;
    } = {},
  ) {}

  private write(text: string): void {
    (this.options.write ?? ((chunk: string) => process.stdout.write(chunk)))(text);
  }

  /** Records and prints one event. */
  event(at: number, text: string): void {
    this.entries.push({ at, text });
    if (this.options.live === false) return;
    const line = `${formatClock(at)} ${text}\n`;
    if (this.options.isTTY && this.progressText) this.write(`\r\x1b[2K${line}${this.progressText}`);
    else this.write(line);
  }

  /** Replaces the progress line (terminals only). */
  progress(text: string): void {
    if (!this.options.isTTY || this.options.live === false) return;
    this.progressText = text;
    this.write(`\r\x1b[2K${text}`);
  }

  /** Clears the progress line. */
  endProgress(): void {
    if (this.options.isTTY && this.progressText) this.write("\r\x1b[2K");
    this.progressText = "";
  }
}
