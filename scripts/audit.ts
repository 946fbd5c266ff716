import { spawnSync } from "node:child_process";
import { pathToFileURL } from "node:url";

/**
 * `npm audit` for CI (.ci/run): fails on a high or critical advisory in a
 * production dependency (what the functions and the CLI run), reports the
 * whole tree's counts, and does not fail when the registry cannot answer
 * an audit (offline CI, a mirror without the advisory endpoint): that is
 * said in one line instead.
 *
 * Run: `node --import tsx scripts/audit.ts` (exit 0 ok or unavailable, 1 high/critical in production).
 */

/** Severities that fail CI when a production dependency has one. */
const blocking = ["high", "critical"] as const;
const severities = ["info", "low", "moderate", "high", "critical"] as const;

/** What one `npm audit --json` run says, reduced to what CI acts on. */
export type AuditOutcome =
  | { kind: "unavailable"; reason: string }
  | { kind: "audited"; counts: Record<(typeof severities)[number], number>; blocking: string[] };

/**
 * Reads the JSON `npm audit --json` printed. An error body (the registry
 * refused or could not be reached) or anything unreadable is `unavailable`.
 */
export function readAudit(stdout: string): AuditOutcome {
  let report: {
    error?: { summary?: string };
    message?: string;
    metadata?: { vulnerabilities?: Record<string, number> };
    vulnerabilities?: Record<string, { severity?: string }>;
  };
  try {
    report = JSON.parse(stdout);
  } catch {
    return { kind: "unavailable", reason: "npm audit printed no JSON report" };
  }
  const counted = report.metadata?.vulnerabilities;
  if (report.error !== undefined || counted === undefined) {
    const reason = report.message || report.error?.summary || "no report";
    return { kind: "unavailable", reason: reason.split("\n")[0] ?? reason };
  }
  const counts = Object.fromEntries(severities.map((s) => [s, counted[s] ?? 0])) as Record<
    (typeof severities)[number],
    number
  >;
  const names = Object.entries(report.vulnerabilities ?? {})
    .filter(([, v]) => (blocking as readonly string[]).includes(v.severity ?? ""))
    .map(([name, v]) => `${name} (${v.severity})`)
    .sort();
  return { kind: "audited", counts, blocking: names };
}

/** The CI lines and exit code for the production audit and the whole tree's. */
export function auditVerdict(production: AuditOutcome, all: AuditOutcome): { lines: string[]; exitCode: number } {
  if (production.kind === "unavailable")
    return {
      lines: [`npm audit: not run, the registry did not answer the audit request (${production.reason}); not failing`],
      exitCode: 0,
    };
  const summary = (outcome: AuditOutcome) =>
    outcome.kind === "unavailable"
      ? `unavailable (${outcome.reason})`
      : severities
          .filter((s) => outcome.counts[s] > 0)
          .map((s) => `${outcome.counts[s]} ${s}`)
          .join(", ") || "none";
  const lines = [
    `npm audit: production dependencies: ${summary(production)}; all dependencies (dev tools included, not gating): ${summary(all)}`,
  ];
  if (production.blocking.length === 0) return { lines, exitCode: 0 };
  lines.push(`npm audit: high or critical in production dependencies: ${production.blocking.join(", ")}`);
  lines.push("Fix: npm audit fix --omit=dev (or upgrade the package), then commit package-lock.json.");
  return { lines, exitCode: 1 };
}

function runAudit(args: string[]): AuditOutcome {
  const run = spawnSync("npm", ["audit", "--json", ...args], { encoding: "utf8", timeout: 120_000 });
  if (run.error) return { kind: "unavailable", reason: run.error.message };
  return readAudit(run.stdout);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const production = runAudit(["--omit=dev"]);
  const verdict = auditVerdict(production, production.kind === "unavailable" ? production : runAudit([]));
  for (const line of verdict.lines) console.log(line);
  process.exitCode = verdict.exitCode;
}
