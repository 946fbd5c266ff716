import type { FailoverConfig } from "../functions/lib/config.ts";
import { signalParameterNames } from "../functions/lib/dataplane/signal-store.ts";
import { CANARY_ALARM_REGION, canaryAlarmName } from "../functions/lib/dataplane/canary-alarm.ts";
import { normalizeDnsName } from "../functions/lib/dns-name.ts";
import { leaseRecordName } from "../functions/lib/lease.ts";
import { auditParameterName } from "../functions/lib/audit-trail.ts";
import { practicePath } from "../functions/lib/practice-history.ts";
import { slackWebhookParameterName } from "../functions/lib/slack/webhook.ts";
import { slackTestParameterName } from "../functions/lib/slack/slack-test.ts";
import { slackParameterNames } from "../functions/lib/slack-command/secrets.ts";
import { stateRecordName } from "../functions/lib/state-document.ts";
import { voteTableName } from "../functions/lib/vote-items.ts";

/**
 * Least-privilege IAM statements for each function, as plain data (no SST
 * globals), so they can be unit-tested and reused by the infra checks.
 *
 * The only `"*"` resources are where AWS offers no resource type to scope
 * to (see {@link wildcardResourceExceptions}); every action is named.
 */
export interface PermissionStatement {
  actions: string[];
  resources: string[];
  conditions?: Array<{ test: string; variable: string; values: string[] }>;
}

/**
 * Actions that AWS only authorises on `Resource: "*"`, each with why. The
 * infra checks reject `"*"` on any other action.
 */
export const wildcardResourceExceptions: Readonly<Record<string, string>> = {
  "cloudwatch:PutMetricData":
    "PutMetricData has no resource type in IAM; it is narrowed by the cloudwatch:namespace condition instead.",
  "route53:ListHealthChecks":
    "ListHealthChecks has no resource type in IAM; it only reads health-check settings (the manual function's status and verify).",
};

/** AWS partition of a region: `aws`, `aws-us-gov` or `aws-cn`. */
export function partitionOf(region: string): string {
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  if (region.startsWith("cn-")) return "aws-cn";
  return "aws";
}

/** ARN of the configured hosted zone (Route 53 ARNs have no region or account). */
export function hostedZoneArn(config: FailoverConfig, region: string): string {
  return `arn:${partitionOf(region)}:route53:::hostedzone/${config.hostedZone.id}`;
}

/**
 * Every record name the deciders and the manual function may change, in the
 * normalised form the `route53:ChangeResourceRecordSetsNormalizedRecordNames`
 * condition compares against (lower case, no trailing dot): the weighted
 * records, and the lease and state TXT records beside the first one.
 */
export function managedRecordNames(config: FailoverConfig): string[] {
  const first = config.records[0]?.name ?? "";
  return [...config.records.map((record) => record.name), leaseRecordName(first), stateRecordName(first)].map(
    normalizeDnsName,
  );
}

/** Record types those changes may touch: the weighted records' types and TXT (lease, state). */
export function managedRecordTypes(config: FailoverConfig): string[] {
  return [...new Set([...config.records.map((record) => record.type), "TXT"])];
}

/**
 * Change actions the code sends: compare-and-swap is a DELETE of the exact
 * current record plus a CREATE of the new one (functions/lib/aws/route53.ts).
 * UPSERT is left out on purpose: it overwrites without comparing.
 */
export const managedChangeActions: readonly string[] = ["CREATE", "DELETE"];

/** PutMetricData, only into the project's namespace. */
export function putMetricsStatement(config: FailoverConfig): PermissionStatement {
  return {
    actions: ["cloudwatch:PutMetricData"],
    resources: ["*"],
    conditions: [{ test: "StringEquals", variable: "cloudwatch:namespace", values: [config.metricNamespace] }],
  };
}

/** Read the zone's record sets (weights, lease, state). */
export function readZoneStatement(config: FailoverConfig, region: string): PermissionStatement {
  return { actions: ["route53:ListResourceRecordSets"], resources: [hostedZoneArn(config, region)] };
}

