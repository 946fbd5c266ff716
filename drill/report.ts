import * as Plot from "@observablehq/plot";
import { parseHTML } from "linkedom";
import type { Weights } from "../functions/lib/types.ts";
import type { DrillFault } from "./faults.ts";
import { describeFault, formatClock, type TimelineEntry } from "./timeline.ts";
import { isTargetFault } from "../offline/scenario.ts";

/** Everything the report shows; times are virtual epoch ms. */
export interface ReportInput {
  scenario: { name: string; description?: string | undefined; durationSeconds: number };
  /** Virtual epoch ms of the scenario's second 0. */
  startMs: number;
  /** Target ids in config order (colour order). */
  targets: readonly string[];
  vantages: readonly string[];
  /** Weights read from the emulator, each time they changed (first entry: the start). */
  weights: ReadonlyArray<{ at: number; weights: Weights }>;
  faults: readonly DrillFault[];
  /** Applied weight changes, for the markers. */
  switches: ReadonlyArray<{ at: number; text: string }>;
  /** Client requests per minute and target. */
  clientMinutes: ReadonlyArray<{ at: number; target: string; requests: number; errors: number }>;
  slackMessages: ReadonlyArray<{ at: number; text: string }>;
  timeline: readonly TimelineEntry[];
  /** One line under the title, e.g. `2 failovers, detection 15, 15 s, client errors 1.20%`. */
  headline?: string;
  /** The summary's headline figures, shown as a table (key → value). */
  figures: Readonly<Record<string, string>>;
  ok: boolean;
  /** Further sections (HTML) after the figures, e.g. the real DNS path's. @default none */
  sections?: string | undefined;
}

/**
 * Renders `report.html`: self-contained (inline SVG and CSS, no script, no
 * network), charts drawn by Observable Plot on a linkedom document.
 */
