import { isAbsolute, resolve } from "node:path";
import { loadConfig, type FailoverConfig } from "../functions/lib/config.ts";
import { configEnvJson } from "../functions/lib/config-size.ts";

/**
 * The validated deployment config every stack reads, and the form the
 * functions receive it in (env `FAILOVER_CONFIG`, minified JSON).
 *
 * Plain Node (no SST globals), so `sst.config.ts`'s `app()` and the tests can
 * use it too.
 */

/** Env var naming another config file than `failover.config.json` (relative to the project root). */
export const configFileEnv = "FAILOVER_CONFIG_FILE";
/** Env var the functions read their config from. */
export const configEnvVar = "FAILOVER_CONFIG";
export { maxConfigEnvBytes } from "../functions/lib/config-size.ts";

export interface Settings {
  config: FailoverConfig;
  /** Minified JSON of the validated config (defaults filled in). */
  configJson: string;
  /** Absolute path of the file it came from. */
  configPath: string;
}

/** Where the config is read from: `$FAILOVER_CONFIG_FILE`, else `failover.config.json`, relative to `root`. */
export function configPath(root: string = process.cwd(), env: NodeJS.ProcessEnv = process.env): string {
  const file = env[configFileEnv] || "failover.config.json";
  return isAbsolute(file) ? file : resolve(root, file);
}

/** Loads and validates the config; throws a {@link FailoverError} naming the bad field or the size problem. */
export function loadSettings(path: string = configPath()): Settings {
  const config = loadConfig(path);
  return { config, configJson: configEnvValue(config), configPath: path };
}

/** The config as minified JSON for a function's environment; refuses one that would not fit Lambda's 4 KB, naming the largest field. */
export const configEnvValue: (config: FailoverConfig) => string = configEnvJson;

/** The SST app name: the config's deployment name. */
export function appName(path: string = configPath()): string {
  return loadSettings(path).config.name;
}

/** Log retention of every function's log group (an SST retention name; 14 days). */
export const logRetention = "2 weeks" as const;

/** Env var: reserved concurrency of each signal endpoint (unset: none). */
export const signalConcurrencyEnv = "FAILOVER_SIGNAL_RESERVED_CONCURRENCY";

/** Env var: reserved concurrency of each Slack command function (unset: none). */
export const slackConcurrencyEnv = "FAILOVER_SLACK_RESERVED_CONCURRENCY";

/**
 * Reserved concurrency of a public function URL (the signal endpoint, the
 * Slack command), from its environment variable: undefined (the default)
 * reserves none, since Lambda refuses a reservation that leaves an account
 * under 100 unreserved (a new account's quota is 10). Throws naming the
 * variable when it is not a whole number from 1 to 1000.
 */
export function reservedConcurrency(name: string, env: NodeJS.ProcessEnv = process.env): number | undefined {
  const text = env[name]?.trim();
  if (text === undefined || text === "") return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > 1000)
    throw new Error(`${name} must be a whole number from 1 to 1000 (or unset for none), got "${text}"`);
  return value;
}

/** Reserved concurrency of each region's signal endpoint ({@link signalConcurrencyEnv}). @default none */
export function signalReservedConcurrency(env: NodeJS.ProcessEnv = process.env): number | undefined {
  return reservedConcurrency(signalConcurrencyEnv, env);
}
