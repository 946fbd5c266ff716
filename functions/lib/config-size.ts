import type { FailoverConfig } from "./config.ts";
import { ValidationError } from "./errors.ts";
import { formatPath } from "./validate.ts";

/**
 * Largest minified config passed to a function. Lambda caps a function's
 * environment at 4 KB in total; the rest is left for `FAILOVER_VANTAGE`,
 * `FAILOVER_CONTROL_REGION` and the variables SST adds for links.
 */
export const maxConfigEnvBytes = 3584;

/**
 * The config as minified JSON for a function's environment (env
 * `FAILOVER_CONFIG`). Refuses one that would not fit Lambda's 4 KB with a
 * {@link ValidationError} naming the field that takes the most room, so the
 * CLI refuses it before anything is sent and the deploy before anything is
 * created, not Lambda at deploy time.
 */
export function configEnvJson(config: FailoverConfig): string {
  const json = JSON.stringify(config);
  const bytes = Buffer.byteLength(json, "utf8");
  if (bytes <= maxConfigEnvBytes) return json;
  const [path, fieldBytes] = largestField(config);
  throw new ValidationError(
    "config",
    [
      {
        path: formatPath(path),
        message: `takes ${fieldBytes} of the config's ${bytes} bytes as minified JSON; expected at most ${maxConfigEnvBytes} bytes in all (functions receive the config in their environment, which Lambda caps at 4 KB)`,
      },
    ],
    {
      hint: "Shorten it: fewer records or targets, shorter health URLs and ids, or drop optional probe headers.",
    },
  );
}

/** The field holding most of the bytes: descends while one child holds more than half of its parent. */
function largestField(value: unknown, path: PropertyKey[] = []): [PropertyKey[], number] {
  const size = (v: unknown) => Buffer.byteLength(JSON.stringify(v) ?? "", "utf8");
  const own = size(value);
  if (typeof value !== "object" || value === null) return [path, own];
  const children: Array<[PropertyKey, unknown]> = Array.isArray(value) ? [...value.entries()] : Object.entries(value);
  let best: [PropertyKey, number] | undefined;
  for (const [key, child] of children) {
    const bytes = size(child);
    if (best === undefined || bytes > best[1]) best = [key, bytes];
  }
  if (best === undefined || (path.length > 0 && best[1] * 2 <= own)) return [path, own];
  return largestField((value as Record<PropertyKey, unknown>)[best[0] as string], [...path, best[0]]);
}