/** The decider (and the manual failover function): read votes (its region's votes table), write weights/lease/state by CAS, publish its metrics. */
export function deciderPermissions(config: FailoverConfig, region: string): PermissionStatement[] {
  // ForAllValues: every name/type in the change batch must be one of ours
  // (a batch always has at least one change, so the empty-set case of
  // ForAllValues cannot apply).
  return [
    {
      actions: ["route53:ChangeResourceRecordSets"],
      resources: [hostedZoneArn(config, region)],
      conditions: [
        {
          test: "ForAllValues:StringEquals",
          variable: "route53:ChangeResourceRecordSetsNormalizedRecordNames",
          values: managedRecordNames(config),
        },
        {
          test: "ForAllValues:StringEquals",
          variable: "route53:ChangeResourceRecordSetsRecordTypes",
          values: managedRecordTypes(config),
        },
        {
          test: "ForAllValues:StringEquals",
          variable: "route53:ChangeResourceRecordSetsActions",
          values: [...managedChangeActions],
        },
      ],
    },
    readZoneStatement(config, region),
    { actions: ["route53:GetChange"], resources: [`arn:${partitionOf(region)}:route53:::change/*`] },
    putMetricsStatement(config),
    { actions: ["dynamodb:Query"], resources: [voteTableArn(config, region)] },
    ...practiceStatements(config),
  ];
}

/**
 * Practice runs (config `practice`): the deciders read the practice alarms' states (those alarms only) and
 * keep each run's record in every control region (functions/lib/practice-history.ts). None without practice runs.
 */
export function practiceStatements(config: FailoverConfig): PermissionStatement[] {
  const practice = config.practice;
  if (practice === undefined) return [];
  const alarms = [...practice.blockingAlarms, ...practice.outcomeAlarms].map(
    (alarm) => `arn:${partitionOf(alarm.region)}:cloudwatch:${alarm.region}:*:alarm:${alarm.name}`,
  );
  const records = config.controlRegions.map(
    (region) => `arn:${partitionOf(region)}:ssm:${region}:*:parameter${practicePath(config.name)}/*`,
  );
  return [
    { actions: ["cloudwatch:DescribeAlarms"], resources: [...new Set(alarms)] },
    { actions: ["ssm:GetParameter", "ssm:PutParameter"], resources: records },
  ];
}

/** The votes table in `region` (functions/lib/vote-items.ts voteTableName; same name in every control region). */
export function voteTableArn(config: FailoverConfig, region: string): string {
  return `arn:${partitionOf(region)}:dynamodb:${region}:*:table/${voteTableName(config)}`;
}

/**
 * A probe's votes: write (and read back, to tell a retried write's copy
 * from another writer's) only items whose partition key is its own vantage,
 * in every control region's table (dynamodb:LeadingKeys): a probe's role
 * cannot vote for another vantage.
 */
export function voteWriteStatements(config: FailoverConfig, vantage: string): PermissionStatement[] {
  return ["dynamodb:PutItem", "dynamodb:GetItem"].map((action) => ({
    actions: [action],
    resources: config.controlRegions.map((region) => voteTableArn(config, region)),
    conditions: [{ test: "ForAllValues:StringEquals", variable: "dynamodb:LeadingKeys", values: [vantage] }],
  }));
}

/**
 * The manual function's extra reads, for `status` (each target's health-check
 * status) and `verify` (the checks' settings, every control region's alarms).
 * Read-only: creating and tying health checks is `failover init --direct`,
 * with a zone administrator's credentials.
 */
export function manualReadPermissions(
  config: FailoverConfig,
  region: string,
  accountId: string,
): PermissionStatement[] {
  return [
    { actions: ["route53:ListHealthChecks"], resources: ["*"] },
    { actions: ["route53:GetHealthCheckStatus"], resources: [`arn:${partitionOf(region)}:route53:::healthcheck/*`] },
    {
      actions: ["cloudwatch:DescribeAlarms"],
      resources: [
        ...config.controlRegions.map((r) => alarmArnPattern(config, r, accountId)),
        canaryAlarmArnPattern(config, accountId),
      ],
    },
  ];
}

/** ARN pattern of the canary alarms `failover init` puts in us-east-1 (functions/lib/dataplane/canary-alarm.ts). */
export function canaryAlarmArnPattern(config: FailoverConfig, accountId: string): string {
  const region = CANARY_ALARM_REGION;
  return `arn:${partitionOf(region)}:cloudwatch:${region}:${accountId}:alarm:${canaryAlarmName(config, "*")}`;
}

