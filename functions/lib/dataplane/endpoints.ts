import * as z from "zod";
import type { FailoverConfig } from "../config.ts";
import { FailoverError } from "../errors.ts";
import { parseWith } from "../validate.ts";
import { misplacedEndpoints } from "./signal-path.ts";

/** Environment variable holding each control region's signal endpoint URL (the deploy's `signalEndpoints` output). */
export const SIGNAL_ENDPOINTS_ENV = "FAILOVER_SIGNAL_ENDPOINTS";

/**
 * The signal endpoint URL of each control region, from
 * `FAILOVER_SIGNAL_ENDPOINTS` (a JSON object region → URL, as `sst deploy`
 * prints `signalEndpoints`). Undefined when the variable is unset or empty.
 * Throws a ValidationError naming the field: not JSON, a region that is not
 * a control region, a URL that is not http(s); and an INVALID_INPUT error
 * when two regions are given one endpoint or a host names another region.
 */
export function signalEndpointsFrom(
  text: string | undefined,
  config: Pick<FailoverConfig, "controlRegions">,
): Record<string, string> | undefined {
  if (text === undefined || text.trim() === "") return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw new FailoverError("INVALID_INPUT", `${SIGNAL_ENDPOINTS_ENV} is not JSON`, {
      cause,
      hint: `Expected {"<control region>": "https://…lambda-url…/", …}: the deploy's signalEndpoints output.`,
    });
  }
  const url = z
    .string()
    .refine((value) => /^https?:\/\/[^/?#\s]+\/?$/.test(value), { error: "expected an http(s) URL without a path" });
  const regions = config.controlRegions as [string, ...string[]];
  const schema = z.record(z.enum(regions, { error: `expected a control region (${regions.join(", ")})` }), url);
  const endpoints = parseWith(schema, raw, SIGNAL_ENDPOINTS_ENV) as Record<string, string>;
  const misplaced = misplacedEndpoints(endpoints);
  if (misplaced.length > 0)
    throw new FailoverError(
      "INVALID_INPUT",
      `${SIGNAL_ENDPOINTS_ENV}: ${misplaced.map((wrong) => wrong.message).join("; ")}`,
      {
        hint: "Nothing was changed. Pass the deploy's signalEndpoints output as it is (one endpoint per control region).",
      },
    );
  return endpoints;
}
