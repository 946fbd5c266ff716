import type { ChangeSync } from "../control/change-sync.ts";
import type {
  PracticeRequestResult,
  ChangeResult,
  InitResult,
  LeaseView,
  ManualResult,
  SwitchView,
  PlanResult,
  StatusResult,
  TargetStatus,
  VerifyResult,
} from "./result.ts";
import type { DataPlaneStatus } from "../dataplane-link/status.ts";
import type { SignalStatus } from "../dataplane/signal-status.ts";
import { formatWeights } from "../policy/weights.ts";
import type { Weights } from "../types.ts";
import { renderTable } from "../table.ts";
import { formatDuration } from "../duration.ts";

/** Human-readable text of a successful manual failover answer. */
export function renderResult(result: ManualResult, vantages: readonly string[]): string {
  switch (result.action) {
    case "status":
      return renderStatus(result, vantages);
    case "plan":
      return renderPlan(result, vantages);
    case "init":
      return renderInit(result);
    case "verify":
      return renderVerify(result);
    case "practice-start":
    case "practice-cancel":
      return renderPracticeRequest(result);
    default:
      return renderChange(result);
  }
}

function renderStatus(status: StatusResult, vantages: readonly string[]): string {
  return [
    `Status at ${time(status.at)}`,
    "",
    targetTable(status.targets, vantages),
    `Lease: ${leaseLine(status.lease)}`,
    `Policy now: ${status.policy.kind}: ${status.policy.reason}`,
    "",
    ...(status.dataPlane ? [dataPlaneText(status.dataPlane)] : []),
    ...(status.signal ? [signalText(status.signal)] : []),
    switchesText(status.switches),
    problemsText(status.problems),
  ].join("\n");
}

function renderPlan(plan: PlanResult, vantages: readonly string[]): string {
  const headline = plan.changed
    ? `The decider would shift ${plan.shift}`
    : `The decider would change nothing (weights ${weightsText(plan.current)})`;
  return [
    `${headline}  [${plan.kind}]`,
    `Why: ${plan.reason}`,
    "",
    targetTable(plan.targets, vantages),
    `Lease: ${leaseLine(plan.lease)}`,
    problemsText(plan.problems),
  ].join("\n");
}

function renderChange(change: ChangeResult): string {
  const moved = change.shift === "no change" ? `weights unchanged (${weightsText(change.to)})` : change.shift;
  const lines: string[] = [];
  if (change.action === "release") {
    lines.push(
      change.lease
        ? `Released lease ${change.lease.id} (${leaseWhat(change.lease)} by ${change.lease.actor}).`
        : "No override lease was in place.",
    );
    lines.push(`The policy decides again: ${moved}`);
  } else if (change.action === "release-hold") {
    lines.push(
      change.releasedHolds.length > 0
        ? `Released the flap hold of ${change.releasedHolds.join(", ")}: it comes back through the normal recovery and ramp.`
        : "Nothing was held.",
    );
    lines.push(
      change.shift === "no change" ? `Weights unchanged (${weightsText(change.to)}).` : `Weights: ${change.shift}`,
    );
  } else {
    lines.push(`${capitalise(change.action)}: ${moved}`);
    if (change.lease) lines.push(`Lease: ${leaseLine(change.lease)}`);
    if (change.replaced)
      lines.push(
        `REPLACED the active lease ${change.replaced.id}: ${leaseWhat(change.replaced)} by ${change.replaced.actor}, "${change.replaced.reason}", ${formatDuration(change.replaced.expiresInSeconds)} left. It no longer applies.`,
      );
  }
  if (change.action === "release" && change.releasedHolds.length > 0)
    lines.push(`Cleared the flap hold of ${change.releasedHolds.join(", ")}.`);
  if (change.kept) lines.push(change.kept);
  lines.push(`Why: ${change.reason}`);
  lines.push(writtenLine(change));
  if (change.sync) lines.push(syncLine(change.sync));
  return [...lines, problemsText(change.problems)].join("\n");
}

/** What was written, and how that is known: Route 53's answer, a read back after a lost answer, or nothing to write. */
function writtenLine(change: ChangeResult): string {
  if (change.changeId)
    return `Route 53 change ${change.changeId} (${change.attempts} attempt${change.attempts === 1 ? "" : "s"})`;
  if (change.readBack) return LOST_ANSWER_APPLIED;
  if (change.repeated) return "An earlier delivery of this request applied it; nothing was written again.";
  return "Nothing needed writing.";
}

