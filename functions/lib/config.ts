import { readFileSync } from "node:fs";
import { normalizeDnsName } from "./dns-name.ts";
import { isIPv4, isIPv6 } from "node:net";
import * as z from "zod";
import { FailoverError, ValidationError } from "./errors.ts";
import { parseWindow } from "./practice-window.ts";
import { forbiddenKeyIssue, parseWith } from "./validate.ts";

/**
 * The one configuration of a regional-failover deployment.
 *
 * Validated once, at the boundary (CLI, Lambda cold start, replay, drill,
 * stacks). Every consumer receives a {@link FailoverConfig} with defaults
 * filled in; nothing downstream re-validates.
 */

const awsRegionPattern = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;
const awsRegionError = "expected an AWS region name such as us-east-1";
/** Cloud providers a target may run on; only `aws` region names are checked. */
export const targetProviders = ["aws", "gcp", "azure", "other"] as const;

/** The field types the config schemas share. */
function fieldSchemas() {
  const intBetween = (min: number, max: number) => {
    const error = `expected an integer from ${min} to ${max}`;
    return z.int({ error }).min(min, { error }).max(max, { error });
  };

  const region = z.string().regex(awsRegionPattern, { error: awsRegionError });
  const dnsName = z
    .string()
    .regex(/^(?=.{1,253}\.?$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}\.?$/i, {
      error: "expected a DNS name such as api.example.com",
    })
    .transform(normalizeDnsName);
  const id = z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, {
    error: "expected a lowercase id of letters, digits and dashes (at most 32), starting with a letter",
  });
  const httpUrl = z.url({ protocol: /^https?$/, error: "expected an http:// or https:// URL" });
  return { intBetween, region, dnsName, id, httpUrl };
}

type FieldSchemas = ReturnType<typeof fieldSchemas>;

/** Record names and what each target answers for them. */
function recordSchemas({ intBetween, dnsName }: FieldSchemas) {
  /** How a target answers for one record name: plain values, or an alias to an AWS resource. */
  const recordValue = z.union([
    z.strictObject({
      /** Record values: IP addresses for A/AAAA, one host name for CNAME. */
      values: z.array(z.string().min(1)).min(1).max(100),
    }),
    z.strictObject({
      /** Alias target (load balancer, CloudFront, API Gateway...). */
      alias: z.strictObject({
        dnsName,
        hostedZoneId: z
          .string()
          .regex(/^[A-Z0-9]{1,32}$/, { error: "expected a hosted zone id such as Z35SXDOTRQ7X7K" }),
        /** @default false */
        evaluateTargetHealth: z.boolean().default(false),
      }),
    }),
  ]);

  const recordSchema = z.strictObject({
    /** The name clients resolve, e.g. `api.example.com`. */
    name: dnsName,
    /** @default "A" */
    type: z.enum(["A", "AAAA", "CNAME"]).default("A"),
    /** TTL of value records in seconds; alias records use the target's TTL. 60-120 s is Route 53's advice for failover. @default 60 */
    ttl: intBetween(1, 86400).default(60),
  });

  return { recordValue, recordSchema };
}

function targetSchema(
  { intBetween, id, httpUrl }: FieldSchemas,
  recordValue: ReturnType<typeof recordSchemas>["recordValue"],
) {
  return z.strictObject({
    /** Stable id, also the record's SetIdentifier, e.g. `primary`. */
    id,
    /** Where the target runs: `aws`, `gcp`, `azure` or `other` (Route 53 bills its own checks of non-AWS endpoints at a higher rate). @default "aws" */
    provider: z.enum(targetProviders).default("aws"),
    /** Region the target runs in, as its provider names it (`us-east-1`, `us-central1`, `westeurope`; an AWS region name when `provider` is `aws`). Informational: messages and cost. */
    region: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$/, {
      error: "expected a region name of letters, digits, dots, dashes or spaces (at most 64)",
    }),
    /** URL the probes check. */
    healthUrl: httpUrl,
    /** Normal weight, 0-255 as in Route 53. A 0 target takes traffic only when every other target is drained. */
    weight: intBetween(0, 255),
    /** What this target answers for each record name in `records`, keyed by record name. */
    records: z.record(z.string(), recordValue),
    /**
     * Probes accept any certificate of this target (expired, self-signed, another name) instead of failing the check
     * with `tls`. Clients would fail on such a certificate, so turn it off only for a reason you state here (e.g. the
     * health endpoint is a private listener with an internal CA the probes cannot hold).
     * @default unset: certificates are verified
     */
    skipCertificateCheck: z
      .strictObject({
        reason: z.string().trim().min(1, { error: "expected why certificates are not checked" }).max(200),
      })
      .optional(),
  });
}