/**
 * What the manual logic needs beyond the decider's rights, wherever it runs
 * (the manual function, the Slack command): its reads, writing the audit
 * entries, and the signal override (a promote or pin clears the drain
 * signal of the target it gives traffic).
 */
export function manualExtraPermissions(
  config: FailoverConfig,
  region: string,
  accountId: string,
): PermissionStatement[] {
  return [
    ...manualReadPermissions(config, region, accountId),
    // init puts the canary alarms (only those) in us-east-1, where Route 53's metrics are.
    { actions: ["cloudwatch:PutMetricAlarm"], resources: [canaryAlarmArnPattern(config, accountId)] },
    ...auditStatements(config, "write"),
    ...dataPlaneStoreStatements(config, "manual"),
  ];
}

/** ARNs of the data-plane parameters in `region` (every decider's document and the override, or just `names`), any account (a role only reaches its own). */
export function dataPlaneParameterArns(config: FailoverConfig, region: string, names?: readonly string[]): string[] {
  const all = signalParameterNames(config);
  return (names ?? [...Object.values(all.deciders), all.override]).map(
    (name) => `arn:${partitionOf(region)}:ssm:${region}:*:parameter${name}`,
  );
}

/**
 * The data-plane documents: every decider and the manual function read all
 * of them in every control region (GetParameters, one call per region); a
 * decider writes only its own document (so it can never overwrite another
 * decider's drains), the manual function only the override (a lease's
 * "serve").
 */
export function dataPlaneStoreStatements(config: FailoverConfig, writer: string | "manual"): PermissionStatement[] {
  const names = signalParameterNames(config);
  const own = writer === "manual" ? names.override : names.deciders[writer];
  if (own === undefined) throw new Error(`${writer} is not a control region`);
  return [
    {
      actions: ["ssm:GetParameters"],
      resources: config.controlRegions.flatMap((r) => dataPlaneParameterArns(config, r)),
    },
    {
      actions: ["ssm:PutParameter"],
      resources: config.controlRegions.flatMap((r) => dataPlaneParameterArns(config, r, [own])),
    },
  ];
}

/** ARNs of the audit entries (functions/lib/audit-trail.ts) in every control region, any account. */
export function auditParameterArns(config: FailoverConfig): string[] {
  return config.controlRegions.map(
    (region) => `arn:${partitionOf(region)}:ssm:${region}:*:parameter${auditParameterName(config.name, "*")}`,
  );
}

/**
 * The audit trail: the manual function writes an entry per change to every
 * control region and reads them back (status, release); the deciders and the
 * notifiers only read them, to say who took a lease and why. The function
 * may create an entry, never overwrite one (`ssm:Overwrite` false): who and
 * why of a lease stay as the request that took it wrote them.
 */
export function auditStatements(config: FailoverConfig, access: "read" | "write"): PermissionStatement[] {
  const resources = auditParameterArns(config);
  const createOnly = [{ test: "StringEquals", variable: "ssm:Overwrite", values: ["false"] }];
  return [
    { actions: ["ssm:GetParameter"], resources },
    ...(access === "write" ? [{ actions: ["ssm:PutParameter"], resources, conditions: createOnly }] : []),
  ];
}

/** The signal endpoint: read this region's signal parameter, nothing else. */
export function signalPermissions(config: FailoverConfig, region: string): PermissionStatement[] {
  return [{ actions: ["ssm:GetParameters"], resources: dataPlaneParameterArns(config, region) }];
}

/** A probe: write its own votes and publish its liveness metrics, nothing else. */
export function probePermissions(config: FailoverConfig, vantage: string): PermissionStatement[] {
  return [...voteWriteStatements(config, vantage), putMetricsStatement(config)];
}

/** ARN pattern of this deployment's alarms in `region` (alarms.ts names them `${config.name}-${key}`). */
export function alarmArnPattern(config: FailoverConfig, region: string, accountId: string): string {
  return `arn:${partitionOf(region)}:cloudwatch:${region}:${accountId}:alarm:${config.name}-*`;
}

/** ARN of the Slack webhook SecureString parameter in `region` of `accountId`. */
export function webhookParameterArn(config: FailoverConfig, region: string, accountId: string): string {
  return `arn:${partitionOf(region)}:ssm:${region}:${accountId}:parameter${slackWebhookParameterName(config.name)}`;
}

