import { createHash } from "node:crypto";
import type { FailoverConfig } from "../config.ts";
import { FailoverError } from "../errors.ts";

/** The settings of one Route 53 health check this project creates (the SDK's HealthCheckConfig fields it uses). */
export interface HealthCheckSpec {
  /** `HTTPS`/`HTTP` and `CALCULATED` made now; `*_STR_MATCH` as versions before 2026-12 made them (read back, replaced by init). */
  Type: "HTTPS" | "HTTP" | "HTTPS_STR_MATCH" | "HTTP_STR_MATCH" | "CALCULATED";
  FullyQualifiedDomainName?: string;
  Port?: number;
  ResourcePath?: string;
  SearchString?: string;
  RequestInterval?: 10 | 30;
  FailureThreshold?: 1;
  Inverted?: boolean;
  EnableSNI?: boolean;
  ChildHealthChecks?: string[];
  HealthThreshold?: number;
}

/** The body of the signal endpoint's drain answer (status 200); for people and `verify`, the checks read only the status. */
export function drainMarker(target: string): string {
  return `drain ${target}`;
}

/** The body of the signal endpoint's serve answer (status {@link SERVE_STATUS}). */
export function serveMarker(target: string): string {
  return `serve ${target}`;
}

/**
 * The status the signal endpoint answers "serve" with. Route 53's checkers
 * count 2xx and 3xx as success, which an inverted check reads as drain; so
 * serve, like every answer but a drain, must be 4xx/5xx.
 */
export const SERVE_STATUS = 404;

/** How a Route 53 checker reads an HTTP(S) check's answer: 2xx or 3xx is success, which an inverted signal check reads as drain. */
export function checkerSucceeds(status: number): boolean {
  return status >= 200 && status < 400;
}

/**
 * Interval of the canary checks: the standard 30 s (no fast-interval fee).
 * They only feed an alarm over minutes, so 20 s more before a broken path
 * shows costs little; a target's checks stay at 10 s.
 */
export const CANARY_INTERVAL_SECONDS = 30;

/**
 * The canary's target id: the signal endpoint always answers `drain _canary`
 * for it, so its inverted check (one per control region, tied to no record)
 * always reads unhealthy while the path works; reading healthy ("serve")
 * means the path is broken (endpoint gone, answer changed, check altered).
 * A config target id starts with a letter, so it can never be one.
 */
export const CANARY_TARGET = "_canary";

/** The canary check of each control region: a target's signal check for {@link CANARY_TARGET}, at {@link CANARY_INTERVAL_SECONDS}. */
export function canaryCheckSpecs(
  config: FailoverConfig,
  endpoints: Readonly<Record<string, string>>,
): Array<{ region: string; reference: string; spec: HealthCheckSpec }> {
  return config.controlRegions.map((region) => ({
    region,
    reference: healthCheckReference(config, CANARY_TARGET, region),
    spec: {
      ...signalCheckSpec(CANARY_TARGET, endpointOf(endpoints, region)),
      RequestInterval: CANARY_INTERVAL_SECONDS,
    },
  }));
}

function endpointOf(endpoints: Readonly<Record<string, string>>, region: string): string {
  const endpoint = endpoints[region];
  if (endpoint === undefined)
    throw new FailoverError("CONFIG_INVALID", `no signal endpoint for control region ${region}`, {
      hint: "Deploy first: the stacks create the signal endpoint in every control region.",
    });
  return endpoint;
}

/** Longest caller reference made here: AWS allows 64, and a replacement adds `.2`, `.3`… */
export const REFERENCE_LENGTH = 60;

/**
 * Stable caller reference, so creating twice finds the first check instead
 * of making another: `<name>:<target>:<region or "all">:v1`. One that does
 * not fit keeps its first characters and ends in `~` and 16 hex digits of its
 * SHA-256, so two checks never share a reference (cutting alone made a long
 * name's references identical for every target and region).
 */