function probeSchema({ intBetween, httpUrl }: FieldSchemas) {
  return z.strictObject({
    /** Seconds between rounds; rounds align to wall-clock multiples so every vantage's round N is the same moment. Must divide 60. @default 10 */
    intervalSeconds: intBetween(5, 60).default(10),
    /** Per-check timeout in milliseconds (connect + status + the body read the match needs). @default 4000 */
    timeoutMs: intBetween(100, 30000).default(4000),
    /** HTTP statuses that count as healthy. @default [200] */
    expectedStatuses: z.array(intBetween(100, 599)).min(1).default([200]),
    /** Text the body must contain within its first `bodyMatchBytes`; unset means the body is not read. */
    bodyMatch: z.string().min(1).max(1024).optional(),
    /** How much of the body is searched for `bodyMatch`. @default 5120 (as Route 53) */
    bodyMatchBytes: intBetween(1, 1048576).default(5120),
    /** A check slower than this counts as failed (gray failure). Unset: latency never fails a check. */
    maxLatencyMs: intBetween(1, 30000).optional(),
    /** Known-good URL each vantage must reach for its round to vote: a vantage cut off from the internet is discounted, not counted as a vote. */
    canaryUrl: httpUrl.optional(),
    /** Extra request headers (e.g. to pass a WAF): names are HTTP tokens, values have no line breaks or control characters. */
    headers: z.record(z.string(), z.string()).default({}),
    /**
     * A failed check is checked again this many milliseconds after it started
     * (or as soon as it failed, if later), with the time left before a second
     * before the round's slot ends, up to `timeoutMs` and no less than half of
     * it (or `maxLatencyMs`); the vote is down only when both fail, so a blip
     * or a lost packet shorter than this is not a vote, and a down vote is
     * already confirmed. 0 turns re-checks off. @default 2000
     */
    recheckAfterMs: intBetween(0, 30000).default(2000),
    /** Checks in flight at once per round. @default 64 */
    concurrency: intBetween(1, 1024).default(64),
    /** Seconds of each one-minute invocation spent running rounds; the rest is slack for the last publish. @default 55 */
    budgetSeconds: intBetween(5, 840).default(55),
    /**
     * Publish `ProbeLatency` (target × vantage) as a CloudWatch metric, for graphs and alarms of your own; the
     * decider and the built-in alarms do not read it. Off by default: each target × vantage is a custom metric in
     * every control region ($0.30 a month each, $3.60 for the example config), and every round's log line carries
     * the same latencies (`latencyMs`, queryable with CloudWatch Logs Insights). @default false
     */
    publishLatency: z.boolean().default(false),
  });
}

