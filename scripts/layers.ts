/**
 * The layers of functions/, lowest first: a file may import files of its own
 * layer or of a lower one, never of a higher one (scripts/check-imports.ts,
 * run by `npm test`, fails on such an import and on any import cycle).
 * Code low in the stack knows nothing of what is built on it, so a change to
 * the decider round, the Slack messages or the AWS adapters cannot ripple
 * down into the policy or the record formats.
 *
 * A rule is a file (`functions/lib/lease.ts`), a folder with all below it
 * (`functions/lib/policy/`), or the files directly in a folder
 * (`functions/lib/*`); the most specific rule that matches a file places it,
 * and a file that no rule places fails the check (say where it belongs here).
 */
export interface Layer {
  /** One word, used in the check's messages. */
  name: string;
  /** What the layer holds and why it stands where it does. */
  says: string;
  /** The files and folders placed in this layer. */
  paths: readonly string[];
}

/** functions/'s layers, lowest first (docs/architecture.md draws them). */
export const functionLayers: readonly Layer[] = [
  {
    name: "foundation",
    says: "errors, clock, logging, validation, the config and its schemas, metric names, a write's result per region: used by everything, using nothing above",
    paths: ["functions/lib/*"],
  },
  {
    name: "model",
    says: "pure domain: the policy, the probe, the lease and state documents, the metric datums and vote items built from them",
    paths: [
      "functions/lib/policy/",
      "functions/lib/probe/",
      "functions/lib/lease.ts",
      "functions/lib/state-document.ts",
      "functions/lib/metric-datums.ts",
      "functions/lib/vote-items.ts",
    ],
  },
  {
    name: "records",
    says: "the Route 53 record formats: weighted sets, TXT documents, change batches, zone snapshots, compare-and-swap updates",
    paths: ["functions/lib/records/"],
  },
  {
    name: "dataplane",
    says: "the drain signals, health checks and signal store's document policy, apart from any AWS client",
    paths: ["functions/lib/dataplane/"],
  },
  {
    name: "adapters",
    says: "the AWS clients (Route 53, CloudWatch, DynamoDB, SSM, SNS, Lambda): I/O and retries, no decisions",
    paths: ["functions/lib/aws/"],
  },
  {
    name: "services",
    says: "the audit trail, the practice runs' history and the Slack notifier, built on the adapters",
    paths: ["functions/lib/audit-trail.ts", "functions/lib/practice-history.ts", "functions/lib/slack/"],
  },
  {
    name: "control",
    says: "what every writer shares: a decision as a zone change, the failover events and their announcer, following a change to INSYNC",
    paths: ["functions/lib/control/"],
  },
  {
    name: "linking",
    says: "the data plane's health checks made and tied to the records, and their status",
    paths: ["functions/lib/dataplane-link/"],
  },
  {
    name: "writers",
    says: "the decider (its rounds, their ports and the apply step) and the manual function (promote, drain, pin, release, init, verify)",
    paths: ["functions/lib/decider/", "functions/lib/manual/"],
  },
  {
    name: "wiring",
    says: "what joins the adapters to the control code inside a Lambda function, and the Slack command's request handling",
    paths: ["functions/lib/wiring/", "functions/lib/slack-command/"],
  },
  {
    name: "entries",
    says: "the Lambda handlers the stacks deploy",
    paths: ["functions/*"],
  },
];