/**
 * Reading the webhook SecureString: GetParameter on that one parameter, and
 * kms:Decrypt only through SSM in this region for that parameter (SSM
 * encrypts with the parameter's ARN as `PARAMETER_ARN` encryption context).
 * The account's AWS-managed `aws/ssm` key already allows use through SSM by
 * the account's principals; the statement also lets a customer-managed key
 * work, and allows nothing else.
 */
export function webhookReadStatements(
  config: FailoverConfig,
  region: string,
  accountId: string,
): PermissionStatement[] {
  return secureStringReadStatements(region, accountId, [webhookParameterArn(config, region, accountId)]);
}

/** GetParameter on these SecureStrings, and kms:Decrypt only through SSM in `region` for them. */
function secureStringReadStatements(region: string, accountId: string, parameters: string[]): PermissionStatement[] {
  return [
    { actions: ["ssm:GetParameter"], resources: parameters },
    {
      actions: ["kms:Decrypt"],
      resources: [`arn:${partitionOf(region)}:kms:${region}:${accountId}:key/*`],
      conditions: [
        { test: "StringEquals", variable: "kms:ViaService", values: [`ssm.${region}.amazonaws.com`] },
        { test: "StringEquals", variable: "kms:EncryptionContext:PARAMETER_ARN", values: parameters },
      ],
    },
  ];
}

/** ARNs of the Slack command's SecureStrings (signing secret, bot token, on-call list) in `region`. */
export function slackParameterArns(config: FailoverConfig, region: string, accountId: string): string[] {
  return Object.values(slackParameterNames(config.name)).map(
    (name) => `arn:${partitionOf(region)}:ssm:${region}:${accountId}:parameter${name}`,
  );
}

/**
 * What the Slack command needs beyond the manual function's own rights (it
 * runs the same logic): reading its three SecureStrings, and invoking
 * itself (`functionName`) for the work after Slack's answer.
 */
export function slackCommandPermissions(
  config: FailoverConfig,
  region: string,
  accountId: string,
  functionName: string,
): PermissionStatement[] {
  return [
    ...secureStringReadStatements(region, accountId, slackParameterArns(config, region, accountId)),
    {
      actions: ["lambda:InvokeFunction"],
      resources: [`arn:${partitionOf(region)}:lambda:${region}:${accountId}:function:${functionName}`],
    },
  ];
}

/**
 * The notifier: read the zone for context (weights, lease, last switch) and
 * the webhook parameter of its region ({@link webhookReadStatements}).
 * With two or more control regions also DescribeAlarms on this deployment's
 * alarms in every control region (its own included: when its alarm entered
 * the state), to post what no other region announces
 * (functions/lib/slack/announce.ts). Writes the delivery record of a
 * `failover slack-test` message (functions/lib/slack/slack-test.ts).
 */
export function notifyPermissions(config: FailoverConfig, region: string, accountId: string): PermissionStatement[] {
  const regions = config.controlRegions;
  const askRegions =
    regions.length > 1 && regions.includes(region)
      ? [
          {
            actions: ["cloudwatch:DescribeAlarms"],
            resources: regions.map((alarmRegion) => alarmArnPattern(config, alarmRegion, accountId)),
          },
        ]
      : [];
  // `failover slack-test` reads back what the notifier posted: one String parameter of its region, no secret.
  const testRecord = `arn:${partitionOf(region)}:ssm:${region}:${accountId}:parameter${slackTestParameterName(config.name)}`;
  return [
    readZoneStatement(config, region),
    ...webhookReadStatements(config, region, accountId),
    ...auditStatements(config, "read"),
    ...askRegions,
    { actions: ["ssm:PutParameter"], resources: [testRecord] },
  ];
}

/** Policy document on-call needs to use the CLI against a deployment: invoke the manual failover functions, nothing else. */
export function onCallPolicy(manualFunctionArns: string[]): {
  Version: "2012-10-17";
  Statement: Array<{ Sid: string; Effect: "Allow"; Action: string[]; Resource: string[] }>;
} {
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "InvokeManualFailover", Effect: "Allow", Action: ["lambda:InvokeFunction"], Resource: manualFunctionArns },
    ],
  };
}