function policySchema({ intBetween }: FieldSchemas) {
  return z.strictObject({
    /** A round with fewer voting vantages than this is unknown for every target; unknown never moves traffic. @default 2 */
    minVantages: intBetween(1, 64).default(2),
    /** Votes needed for a verdict: `majority` of the voting vantages, or a fixed count. @default "majority" */
    quorum: z.union([z.literal("majority"), intBetween(1, 64)]).default("majority"),
    /** Consecutive down rounds before a target is drained (fail fast); one more when the latest round is not unanimous (a vantage voted up or is silent). Each down vote is already re-checked (`probe.recheckAfterMs`). @default 1 */
    drainAfterRounds: intBetween(1, 60).default(1),
    /** Rounds a vantage must see a target down while every other voter sees it up before its votes on that target are set aside (a suspect checker, alarmed) until it agrees again. @default 3 */
    suspectAfterRounds: intBetween(1, 60).default(3),
    /** Seconds a drained target must be up, without a down round, before the ramp back starts (fail back slow). @default 180 */
    recoverAfterSeconds: intBetween(0, 86400).default(180),
    /** Ramp steps back to normal, as percentages of the normal weight; the last must be 100. @default [10, 25, 50, 100] */
    rampPercents: z.array(intBetween(1, 100)).min(1).max(10).default([10, 25, 50, 100]),
    /** Seconds each ramp step is held, while the target stays up, before the next. @default 60 */
    rampStepSeconds: intBetween(0, 86400).default(60),
    /** Flap budget: after `maxDrains` drains of a target within `windowSeconds`, keep it drained until a person releases it. */
    flapBudget: z
      .strictObject({
        /** @default 3 */
        maxDrains: intBetween(1, 100).default(3),
        /** @default 3600 */
        windowSeconds: intBetween(60, 604800).default(3600),
      })
      .default({ maxDrains: 3, windowSeconds: 3600 }),
  });
}

function leaseSchema({ intBetween }: FieldSchemas) {
  return z.strictObject({
    /** Override lease duration when the operator gives none. @default 3600 */
    defaultTtlSeconds: intBetween(60, 604800).default(3600),
    /** Longest lease an operator may take. @default 86400 */
    maxTtlSeconds: intBetween(60, 604800).default(86400),
  });
}

/** The Slack app on-call acts through (`/failover`, functions/slack-command.ts); absent: no Slack command. */
function slackSchema({ httpUrl }: FieldSchemas) {
  return z.strictObject({
    /** The workspace (team) id requests must come from, e.g. `T0123ABCD`; any other team is refused. */
    teamId: z.string().regex(/^T[A-Z0-9]{2,31}$/, { error: "expected a Slack team id such as T0123ABCD" }),
    /** The slash command's name, as in the app manifest. @default "/failover" */
    command: z
      .string()
      .regex(/^\/[a-z0-9_-]{1,31}$/, { error: 'expected a slash command such as "/failover"' })
      .default("/failover"),
    /** Base URL of the Slack Web API (`views.open`); tests point it at a local stand-in. @default "https://slack.com/api" */
    apiUrl: httpUrl.default("https://slack.com/api"),
  });
}

/**
 * Practice runs (README "Practice runs"): a scheduled, bounded drain of one target in production, the
 * lowest-precedence lease, judged by outcome alarms. Absent: no practice runs.
 */
function practiceSchema({ intBetween, id, region }: FieldSchemas) {
  const alarm = z.strictObject({
    /** The CloudWatch alarm's name. */
    name: z.string().regex(/^\P{Cc}{1,255}$/u, {
      error: "expected a CloudWatch alarm name (1-255 characters, no control characters)",
    }),
    /** The region the alarm is in. */
    region,
  });
  return z.strictObject({
    /** How often a run is scheduled: once per UTC day, or once per week (weeks start Monday 00:00 UTC). @default "week" */
    every: z.enum(["day", "week"]).default("week"),
    /** How long a run lasts, in minutes (ARC's are 30). @default 30 */
    durationMinutes: intBetween(5, 720).default(30),
    /** Share of the target's weight a run moves to the others: 100 is a full drain, 50 a partial shift. @default 100 */
    shiftPercent: intBetween(1, 100).default(100),
    /** Target ids a scheduled run drains, in turn (slot by slot). */
    targets: z.array(id).min(1).max(50),
    /**
     * UTC windows a scheduled run must fit in whole, `MON:09:00-MON:17:00`; an overnight window names the next day,
     * `FRI:22:00-SAT:02:00`. @default [] (any time)
     */
    allowedWindows: z.array(z.string()).max(50).default([]),
    /** UTC dates no scheduled run may touch, `2026-12-25`. @default [] */
    blockedDates: z
      .array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { error: "expected a UTC date such as 2026-12-25" }))
      .max(366)
      .default([]),
    /** Alarms that refuse a start and end a run (INTERRUPTED) while in ALARM. @default [] */
    blockingAlarms: z.array(alarm).max(10).default([]),
    /** Alarms that judge a run: one in ALARM ends it as FAILED; OK throughout is SUCCEEDED. At least one. */
    outcomeAlarms: z.array(alarm).min(1).max(10),
  });
}