/** Said when Route 53's answer was lost and a read back found the change in place. */
const LOST_ANSWER_APPLIED =
  "Route 53's answer was lost; reading the records back shows the change in place: applied (its change id is unknown, so propagation was not followed; name servers catch up within about 60 s).";

function renderInit(init: InitResult): string {
  if (init.dryRun) return initPlanText(init);
  const link = init.dataPlane;
  return [
    init.unchanged
      ? `Nothing changed: the weighted records exist (weights kept)${link ? " and every data-plane link was in place" : ""}.`
      : init.adopted
        ? "The weighted records exist: adopted as they are (weights unchanged)."
        : `Created ${init.created.length} weighted record(s) with the config's weights:`,
    ...init.created.map((name) => `  ${name}`),
    ...(init.replaced.length > 0
      ? [
          "Taken over in the same atomic change batch (deleted as they were; resolvers never saw an empty answer):",
          ...init.replaced.map((set) => `  ${set}`),
        ]
      : []),
    init.changeId ? `Route 53 change ${init.changeId}` : init.readBack ? LOST_ANSWER_APPLIED : "",
    ...(init.sync ? [syncLine(init.sync)] : []),
    ...(link
      ? [
          `Health checks: ${link.created.length} created${link.repaired.length > 0 ? `, repaired ${link.repaired.join("; ")}` : ""}; calculated check per target: ${Object.entries(
            link.calculated,
          )
            .map(([id, check]) => `${id}=${check}`)
            .join(" ")}`,
          ...(link.replaced.length > 0
            ? [`Replaced (a setting that cannot be changed in place): ${link.replaced.join("; ")}`]
            : []),
          ...(link.deleted.length > 0
            ? [`Deleted, superseded and referred to by nothing: ${link.deleted.join(", ")}`]
            : []),
          link.tied.length > 0
            ? `Tied to their health checks (weights unchanged): ${link.tied.join(", ")}`
            : "Every record was already tied to its health check.",
        ]
      : []),
    problemsText(init.problems),
  ].join("\n");
}

/** What init would send: the batch, change by change, nothing sent yet. */
function initPlanText(init: InitResult): string {
  if (init.unchanged)
    return "Plan: nothing to change: the weighted records exist (weights kept) and there is no data plane to link.";
  if (init.adopted)
    return "Plan: the weighted records exist; init adopts them as they are (weights unchanged) and links the data plane.";
  return [
    "Plan: one change batch, applied by Route 53 all or nothing (resolvers keep the old answer until the new one answers):",
    ...init.replaced.map((set) => `  DELETE ${set}`),
    ...init.created.map((name) => `  CREATE ${name} (weighted, the config's weight)`),
  ].join("\n");
}

function renderPracticeRequest(request: PracticeRequestResult): string {
  const asked =
    request.action === "practice-start"
      ? `Practice run on ${request.target} requested (${request.id}): the next decider round starts it if its pre-checks still pass (blocking alarms included); a skip is recorded with its reason.`
      : `Cancel of the practice run on ${request.target} requested (${request.id}): the next decider round ends it (INTERRUPTED) and gives ${request.target} back through the ramp.`;
  return `${[asked, "See `failover practice history`.", ...request.problems.map((p) => `note: ${p}`)].join("\n")}\n`;
}

function renderVerify(verify: VerifyResult): string {
  const lines =
    verify.broken.length === 0 && verify.notSetUp.length === 0
      ? ["Data-plane chain sound: signal endpoints, signal and calculated checks, records tied, alarms present."]
      : [
          ...(verify.notSetUp.length > 0
            ? [
                `Not set up yet (${verify.notSetUp.length} step(s); run each, then verify again):`,
                ...verify.notSetUp.map((step) => `  ${step.part}: ${step.message}. Run: ${step.run}`),
              ]
            : []),
          ...(verify.broken.length > 0
            ? [
                `${verify.broken.length} broken link(s):`,
                ...verify.broken.map((link) => `  ${link.link}: ${link.message}. Fix: ${link.fix}`),
              ]
            : []),
        ];
  return [...lines, problemsText(verify.problems)].join("\n");
}

