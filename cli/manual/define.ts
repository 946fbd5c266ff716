import { randomUUID } from "node:crypto";
import { createInterface } from "node:readline";
import { loadConfig, type FailoverConfig } from "../../functions/lib/config.ts";
import { configWarnings } from "../../functions/lib/config-warnings.ts";
import { configEnvJson } from "../../functions/lib/config-size.ts";
import { parseManualEvent, type ManualAction, type ManualEvent } from "../../functions/lib/manual/event.ts";
import type { ManualResponse, ManualResult } from "../../functions/lib/manual/result.ts";
import { FailoverError, ValidationError, type ValidationIssue } from "../../functions/lib/errors.ts";
import { leaseWeights } from "../../functions/lib/policy/decide.ts";
import type { Weights } from "../../functions/lib/types.ts";
import { parseArgs, type ParsedArgs } from "../args.ts";
import type { CliCommand, CliIO } from "../command.ts";
import { formatDuration, parseDuration } from "../../functions/lib/duration.ts";
import { parseWeightPairs, weightPairsForm } from "../../functions/lib/weight-pairs.ts";
import { renderResult } from "../../functions/lib/manual/render.ts";
import { sendManualEvent } from "./send.ts";

/** What distinguishes one manual failover command from another. */
export interface ManualCommandSpec {
  action: ManualAction;
  summary: string;
  /** What it does, for --help. */
  description: string;
  /** The one positional argument, if any. */
  positional?: "target" | "weights";
  /** The positional argument may be left out. @default false */
  positionalOptional?: boolean;
  /** The command as typed after `failover`. @default the action */
  command?: string;
  /** It changes records: needs --reason and a confirmation (or --yes). */
  changes: boolean;
  /** It takes an override lease: accepts --ttl. */
  lease: boolean;
  examples: string[];
  /** Exit code of a successful answer (e.g. `verify`: 1 when a link is broken). @default 0 */
  exitCode?: (result: ManualResult) => number;
}

const commonFlags = {
  config: { type: "string" },
  actor: { type: "string" },
  direct: { type: "boolean" },
  function: { type: "string" },
  region: { type: "string" },
  stage: { type: "string" },
  json: { type: "boolean" },
  verbose: { type: "boolean" },
  reason: { type: "string" },
  ttl: { type: "string" },
  yes: { type: "boolean", short: "y" },
} as const;

/** Event fields as the CLI user knows them, for error messages. */
const flagOf: Record<string, string> = {
  reason: "--reason",
  ttlSeconds: "--ttl",
  actor: "--actor",
  target: "<target>",
  weights: "<weights>",
};

/** Builds a `failover <action>` command: same flags, confirmation and exit codes for all of them. */
export function defineManualCommand(spec: ManualCommandSpec): CliCommand {
  const usage = usageOf(spec);
  const name = spec.command ?? spec.action;
  return {
    name,
    summary: spec.summary,
    usage,
    async run(args: string[], io: CliIO): Promise<number> {
      const parsed = parseArgs(args, flagsOf(spec), {
        names: spec.positional ? [spec.positional] : [],
        ...(spec.positionalOptional ? { min: 0 } : {}),
      });
      if (parsed.help) {
        io.stdout(usage);
        return 0;
      }
      const { flags } = parsed;
      const config = loadConfig(flags.config ?? io.env.FAILOVER_CONFIG_FILE ?? "failover.config.json");
      // A config the functions could not receive cannot be the deployed one: refuse it before anything is sent.
      configEnvJson(config);
      // Risks a valid config takes (a lone decider or vantage in a target's metro): said on every command, never fatal.
      for (const warning of configWarnings(config))
        io.stderr(`failover: warning: config ${warning.path}: ${warning.message}\n`);
      const { event, checked, actor } = checkedEvent(spec, flags, parsed.positionals[0], config, io.env);

      const send = (body: Record<string, unknown>) =>
        sendManualEvent(
          body,
          config,
          {
            direct: flags.direct,
            stage: flags.stage ?? io.env.FAILOVER_STAGE ?? "production",
            verbose: flags.verbose,
            ...(flags.region ? { region: flags.region } : {}),
            ...(flags.function ? { functionName: flags.function } : {}),
          },
          io,
        );
      if (spec.changes && !flags.yes) {
        // init shows the exact batch before asking (or before refusing without a terminal).
        if (spec.action === "init") {
          const preview = await send({ ...event, dryRun: true });
          if (!preview.ok) return failed(name, preview, flags.json === true, io);
          io.stdout(`${renderResult(preview, config.vantages)}\n`);
          // A rerun with nothing to change needs no confirmation: it would send nothing.
          if (preview.action === "init" && preview.unchanged) return 0;
        }
        const confirmed = await confirm(checked, config, io, () => send({ action: "status", actor }));
        if (confirmed !== true) return confirmed;
      }
      const response = await send(event);
      if (flags.json) io.stdout(`${JSON.stringify(response, null, 2)}\n`);
      if (response.ok) {
        if (!flags.json) io.stdout(renderResult(response, config.vantages));
        return spec.exitCode?.(response) ?? 0;
      }
      return failed(name, response, flags.json === true, io);
    },
  };
}