/** Every field optional and without its default: what a profile may override (unset = keep the config's value). */
function overridesOf<T extends z.ZodRawShape>(schema: z.ZodObject<T>) {
  const fields = Object.fromEntries(
    Object.entries(schema.shape).map(([key, field]) => [
      key,
      (field instanceof z.ZodDefault ? (field.unwrap() as z.ZodType) : (field as z.ZodType)).optional(),
    ]),
  );
  return z.strictObject(fields);
}

/**
 * Builds the config schemas. Called once, on first use ({@link configSchemas}): building
 * them at import took a measurable share of every handler's cold import (bench/bundle.bench.ts).
 */
function buildConfigSchemas() {
  const fields = fieldSchemas();
  const { region, id, dnsName } = fields;
  const { recordValue, recordSchema } = recordSchemas(fields);
  const probe = probeSchema(fields);
  const policy = policySchema(fields);
  const lease = leaseSchema(fields);
  const slack = slackSchema(fields);
  const practice = practiceSchema(fields);
  /**
   * A named set of overrides, applied over the config before validation
   * (objects merge key by key, arrays replace). Only the fields that set the
   * price and the detection speed can be overridden.
   */
  const profileSchema = z.strictObject({
    vantages: z.array(region).min(1).max(32).optional(),
    controlRegions: z.array(region).min(1).max(2).optional(),
    probe: overridesOf(probe).optional(),
    policy: overridesOf(policy).optional(),
  });

  const configSchema = z
    .strictObject({
      /** Deployment name, used in resource names and messages. @default "regional-failover" */
      name: id.default("regional-failover"),
      /** CloudWatch namespace for every metric this system publishes. @default "RegionalFailover" */
      metricNamespace: z
        .string()
        .regex(/^[A-Za-z0-9._/#:-]{1,255}$/, {
          error: "expected 1-255 letters, digits and . _ / # : - (a CloudWatch namespace)",
        })
        .refine((namespace) => !/^AWS\//i.test(namespace), {
          error: 'expected a namespace not starting with "AWS/" (CloudWatch reserves it for AWS services)',
        })
        .default("RegionalFailover"),
      /**
       * Publish `TargetWeight` (each target's weight, once a minute, from each decider to its own region) for graphs
       * of your own; no alarm or part of ours reads it. Off by default: each target is a custom metric in every
       * control region ($0.30 a month each, $1.20 for the example config); the weights are in Route 53, `failover
       * status`, each decider round's log line (`from`, `to`) and every change in the `Switchover` series. @default false
       */
      publishWeights: z.boolean().default(false),
      /** The public hosted zone holding the weighted records. */
      hostedZone: z.strictObject({
        id: z.string().regex(/^[A-Z0-9]{1,32}$/, { error: "expected a hosted zone id such as Z0123456789ABCDEFGHIJ" }),
        name: dnsName,
      }),
      /** Weighted record names, each with one record per target. */
      records: z.array(recordSchema).min(1).max(20),
      /** Application regions traffic is shifted between. */
      targets: z.array(targetSchema(fields, recordValue)).min(2).max(50),
      /** Regions the probes run in. Three or more lets a majority outvote one partitioned vantage. */
      vantages: z.array(region).min(1).max(32),
      /**
       * Regions the deciders (and manual failover function, alarms, notifier) run in. Two, so losing one never blinds the
       * system. A control region may also host a target only when there are two: the region's outage then leaves the
       * other decider to drain it. A single control region in a target's region would go down with that target.
       */
      controlRegions: z.array(region).min(1).max(2),
      probe: probe.default(probe.parse({})),
      policy: policy.default(policy.parse({})),
      lease: lease.default(lease.parse({})),
      /** The Slack command `/failover` (team id, command, API URL); unset: the Slack command function is not deployed. */
      slack: slack.optional(),
      /** Scheduled practice runs (a bounded drain judged by alarms); unset: none. */
      practice: practice.optional(),
      /** Deciders log and publish what they would do without writing. @default false */
      dryRun: z.boolean().default(false),
      /** Profile in effect: `default`, `economy` (built in, see {@link builtinProfiles}) or a name in `profiles`. Its overrides are applied over this file. @default "default" */
      profile: id.default("default"),
      /** Your own profiles: name -> overrides of `vantages`, `controlRegions`, `probe.*`, `policy.*`. A name here replaces a built-in one. @default {} */
      profiles: z.record(id, profileSchema).default({}),
    })
    .superRefine((config, ctx) => {
      const fail: Fail = (path, message) => ctx.addIssue({ code: "custom", path, message, input: undefined });
      checkNamesAndTargets(config, fail);
      checkProbeAndPolicy(config, fail);
      checkValuesAndRegions(config, fail);
      checkPractice(config, fail);
    });
  return { configSchema, profileSchema };
}

