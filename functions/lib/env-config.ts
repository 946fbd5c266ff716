import { parseConfig, type FailoverConfig } from "./config.ts";
import { FailoverError, ValidationError } from "./errors.ts";

/**
 * The deployment config as the stacks hand it to every function: minified
 * JSON in env `FAILOVER_CONFIG`. Validated here, once per cold start by the
 * caller; errors name the field (`probe.timeoutMs: expected …`).
 */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): FailoverConfig {
  const text = env.FAILOVER_CONFIG;
  if (text === undefined || text.trim() === "") {
    throw new FailoverError("CONFIG_MISSING", "env FAILOVER_CONFIG is not set", {
      hint: 'The stacks set it from failover.config.json; when running a handler by hand, export FAILOVER_CONFIG="$(cat failover.config.json)".',
    });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw new ValidationError(
      "config in env FAILOVER_CONFIG",
      [{ path: "(root)", message: `expected JSON: ${(cause as Error).message}` }],
      { cause },
    );
  }
  return parseConfig(raw);
}