/** Prints a failed answer (unless --json printed it already); its exit code. */
function failed(action: string, response: Extract<ManualResponse, { ok: false }>, json: boolean, io: CliIO): number {
  if (!json) io.stderr(errorText(action, response));
  return response.error.code === "INVALID_INPUT" ? 2 : 1;
}

/**
 * The event the command sends, validated against the config. Every bad
 * argument is reported at once (a ValidationError naming the flags), so
 * on-call fixes the command in one go.
 */
function checkedEvent(
  spec: ManualCommandSpec,
  flags: ParsedArgs<typeof commonFlags>["flags"],
  argument: string | undefined,
  config: FailoverConfig,
  env: CliIO["env"],
) {
  const issues: ValidationIssue[] = [];
  const collect = <T>(parse: () => T, rename = (issue: ValidationIssue) => issue): T | undefined => {
    try {
      return parse();
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      // A flag already reported (a --ttl that is not a duration) is not reported again as its event field.
      const reported = new Set(issues.map((issue) => issue.path));
      issues.push(...error.issues.map(rename).filter((issue) => !reported.has(issue.path.split(".")[0] ?? "")));
      return undefined;
    }
  };
  // Reads need no name; a change must say who made it.
  const actor = (
    flags.actor ??
    env.FAILOVER_ACTOR ??
    env.USER ??
    env.LOGNAME ??
    (spec.changes ? "" : "on-call")
  ).trim();
  if (actor === "")
    issues.push({
      path: "--actor",
      message:
        "is required for a change, and neither FAILOVER_ACTOR nor USER is set: pass --actor <your name>, or export FAILOVER_ACTOR=<your name> once",
    });
  const event: Record<string, unknown> = { action: spec.action, actor: actor || "-" };
  if (flags.reason !== undefined) event.reason = flags.reason;
  const ttl = flags.ttl;
  if (ttl !== undefined) event.ttlSeconds = collect(() => parseDuration(ttl));
  // One id per command: the function applies it once however often it is delivered (retries, the other region).
  if (spec.lease) event.requestId = randomUUID();
  if (spec.positional === "target" && argument !== undefined) event.target = argument;
  if (spec.positional === "weights") event.weights = collect(() => parseWeightsArgument(argument ?? ""));
  for (const key of ["ttlSeconds", "weights"]) if (event[key] === undefined) delete event[key];
  // The manual function runs only in the control regions, and with --direct that region's CloudWatch holds the probe window.
  if (flags.region !== undefined && !config.controlRegions.includes(flags.region)) {
    issues.push({
      path: "--region",
      message: `expected one of the control regions ${config.controlRegions.map((r) => JSON.stringify(r)).join(", ")}, got ${JSON.stringify(flags.region)}`,
    });
  }
  const checked = collect(
    () => parseManualEvent(event, config),
    (issue) => ({ path: renameField(issue.path), message: issue.message }),
  );
  if (checked === undefined || issues.length > 0) throw argumentsError(issues);
  return { event, checked, actor };
}