let builtSchemas: ReturnType<typeof buildConfigSchemas> | undefined;

/** The config schemas, built on first use. */
function configSchemas(): ReturnType<typeof buildConfigSchemas> {
  builtSchemas ??= buildConfigSchemas();
  return builtSchemas;
}

type ConfigSchemas = ReturnType<typeof buildConfigSchemas>;
export type ProfileOverrides = z.output<ConfigSchemas["profileSchema"]>;

/** Adds a config issue at `path`. */
type Fail = (path: PropertyKey[], message: string) => void;

/** Ids, names and regions are unique; records sit in the zone; every target answers every record. */
function checkNamesAndTargets(config: FailoverConfig, fail: Fail): void {
  const dupes = (values: string[]) => values.filter((v, i) => values.indexOf(v) !== i);
  for (const dup of new Set(dupes(config.targets.map((t) => t.id))))
    fail(["targets"], `target id "${dup}" appears more than once`);
  for (const dup of new Set(dupes(config.records.map((r) => r.name))))
    fail(["records"], `record name "${dup}" appears more than once`);
  for (const dup of new Set(dupes(config.vantages))) fail(["vantages"], `vantage "${dup}" appears more than once`);
  for (const dup of new Set(dupes(config.controlRegions)))
    fail(["controlRegions"], `control region "${dup}" appears more than once`);
  if (config.targets.every((t) => t.weight === 0))
    fail(["targets"], "expected at least one target with a weight above 0");
  for (const [index, record] of config.records.entries()) {
    if (record.name !== config.hostedZone.name && !record.name.endsWith(`.${config.hostedZone.name}`)) {
      fail(
        ["records", index, "name"],
        `expected a name inside the hosted zone ${config.hostedZone.name}, got "${record.name}"`,
      );
    }
  }
  const recordNames = new Set(config.records.map((r) => r.name));
  for (const [index, target] of config.targets.entries()) {
    if (target.provider === "aws" && !awsRegionPattern.test(target.region))
      fail(
        ["targets", index, "region"],
        `${awsRegionError} (or set targets[${index}].provider to gcp, azure or other), got "${target.region}"`,
      );
    for (const name of config.records.map((r) => r.name)) {
      if (!(name in target.records))
        fail(["targets", index, "records"], `expected a value or alias for record "${name}"`);
    }
    for (const name of Object.keys(target.records)) {
      if (!recordNames.has(normalizeDnsName(name)))
        fail(["targets", index, "records", name], "expected a record name listed in records");
    }
  }
}