export function renderReport(input: ReportInput): string {
  const { document } = parseHTML("<!doctype html><html><body></body></html>");
  const endMs = input.startMs + input.scenario.durationSeconds * 1000;
  const x = {
    type: "utc" as const,
    domain: [new Date(input.startMs), new Date(endMs)],
    label: "time (UTC)",
    tickFormat: (d: Date) => d.toISOString().slice(11, input.scenario.durationSeconds <= 1800 ? 19 : 16),
  };
  const color = { domain: [...input.targets], legend: true };

  const faultBands = input.faults
    .filter((fault) => fault.kind !== "loss" || fault.ratio >= 0.5)
    .map((fault) => ({
      x1: new Date(input.startMs + fault.start * 1000),
      x2: new Date(input.startMs + Math.min(fault.end, input.scenario.durationSeconds) * 1000),
      partial: "vantages" in fault && fault.vantages !== undefined,
      aws: !isTargetFault(fault),
      title: describeFault(fault, input.vantages),
      kind: faultLabel(fault),
    }));

  const axes: ChartAxes = { x, color };
  const traffic = trafficChart(document, input, axes, faultBands);
  const errors = errorsChart(document, input, axes, faultBands);

  const figures = Object.entries(input.figures)
    .map(([key, value]) => `<tr><th>${escapeHtml(key)}</th><td>${escapeHtml(value)}</td></tr>`)
    .join("");
  const slack = input.slackMessages.length
    ? input.slackMessages
        .map((message) => `<li><time>${formatClock(message.at)}</time> ${escapeHtml(message.text)}</li>`)
        .join("")
    : "<li>none</li>";
  const timeline = input.timeline
    .map((entry) => `<li><time>${formatClock(entry.at)}</time> ${escapeHtml(entry.text)}</li>`)
    .join("");

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Drill: ${escapeHtml(input.scenario.name)}</title>
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px; color: #222; max-width: 1250px; }
h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 24px 0 6px; }
.verdict { display: inline-block; padding: 2px 8px; border-radius: 4px; color: #fff; background: ${input.ok ? "#2a7d2a" : "#b42318"}; }
table { border-collapse: collapse; } th, td { text-align: left; padding: 2px 12px 2px 0; font-weight: normal; } th { color: #555; }
ul { padding-left: 18px; } li { margin: 2px 0; } time { font-family: ui-monospace, monospace; color: #555; margin-right: 6px; }
.note { color: #555; font-size: 12px; }
</style></head><body>
<h1>Drill: ${escapeHtml(input.scenario.name)} <span class="verdict">${input.ok ? "expectations met" : "expectations NOT met"}</span></h1>
<p><strong>${escapeHtml(input.headline ?? "")}</strong></p>
<p>${escapeHtml(input.scenario.description ?? "")}</p>
<h2>Traffic share per region (what DNS answers: the record weights, less the sets whose health checks are unhealthy)</h2>
<p class="note">Faults: red bars in the top lane, labelled with their kind (solid when clients and every vantage are hit, pale when only some vantages are), purple for an AWS service's outage (the Route 53 API, one region's CloudWatch), thin red lines where each starts and ends. Dashed black lines: changes of the DNS answers (the timeline names each one's path: records or data plane).</p>
${traffic.outerHTML}
<h2>Client errors per minute</h2>
${errors.outerHTML}
<h2>Figures</h2>
<table>${figures}</table>
${input.sections ?? ""}
<h2>Slack messages (${input.slackMessages.length})</h2>
<ul>${slack}</ul>
<h2>Timeline</h2>
<ul>${timeline}</ul>
</body></html>
`;
}

/** A fault's kind in a few characters, for its label: `down`, `blackhole`, `429 ×0.9`, `+1500 ms`, `loss 60%`. */
function faultLabel(fault: DrillFault): string {
  switch (fault.kind) {
    case "status":
      return `${fault.status} ×${fault.ratio}`;
    case "latency":
      return `+${fault.ms} ms`;
    case "loss":
      return `loss ${Math.round(fault.ratio * 100)}%`;
    case "route53-api-down":
      return "Route 53 API down";
    case "cloudwatch-down":
      return `CloudWatch down ${fault.region}`;
    case "votes-down":
      return `votes down ${fault.region}`;
    case "control-region-down":
      return `${fault.region} lost`;
    case "signal-store-down":
      return `signal store ${fault.region} unwritable`;
    default:
      return fault.kind;
  }
}

/** The weights as a stepped share series, one point per target per change, closed at `endMs`. */
function shareSeries(
  weights: ReportInput["weights"],
  targets: readonly string[],
  endMs: number,
): Array<{ at: Date; target: string; share: number }> {
  const points = [...weights];
  const last = points.at(-1);
  if (last && last.at < endMs) points.push({ at: endMs, weights: last.weights });
  return points.flatMap((point) => {
    const total = targets.reduce((sum, target) => sum + (point.weights[target] ?? 0), 0);
    return targets.map((target) => ({
      at: new Date(point.at),
      target,
      share: total > 0 ? (point.weights[target] ?? 0) / total : 0,
    }));
  });
}

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (char) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[char] ?? char,
  );
}

/** The time axis and target colours both charts share. */
interface ChartAxes {
  x: { type: "utc"; domain: Date[]; label: string; tickFormat: (d: Date) => string };
  color: { domain: string[]; legend: boolean };
}

/** A fault interval as the charts draw it; `partial` when it hits only some vantages, `aws` for an AWS service's own fault. */
interface FaultBand {
  x1: Date;
  x2: Date;
  partial: boolean;
  aws: boolean;
  title: string;
  /** Short label: {@link faultLabel}. */
  kind: string;
}

/** Traffic share per target over time, with the fault lane on top and a dashed line per applied switch. */
function trafficChart(document: Document, input: ReportInput, axes: ChartAxes, faultBands: FaultBand[]): Element {
  const endMs = input.startMs + input.scenario.durationSeconds * 1000;
  const shares = shareSeries(input.weights, input.targets, endMs);
  // Labels alternate between two rows so neighbouring faults do not print over each other.
  const faultLabels = faultBands.map((band, index) => ({ ...band, y: index % 2 === 0 ? 1.2 : 1.3 }));
  const switchMarks = input.switches.map((entry) => ({
    at: new Date(entry.at),
    title: `${formatClock(entry.at)} ${entry.text}`,
  }));
  return Plot.plot({
    document,
    width: 1200,
    height: 280,
    marginLeft: 50,
    x: axes.x,
    // The band above 100% is the fault lane: one red bar per fault, solid when clients are hit too,
    // labelled with its kind. Nothing is drawn over the series, so their colours stay the legend's.
    y: {
      domain: [0, 1.36],
      ticks: [0, 0.25, 0.5, 0.75, 1],
      tickFormat: (d: number) => `${Math.round(d * 100)}%`,
      label: "traffic share",
    },
    color: axes.color,
    marks: [
      Plot.areaY(shares, { x: "at", y: "share", fill: "target", curve: "step-after", fillOpacity: 0.85 }),
      // Where each fault starts and ends, as thin lines through the series instead of a tint over it.
      Plot.ruleX(
        faultBands.flatMap((band) => [band.x1, band.x2]),
        { stroke: "#d62728", strokeOpacity: 0.45, strokeWidth: 0.8, y1: 0, y2: 1.1 },
      ),
      Plot.rect(
        faultBands.filter((band) => !band.partial && !band.aws),
        { x1: "x1", x2: "x2", y1: 1.03, y2: 1.1, fill: "#d62728", fillOpacity: 0.9, title: "title" },
      ),
      // An AWS service's outage (the Route 53 API, one region's CloudWatch) hits the system, not the clients.
      Plot.rect(
        faultBands.filter((band) => band.aws),
        { x1: "x1", x2: "x2", y1: 1.03, y2: 1.1, fill: "#6a3d9a", fillOpacity: 0.55, title: "title" },
      ),
      Plot.rect(
        faultBands.filter((band) => band.partial),
        { x1: "x1", x2: "x2", y1: 1.03, y2: 1.1, fill: "#d62728", fillOpacity: 0.35, title: "title" },
      ),
      Plot.text(faultLabels, {
        x: "x1",
        y: "y",
        text: "kind",
        textAnchor: "start",
        fontSize: 10,
        fill: "#8a1c1c",
        title: "title",
      }),
      Plot.ruleX(switchMarks, { x: "at", stroke: "#111", strokeDasharray: "4,3", title: "title" }),
      Plot.ruleY([0]),
    ],
  });
}

/** Client errors per minute and target, over the faults that hit every vantage. */
function errorsChart(document: Document, input: ReportInput, axes: ChartAxes, faultBands: FaultBand[]): Element {
  return Plot.plot({
    document,
    width: 1200,
    height: 180,
    marginLeft: 50,
    x: axes.x,
    y: { label: "client errors per minute", grid: true },
    color: axes.color,
    marks: [
      Plot.rect(
        faultBands.filter((band) => !band.partial && !band.aws),
        { x1: "x1", x2: "x2", fill: "#d62728", fillOpacity: 0.16 },
      ),
      Plot.rectY(
        input.clientMinutes.filter((minute) => minute.errors > 0),
        {
          x1: (d: { at: number }) => new Date(d.at),
          x2: (d: { at: number }) => new Date(d.at + 60_000),
          y: "errors",
          fill: "target",
          title: (d: { target: string; errors: number; requests: number }) =>
            `${d.target}: ${d.errors}/${d.requests} failed`,
        },
      ),
      Plot.ruleY([0]),
    ],
  });
}