/** The flags `spec` accepts: --reason and --yes only for changes, --ttl only with a lease, as its --help says. */
function flagsOf(spec: ManualCommandSpec): typeof commonFlags {
  const { reason, ttl, yes, ...always } = commonFlags;
  return {
    ...always,
    ...(spec.changes ? { yes } : {}),
    ...(spec.changes && spec.action !== "init" ? { reason } : {}),
    ...(spec.lease ? { ttl } : {}),
  } as typeof commonFlags;
}

/** Asks before a change; true to go on, else the exit code (1: declined). Without a terminal it throws CONFIRMATION_REQUIRED (exit 2). */
async function confirm(
  event: ManualEvent,
  config: FailoverConfig,
  io: CliIO,
  readStatus: () => Promise<ManualResponse>,
): Promise<true | number> {
  if (!io.isTTY || io.stdin === undefined) {
    throw new FailoverError(
      "CONFIRMATION_REQUIRED",
      "refusing to change traffic without a confirmation, and there is no terminal to ask on; nothing was changed.",
      { hint: "Pass --yes to confirm (e.g. in scripts)." },
    );
  }
  // init's plan was printed already (and a zone with a simple record has no status to read).
  const status = event.action === "init" ? undefined : await readStatus().catch(() => undefined);
  const now = status?.ok && status.action === "status" ? status : undefined;
  const lines = [`About to ${describeIntent(event, config)}.`];
  if (now)
    lines.push(
      `Now: ${Object.entries(now.weights)
        .map(([id, w]) => `${id}=${w}`)
        .join(
          " ",
        )}; lease: ${now.lease ? `${now.lease.action} ${now.lease.target ?? ""} by ${now.lease.actor}${now.lease.active ? "" : " (expired)"}` : "none"}.`,
    );
  else if (event.action !== "init") lines.push("(Could not read the current state first.)");
  const replacing = event.action === "promote" || event.action === "drain" || event.action === "pin";
  if (replacing && now?.lease?.active)
    lines.push(
      `This REPLACES the active lease ${now.lease.id} (${now.lease.action} ${now.lease.target ?? ""} by ${now.lease.actor}: "${now.lease.reason}", ${formatDuration(now.lease.expiresInSeconds)} left).`,
    );
  io.stderr(`${lines.join("\n")}\nProceed? [y/N] `);
  const answer = await readLine(io.stdin as NodeJS.ReadableStream);
  if (/^y(es)?$/i.test(answer.trim())) return true;
  io.stderr("Aborted; nothing was changed.\n");
  return 1;
}

function describeIntent(event: ManualEvent, config: FailoverConfig): string {
  const ttl = formatDuration(event.ttlSeconds ?? config.lease.defaultTtlSeconds);
  const lease =
    event.action === "promote" || event.action === "drain" || event.action === "pin"
      ? {
          id: "-",
          action: event.action,
          ...(event.target ? { target: event.target } : {}),
          ...(event.weights ? { weights: event.weights } : {}),
          actor: event.actor,
          reason: event.reason ?? "",
          createdAt: 0,
          expiresAt: 1,
        }
      : undefined;
  const weights = lease ? leaseWeights(config, lease) : undefined;
  const to = weights
    ? ` (weights ${Object.entries(weights)
        .map(([id, w]) => `${id}=${w}`)
        .join(" ")})`
    : "";
  switch (event.action) {
    case "promote":
      return `send all traffic to ${event.target}${to} for ${ttl}, overriding the automatic policy`;
    case "drain":
      return `take ${event.target} out of service${to} for ${ttl}, overriding the automatic policy`;
    case "pin":
      return `pin the weights${to} for ${ttl}, overriding the automatic policy`;
    case "release":
      return "end the override lease (and any flap hold) and let the automatic policy decide the weights now";
    case "release-hold":
      return `release ${event.target}'s flap hold (it comes back through recovery and the ramp)`;
    case "practice-start":
      return `ask the deciders to start a practice run (a bounded drain of ${event.target ?? "the schedule's next target"}) at their next round, if its pre-checks pass`;
    case "practice-cancel":
      return "ask the deciders to end the practice run in progress at their next round (INTERRUPTED)";
    default:
      return `apply the plan above: the weighted records ${config.records.map((r) => r.name).join(", ")} with the config's weights`;
  }
}