/** Probe timing and headers, ramp steps and quorum fit together. */
function checkProbeAndPolicy(config: FailoverConfig, fail: Fail): void {
  if (60 % config.probe.intervalSeconds !== 0)
    fail(
      ["probe", "intervalSeconds"],
      `expected a divisor of 60 (5, 6, 10, 12, 15, 20, 30 or 60), got ${config.probe.intervalSeconds}`,
    );
  if (config.probe.timeoutMs >= config.probe.intervalSeconds * 1000)
    fail(
      ["probe", "timeoutMs"],
      `expected less than the interval (${config.probe.intervalSeconds * 1000} ms), got ${config.probe.timeoutMs}`,
    );
  if (config.policy.rampPercents.at(-1) !== 100) fail(["policy", "rampPercents"], "expected the last step to be 100");
  if (config.policy.rampPercents.some((p, i, all) => i > 0 && p <= (all[i - 1] ?? 0)))
    fail(["policy", "rampPercents"], "expected strictly increasing steps");
  if (typeof config.policy.quorum === "number" && config.policy.quorum > config.vantages.length)
    fail(
      ["policy", "quorum"],
      `expected at most the number of vantages (${config.vantages.length}), got ${config.policy.quorum}`,
    );
  if (config.policy.minVantages > config.vantages.length)
    fail(
      ["policy", "minVantages"],
      `expected at most the number of vantages (${config.vantages.length}), got ${config.policy.minVantages}`,
    );
  if (config.probe.maxLatencyMs !== undefined && config.probe.maxLatencyMs >= config.probe.timeoutMs)
    fail(
      ["probe", "maxLatencyMs"],
      `expected less than probe.timeoutMs (${config.probe.timeoutMs}); a slower check times out first, so the limit would never apply; got ${config.probe.maxLatencyMs}`,
    );
  for (const [name, value] of Object.entries(config.probe.headers)) {
    if (!headerName.test(name))
      fail(["probe", "headers", name], "expected a header name of letters, digits and !#$%&'*+.^_`|~- only");
    // The value is never echoed: headers often carry tokens.
    if (!headerValue.test(value))
      fail(["probe", "headers", name], "expected a header value without line breaks or control characters");
  }
}

/** Record values match their type; a lone control region or vantage is not in a target's region; lease TTLs are ordered. */
function checkValuesAndRegions(config: FailoverConfig, fail: Fail): void {
  for (const [index, target] of config.targets.entries()) {
    for (const [name, value] of Object.entries(target.records)) {
      const record = config.records.find((r) => r.name === normalizeDnsName(name));
      if (record === undefined || !("values" in value)) continue;
      const path = ["targets", index, "records", name, "values"];
      if (record.type === "CNAME" && value.values.length !== 1)
        fail(path, `expected exactly one host name for the CNAME record, got ${value.values.length}`);
      for (const [i, v] of value.values.entries()) {
        const valid = record.type === "A" ? isIPv4(v) : record.type === "AAAA" ? isIPv6(v) : hostName.test(v);
        if (!valid)
          fail(
            [...path, i],
            `expected ${valueKinds[record.type]} (record ${name} is ${record.type}), got ${JSON.stringify(v)}`,
          );
      }
    }
  }
  const targetRegions = new Set(config.targets.filter((t) => t.provider === "aws").map((t) => t.region));
  const [onlyControl] = config.controlRegions;
  if (config.controlRegions.length === 1 && onlyControl !== undefined && targetRegions.has(onlyControl))
    fail(
      ["controlRegions", 0],
      `expected a region without a target, or a second control region: the only decider would go down with the target in ${onlyControl}`,
    );
  const [onlyVantage] = config.vantages;
  if (config.vantages.length === 1 && onlyVantage !== undefined && targetRegions.has(onlyVantage))
    fail(
      ["vantages", 0],
      `expected a vantage outside the targets' regions, or more vantages: the only vantage cannot tell an outage of ${onlyVantage} from a failure of the target there, and goes silent with it (no vote: nothing fails over)`,
    );
  if (config.lease.defaultTtlSeconds > config.lease.maxTtlSeconds)
    fail(
      ["lease", "defaultTtlSeconds"],
      `expected at most lease.maxTtlSeconds (${config.lease.maxTtlSeconds}), got ${config.lease.defaultTtlSeconds}`,
    );
}