export function healthCheckReference(config: FailoverConfig, target: string, region?: string): string {
  const full = fullReference(config, target, region);
  if (full.length <= REFERENCE_LENGTH) return full;
  const digest = createHash("sha256").update(full).digest("hex").slice(0, 16);
  return `${full.slice(0, REFERENCE_LENGTH - digest.length - 1)}~${digest}`;
}

/** The reference versions before 2026-12 gave a check that does not fit (cut at 60), when it differs from today's. */
export function cutHealthCheckReference(config: FailoverConfig, target: string, region?: string): string | undefined {
  const full = fullReference(config, target, region);
  return full.length > REFERENCE_LENGTH ? full.slice(0, REFERENCE_LENGTH) : undefined;
}

function fullReference(config: FailoverConfig, target: string, region: string | undefined): string {
  return `${config.name}:${target}:${region ?? "all"}:v1`;
}

/**
 * The check now in use for `reference`: the one created with it, or its
 * latest replacement (`<reference>.2`, `.3`…; AWS never lets a caller
 * reference be used again, so a check that cannot be changed in place is
 * replaced under a new one).
 */
export function currentCheck<T extends { reference: string }>(checks: readonly T[], reference: string): T | undefined {
  let best: { check: T; generation: number } | undefined;
  for (const check of checks) {
    const generation =
      check.reference === reference
        ? 1
        : check.reference.startsWith(`${reference}.`)
          ? Number(check.reference.slice(reference.length + 1))
          : Number.NaN;
    if (Number.isInteger(generation) && (best === undefined || generation > best.generation))
      best = { check, generation };
  }
  return best?.check;
}

/** The caller reference of the replacement of `current` (a check created with `reference` or a replacement of it). */
export function replacementReference(reference: string, current: string): string {
  const generation = current === reference ? 1 : Number(current.slice(reference.length + 1));
  return `${reference}.${generation + 1}`;
}

/**
 * The check of one target's signal in one control region: a 2xx/3xx answer
 * to `?target=<id>` fails it, and the endpoint answers that only for a drain
 * (404 serve, 503 store unreadable). Inverted, so the endpoint being
 * unreachable, slow or erroring (throttle 429, 5xx, 403) counts as healthy:
 * only a positive drain answer drains. A status check, not a string match:
 * $2 a month less per check, and no weaker, as only our code answers 2xx on
 * the URL and Route 53 validates no certificate (a string never authenticated
 * anything). 10 s interval, failure threshold 1.
 */
export function signalCheckSpec(target: string, endpoint: string): HealthCheckSpec {
  const url = new URL(endpoint);
  const https = url.protocol === "https:";
  return {
    Type: https ? "HTTPS" : "HTTP",
    FullyQualifiedDomainName: url.hostname,
    Port: url.port === "" ? (https ? 443 : 80) : Number(url.port),
    ResourcePath: `/?target=${encodeURIComponent(target)}`,
    RequestInterval: 10,
    FailureThreshold: 1,
    Inverted: true,
    ...(https ? { EnableSNI: true } : {}),
  };
}

/** A target's calculated check: healthy only while every control region's signal check is, so either region alone drains. */
export function calculatedCheckSpec(children: readonly string[]): HealthCheckSpec {
  return { Type: "CALCULATED", ChildHealthChecks: [...children], HealthThreshold: children.length };
}

/** Every check a deployment needs: per target, one per control region and the calculated one over them. */
export function dataPlaneCheckSpecs(
  config: FailoverConfig,
  endpoints: Readonly<Record<string, string>>,
): Array<{ target: string; regions: Array<{ region: string; reference: string; spec: HealthCheckSpec }> }> {
  return config.targets.map((target) => ({
    target: target.id,
    regions: config.controlRegions.map((region) => ({
      region,
      reference: healthCheckReference(config, target.id, region),
      spec: signalCheckSpec(target.id, endpointOf(endpoints, region)),
    })),
  }));
}