function readLine(stdin: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve) => {
    const reader = createInterface({ input: stdin });
    let done = false;
    const finish = (line: string) => {
      if (done) return;
      done = true;
      reader.close();
      resolve(line);
    };
    reader.once("line", finish);
    reader.once("close", () => finish(""));
  });
}

/** `primary=50,failover=50` -> weights; the function checks targets, range and zeros. */
function parseWeightsArgument(text: string): Weights {
  const weights = parseWeightPairs(text);
  if (weights === undefined)
    throw argumentsError([{ path: "<weights>", message: `expected ${weightPairsForm}, got "${text}"` }]);
  return weights;
}

function renameField(path: string): string {
  const [head = "", ...rest] = path.split(".");
  const flag = flagOf[head];
  return flag === undefined ? path : [flag, ...rest].join(".");
}

function errorText(action: string, response: Extract<ManualResponse, { ok: false }>): string {
  const { error } = response;
  const issues = error.issues?.map((issue) => `  ${renameField(issue.path)}: ${issue.message}`) ?? [];
  const headline = issues.length > 0 ? `invalid ${action} request:` : error.message;
  return `${[`failover ${action}: ${headline}`, ...issues, ...(error.hint ? [error.hint] : [])].join("\n")}\n`;
}

function argumentsError(issues: ValidationIssue[]): ValidationError {
  return new ValidationError("arguments", issues, { hint: "See --help for usage." });
}

function usageOf(spec: ManualCommandSpec): string {
  const positional = spec.positional
    ? spec.positionalOptional
      ? ` [<${spec.positional}>]`
      : ` <${spec.positional}>`
    : "";
  const reason = spec.changes && spec.action !== "init";
  const changeFlags = spec.changes
    ? `${reason ? " --reason <text>" : ""}${spec.lease ? " [--ttl <duration>]" : ""} [-y|--yes]`
    : "";
  const options = [
    ...(reason ? ["  --reason <text>      why (required): kept in the lease, the state record and Slack"] : []),
    ...(spec.lease
      ? [
          "  --ttl <duration>     how long the override holds: 600, 90s, 10m, 1.5h, 1h30m, 1d (default: lease.defaultTtlSeconds; at most lease.maxTtlSeconds)",
        ]
      : []),
    ...(spec.changes ? ["  -y, --yes            do not ask for confirmation (required without a terminal)"] : []),
    "  --actor <name>       who you are (default: $FAILOVER_ACTOR, else $USER)",
    "  --config <file>      config file (default: $FAILOVER_CONFIG_FILE, else failover.config.json)",
    "  --direct             run the manual logic here against the AWS APIs of the environment (AWS_ENDPOINT_URL for the emulator) instead of invoking the deployed function",
    "  --function <name>    deployed function (default: <config name>-<stage>-failover)",
    "  --stage <name>       SST stage of the deployment (default: $FAILOVER_STAGE, else production)",
    "  --region <region>    control region to use (default: the first control region, then the other if it does not answer)",
    "  --json               print the answer as JSON",
    "  --verbose            with --direct: the function's JSON logs on stderr",
    ...(spec.action === "init" || spec.action === "verify" || spec.action === "status"
      ? [
          "  with --direct, FAILOVER_SIGNAL_ENDPOINTS (the deploy's signalEndpoints output, JSON) names each control region's signal endpoint",
        ]
      : []),
    "  -h, --help           show this help",
  ];
  return `Usage: failover ${spec.command ?? spec.action}${positional}${changeFlags} [options]

${spec.description}

Options:
${options.join("\n")}

Exit codes: 0 done, 1 the operation failed or was declined, 2 bad input (nothing changed).

Examples:
${spec.examples.map((e) => `  ${e}`).join("\n")}
`;
}