/** Each target's health-check status and, per record name, each target's share of DNS answers. */
function dataPlaneText(dataPlane: DataPlaneStatus): string {
  const names = Object.keys(dataPlane.answers);
  const header = ["TARGET", "HEALTH CHECK", "STATUS", "SIGNALS", ...names.map((name) => `DNS ${name}`)];
  const rows = dataPlane.targets.map((t) => [
    t.id,
    t.check ?? "none",
    t.status,
    t.signals.map((s) => `${s.region} ${s.status} (${s.succeeded}/${s.checkers} checkers see drain)`).join(", ") || "-",
    ...names.map((name) => `${Math.round((dataPlane.answers[name]?.[t.id] ?? 0) * 100)}%`),
  ]);
  return `Data plane (health checks; what DNS clients get):\n${renderTable([header, ...rows])}`;
}

/** Every signal document: which store, who wrote it, how old, what it drains (a stale one drains nothing). */
function signalText(signal: SignalStatus): string {
  const header = ["STORE", "WRITER", "AGE", "DRAINS", "COUNTS"];
  const rows = [
    ...signal.documents.map((d) => [
      d.store,
      d.writer,
      formatDuration(d.ageSeconds),
      d.drain.join(", ") || "-",
      d.fresh ? "yes" : "no (stale: serve)",
    ]),
    ...signal.overrides.map((o) => [
      o.store,
      `override ${o.lease}`,
      "-",
      `serves ${o.serve.join(", ") || "-"}`,
      o.active ? `until ${time(o.until)}` : "no (ended)",
    ]),
  ];
  const drained = `Drained by the signal now: ${signal.drained.join(", ") || "nothing"}`;
  const table = rows.length > 0 ? renderTable([header, ...rows]) : "(no signal documents)";
  const problems = signal.problems.map((problem) => `  ! ${problem}`);
  return [`Data-plane signal (${drained.toLowerCase()}):`, table, ...problems, ""].join("\n");
}

/** An answer from an older function has no `sync`; the caller skips the line then. */
function syncLine(sync: ChangeSync): string {
  const seconds = `${Number(sync.waitedSeconds.toFixed(1))} s`;
  return sync.insync
    ? `Route 53: in sync after ${seconds}`
    : `Route 53: applied, still propagating after ${seconds} (name servers catch up within about 60 s; nothing is re-sent)`;
}

function targetTable(targets: readonly TargetStatus[], vantages: readonly string[]): string {
  const header = ["TARGET", "REGION", "WEIGHT", "NORMAL", "HEALTH", "MODE", ...vantages];
  const rows = targets.map((t) => [
    t.id,
    t.region,
    String(t.weight),
    String(t.normalWeight),
    t.health === "down" && t.downRounds > 0 ? `down ×${t.downRounds}` : t.health,
    t.mode,
    ...vantages.map((v) => t.votes[v] ?? "-"),
  ]);
  return renderTable([header, ...rows]);
}

function leaseWhat(lease: LeaseView): string {
  if (lease.action === "pin") return `pin ${weightsText(lease.weights ?? {})}`;
  return `${lease.action} ${lease.target ?? "?"}`;
}

function leaseLine(lease: LeaseView | null): string {
  if (lease === null) return "none (the automatic policy is in control)";
  const expiry = lease.active
    ? `until ${time(lease.expiresAt)} (in ${formatDuration(lease.expiresInSeconds)})`
    : `EXPIRED at ${time(lease.expiresAt)} (${formatDuration(-lease.expiresInSeconds)} ago)`;
  return `${leaseWhat(lease)} by ${lease.actor} ${expiry}: "${lease.reason}" [${lease.id}]`;
}

function switchesText(switches: readonly SwitchView[]): string {
  if (switches.length === 0) return "Last switchovers: none recorded\n";
  const rows = switches.map((s) => [
    time(s.at),
    s.mode,
    s.actor ?? "-",
    weightsText(s.from),
    weightsText(s.to),
    s.reason,
  ]);
  return `Last switchovers (newest first):\n${renderTable([["TIME", "MODE", "BY", "FROM", "TO", "REASON"], ...rows])}`;
}

function problemsText(problems: readonly string[]): string {
  return problems.length === 0 ? "" : `Warnings:\n${problems.map((p) => `  - ${p}`).join("\n")}\n`;
}

function weightsText(weights: Weights): string {
  return formatWeights(weights, undefined, { named: true });
}

/** `2026-11-03 02:57:20Z`. */
function time(epochSeconds: number): string {
  return `${new Date(epochSeconds * 1000).toISOString().slice(0, 19).replace("T", " ")}Z`;
}

function capitalise(text: string): string {
  return `${text.slice(0, 1).toUpperCase()}${text.slice(1)}`;
}
