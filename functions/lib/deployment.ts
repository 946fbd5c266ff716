import type { FailoverConfig } from "./config.ts";
import { FailoverError } from "./errors.ts";

/**
 * Physical name of the manual failover function in every control region:
 * `<config.name>-<stage>-failover`. Fixed (not generated) so the CLI can
 * invoke it and on-call's IAM policy can name it without reading stack
 * outputs.
 */
export function manualFunctionName(config: Pick<FailoverConfig, "name">, stage: string): string {
  const name = `${config.name}-${stage}-failover`;
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(name)) {
    throw new FailoverError("CONFIG_INVALID", `the manual failover function name "${name}" is not a valid Lambda name (at most 64 letters, digits, - or _)`, {
      hint: "Use a shorter config name or stage name.",
    });
  }
  return name;
}