/** Practice targets exist, windows parse and hold a whole run, blocked dates are dates. */
function checkPractice(config: FailoverConfig, fail: Fail): void {
  const practice = config.practice;
  if (practice === undefined) return;
  const ids = new Set(config.targets.map((t) => t.id));
  for (const [index, target] of practice.targets.entries())
    if (!ids.has(target))
      fail(["practice", "targets", index], `expected a target id (${[...ids].join(", ")}), got "${target}"`);
  for (const [index, text] of practice.allowedWindows.entries()) {
    const window = parseWindow(text);
    if (typeof window === "string") fail(["practice", "allowedWindows", index], window);
    else if (window.end - window.start < practice.durationMinutes)
      fail(
        ["practice", "allowedWindows", index],
        `expected a window at least practice.durationMinutes (${practice.durationMinutes} min) long: a run must fit in it, got ${text}`,
      );
  }
  for (const [index, date] of practice.blockedDates.entries()) {
    const parsed = new Date(`${date}T00:00:00Z`);
    if (Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== date)
      fail(["practice", "blockedDates", index], `expected a real UTC date such as 2026-12-25, got "${date}"`);
  }
}

/** RFC 9110 token: what Node accepts as a header name. */
const headerName = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** What Node accepts as a header value: no CR, LF, NUL or other control character but tab. */
const headerValue = /^[\t\x20-\x7e\x80-\xff]*$/;
const hostName = /^(?=.{1,253}\.?$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.?$/i;
const valueKinds = { A: "an IPv4 address", AAAA: "an IPv6 address", CNAME: "a host name" } as const;

/** A validated configuration with every default filled in. */
export type FailoverConfig = z.output<ConfigSchemas["configSchema"]>;
/** What a user writes: defaults may be left out. */
export type FailoverConfigInput = z.input<ConfigSchemas["configSchema"]>;
export type TargetConfig = FailoverConfig["targets"][number];
export type RecordConfig = FailoverConfig["records"][number];
export type RecordValue = TargetConfig["records"][string];
export type ProbeSettings = FailoverConfig["probe"];
export type PolicySettings = FailoverConfig["policy"];
export type PracticeSettings = NonNullable<FailoverConfig["practice"]>;
export type PracticeAlarm = PracticeSettings["outcomeAlarms"][number];

/** A profile shipped with the project: its overrides are computed from the validated config it applies to. */
export interface BuiltinProfile {
  /** What it trades, for `failover cost` and the README. */
  description: string;
  overrides: (config: FailoverConfig) => ProfileOverrides;
}

/**
 * The built-in profiles. `default` is the config as written (10 s rounds,
 * two control regions). `economy` trades detection time and redundancy for
 * price: one round a minute (each probe invocation runs one round instead
 * of idling between six), one control region (the first), no latency
 * metric, and two vantages (each costs about $1.30 a month in votes
 * published, read and alarmed on), preferring vantages outside the
 * targets' regions so one region's outage does not silence a voter along
 * with its target; `minVantages` 1 so the survivor still decides alone.
 */
export const builtinProfiles: Record<string, BuiltinProfile> = {
  default: { description: "the config as written", overrides: () => ({}) },
  economy: {
    description:
      "60 s rounds, the first control region only, no ProbeLatency metric, two vantages (either may decide alone)",
    overrides: (config) => {
      const targetRegions = new Set(config.targets.filter((t) => t.provider === "aws").map((t) => t.region));
      const preferred = [...config.vantages]
        .sort((a, b) => Number(targetRegions.has(a)) - Number(targetRegions.has(b)))
        .slice(0, 2);
      const vantages = config.vantages.filter((v) => preferred.includes(v));
      const quorum =
        typeof config.policy.quorum === "number"
          ? Math.min(config.policy.quorum, vantages.length)
          : config.policy.quorum;
      return {
        probe: { intervalSeconds: 60, publishLatency: false },
        controlRegions: config.controlRegions.slice(0, 1),
        vantages,
        policy: { minVantages: 1, quorum },
      };
    },
  },
};

/** Names of every profile a config can select: the built-in ones, then its own. */
export function profileNames(config: FailoverConfig): string[] {
  return [...new Set([...Object.keys(builtinProfiles), ...Object.keys(config.profiles)])];
}

/**
 * Validates a parsed config object and applies the profile it selects.
 * Throws {@link ValidationError} listing every bad field (a field made bad
 * by the profile is reported as `config (profile "x")`).
 */
export function parseConfig(input: unknown): FailoverConfig {
  const base = parseWith(configSchemas().configSchema, input, "config");
  const own = base.profiles[base.profile];
  const builtin = builtinProfiles[base.profile];
  if (own === undefined && builtin === undefined) {
    throw new ValidationError("config", [
      {
        path: "profile",
        message: `expected one of ${profileNames(base)
          .map((n) => JSON.stringify(n))
          .join(", ")}, got ${JSON.stringify(base.profile)}`,
      },
    ]);
  }
  const overrides = own ?? builtin?.overrides(base) ?? {};
  if (Object.keys(overrides).length === 0) return base;
  return parseWith(configSchemas().configSchema, mergeConfig(input, overrides), `config (profile "${base.profile}")`);
}

/** The config `input` (raw, as read from the file) would give with `profile` selected instead of its own. */
export function parseConfigWithProfile(input: unknown, profile: string): FailoverConfig {
  const raw = isPlainObject(input) ? input : {};
  return parseConfig({ ...raw, profile });
}

/** Path of the example config shipped with the project. */
export const exampleConfigPath = new URL("../../failover.config.json", import.meta.url);

/** Reads and validates a config file (JSON). Throws {@link FailoverError} / {@link ValidationError}, never a raw parse error. */
export function loadConfig(path: string | URL = exampleConfigPath): FailoverConfig {
  return parseConfig(readJsonFile(path, "config"));
}

/** Reads a JSON file, turning I/O and syntax errors into named errors. */
export function readJsonFile(path: string | URL, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const problem =
      code === "ENOENT"
        ? "no such file"
        : code === "EACCES"
          ? "permission denied"
          : code === "EISDIR"
            ? "it is a folder"
            : (code ?? "error");
    throw new FailoverError("FILE_UNREADABLE", `cannot read ${what} file ${String(path)}: ${problem}`, {
      cause,
      hint: `Check the path (relative paths start from ${process.cwd()}).`,
    });
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new ValidationError(
      `${what} file ${String(path)}`,
      [{ path: "(root)", message: `expected JSON: ${(cause as Error).message}` }],
      { cause },
    );
  }
}

/**
 * Applies partial overrides (as in a scenario's `config`) to a raw config
 * object: objects merge key by key, arrays and scalars replace.
 */
export function mergeConfig(base: unknown, overrides: unknown, path: PropertyKey[] = []): unknown {
  if (!isPlainObject(base) || !isPlainObject(overrides)) return overrides === undefined ? base : overrides;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    // Assigning `__proto__` would replace the merged object's prototype: its fields would be read yet never validated.
    if (key === "__proto__") throw new ValidationError("config", [forbiddenKeyIssue([...path, key])]);
    merged[key] = mergeConfig(base[key], value, [...path, key]);
  }
  return merged;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Resolves a target's value for one record name (config keys may differ in case or trailing dot). */
export function recordValueFor(target: TargetConfig, recordName: string): RecordValue {
  for (const [name, value] of Object.entries(target.records)) {
    if (normalizeDnsName(name) === recordName) return value;
  }
  throw new FailoverError("CONFIG_INVALID", `target ${target.id} has no value for record ${recordName}`);
}
