import type { FailoverConfig } from "../functions/lib/config.ts";

/** Makes the command's ValidationError for one flag. */
type Fail = (path: string, message: string) => Error;

/** What one per-region deploy output (a JSON map such as `alarmTopics`) must hold for the CLI to use it. */
export interface DeployOutputSpec {
  /** The flag that carries the output, e.g. `--topics`. */
  flag: string;
  /** The deploy output's name, e.g. `alarmTopics`. */
  output: string;
  /** The environment variable read when the flag is absent, e.g. `FAILOVER_ALERT_TOPICS`. */
  envName: string;
  /** A sample of the JSON, shown when the text does not parse. */
  example: string;
  /** What a region's entry must be, for the error, e.g. "the SNS topic ARN of us-east-2". */
  expected: string;
  /** Whether a region's entry is usable. */
  valid: (value: string) => boolean;
}

/**
 * The `--region` flag checked against the config's control regions.
 * @default the first control region
 */
export function controlRegionFlag(value: string | undefined, config: FailoverConfig, fail: Fail): string {
  const region = value ?? config.controlRegions[0] ?? "";
  if (!config.controlRegions.includes(region))
    throw fail("--region", `expected one of the control regions ${config.controlRegions.join(", ")}, got "${region}"`);
  return region;
}

/** `region`'s entry of a per-region deploy output given as JSON text, or an error naming the flag and what was expected. */
export function deployOutputEntry(
  text: string | undefined,
  region: string,
  spec: DeployOutputSpec,
  fail: Fail,
): string {
  if (text === undefined)
    throw fail(spec.flag, `is required: the deploy's ${spec.output} output (or $${spec.envName})`);
  let map: unknown;
  try {
    map = JSON.parse(text);
  } catch {
    throw fail(spec.flag, `expected JSON such as ${spec.example}`);
  }
  const value = (map as Record<string, unknown> | null)?.[region];
  if (typeof value !== "string" || !spec.valid(value))
    throw fail(spec.flag, `expected ${spec.expected}, got ${JSON.stringify(value ?? null)}`);
  return value;
}
