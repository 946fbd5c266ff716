import type { HealthCheckAdmin, HealthCheckRead } from "../aws/route53-health-checks.ts";
import type { Route53Switcher } from "../aws/route53.ts";
import type { FailoverConfig } from "../config.ts";
import type { ZoneSnapshot } from "../records/zone-snapshot.ts";
import { SIGNAL_ENDPOINTS_ENV } from "../dataplane/endpoints.ts";
import { isSignalAnswer, misplacedEndpoints } from "../dataplane/signal-path.ts";
import { FailoverError } from "../errors.ts";
import { tieReadingBack } from "./tie-records.ts";
import {
  calculatedCheckSpec,
  CANARY_TARGET,
  canaryCheckSpecs,
  checkerSucceeds,
  currentCheck,
  cutHealthCheckReference,
  dataPlaneCheckSpecs,
  drainMarker,
  healthCheckReference,
  type HealthCheckSpec,
  replacementReference,
  SERVE_STATUS,
  serveMarker,
  signalCheckSpec,
} from "../dataplane/health-checks.ts";

/** What linking created, repaired and tied. */
export interface LinkResult {
  /** Caller references of the checks created now (empty when all existed). */
  created: string[];
  /** Checks whose settings were put right in place now ("<id>: Port, SearchString"). */
  repaired: string[];
  /** Checks replaced now because a field UpdateHealthCheck cannot change differs ("<old id> by <new id>: Type"). */
  replaced: string[];
  /** Superseded checks deleted once nothing referred to them ("<id> (<reference>)"; init fills it: retire.ts). */
  deleted: string[];
  /** Record sets tied to their target's calculated check now. */
  tied: string[];
  /** The calculated check of each target. */
  calculated: Record<string, string>;
  /** The canary check of each control region (tied to no record; its alarm fires when it reads "serve"). */
  canary: Record<string, string>;
  /** What could not be done safely, and why (a target left untied, a check that cannot be changed in place). */
  problems: string[];
}

/** Reads an endpoint's answer: status and body. */
export type FetchText = (url: string) => Promise<{ status: number; body: string }>;

/**
 * Sets up the data-plane path once, ahead of time (Route 53 control plane):
 * per target one inverted signal check per control region and a calculated
 * check over them, then ties every weighted record set to its target's
 * calculated check, one change batch per target.
 *
 * Adopting a live zone moves no traffic: checks are created (and wrong
 * settings put right) before any record refers to them, a new check is
 * healthy, and each record set is deleted and created again with the same
 * weight and its check in one atomic batch, so no record is ever missing or
 * without a check it had. A target whose signal already says drain while its
 * records give it traffic is left untied (tying would drain it now) and
 * reported. Running it again changes nothing.
 */
export async function linkDataPlane(
  config: FailoverConfig,
  endpoints: Readonly<Record<string, string>>,
  admin: HealthCheckAdmin,
  switcher: Route53Switcher,
  fetchText: FetchText = defaultFetch,
): Promise<LinkResult> {
  const existing = await admin.list();
  const result: LinkResult = {
    created: [],
    repaired: [],
    replaced: [],
    deleted: [],
    tied: [],
    calculated: {},
    canary: {},
    problems: [],
  };
  const ensure = async (reference: string, spec: HealthCheckSpec): Promise<string> => {
    const found = currentCheck(existing, reference);
    if (found === undefined) {
      const check = await admin.ensure(reference, spec, existing);
      if (check.created) result.created.push(reference);
      return check.id;
    }
    const stuck = differences(spec, found, fixedKeys);
    if (stuck.length > 0) {
      // Type and RequestInterval cannot be updated: a new check replaces it (the calculated check and records
      // follow below); init deletes the old one once nothing refers to it (retire.ts).
      const next = replacementReference(reference, found.reference);
      const check = await admin.ensure(next, spec, existing);
      result.created.push(next);
      result.replaced.push(`${found.id} by ${check.id}: ${stuck.join(", ")}`);
      return check.id;
    }
    const fixed = differences(spec, found, updatable);
    if (fixed.length > 0) {
      await admin.update(found.id, Object.fromEntries(fixed.map((key) => [key, spec[key]])));
      result.repaired.push(`${found.id}: ${fixed.join(", ")}`);
    }
    return found.id;
  };
  for (const { target, regions } of dataPlaneCheckSpecs(config, endpoints)) {
    const children: string[] = [];
    for (const { reference, spec } of regions) children.push(await ensure(reference, spec));
    result.calculated[target] = await ensure(healthCheckReference(config, target), calculatedCheckSpec(children));
  }
  for (const { region, reference, spec } of canaryCheckSpecs(config, endpoints))
    result.canary[region] = await ensure(reference, spec);
  result.problems.push(...cutReferenceLeftovers(config, existing));
  const snapshot = await switcher.read();
  for (const { target, regions } of dataPlaneCheckSpecs(config, endpoints)) {
    const sets = Object.values(snapshot.records).flatMap((byTarget) => (byTarget[target] ? [byTarget[target]] : []));
    const id = result.calculated[target] as string;
    const untied = sets.filter((set) => set.HealthCheckId !== id);
    if (untied.length === 0) continue;
    const draining: string[] = [];
    for (const { region, spec } of regions) {
      const answer = await fetchText(signalUrl(endpoints, region, spec)).catch(() => undefined);
      if (answer !== undefined && checkerSucceeds(answer.status)) draining.push(region);
    }
    if (draining.length > 0 && untied.some((set) => (set.Weight ?? 0) > 0)) {
      result.problems.push(
        `${target}: not tied: the signal in ${draining.join(", ")} says drain while its records give it traffic, so tying now would drain it; tie it once the deciders have cleared the signal (run init again)`,
      );
      continue;
    }
    result.tied.push(...(await tieReadingBack(admin, switcher, sets, target, id, result.problems)));
  }
  return result;
}

/**
 * Checks an older version made under a caller reference cut at 60
 * characters: with a long name every target and region shared one, so those
 * checks cannot be told apart and are replaced by checks under collision-free
 * references (the records are tied to the new ones). Each is named once, to
 * be deleted by hand once no record refers to it.
 */
function cutReferenceLeftovers(config: FailoverConfig, existing: readonly HealthCheckRead[]): string[] {
  const cut = new Set(
    config.targets.flatMap((target) =>
      [...config.controlRegions, undefined].flatMap(
        (region) => cutHealthCheckReference(config, target.id, region) ?? [],
      ),
    ),
  );
  return existing
    .filter((check) => cut.has(check.reference.replace(/\.\d+$/, "")))
    .map(
      (check) =>
        `health check ${check.id} (${check.reference}) was made by an older version under a caller reference cut at 60 characters: replaced, no longer used; delete it once nothing refers to it (aws route53 delete-health-check --health-check-id ${check.id})`,
    );
}

/** Fields UpdateHealthCheck can change; Type and RequestInterval it cannot. */
const updatable = [
  "FullyQualifiedDomainName",
  "Port",
  "ResourcePath",
  "SearchString",
  "FailureThreshold",
  "Inverted",
  "EnableSNI",
  "HealthThreshold",
  "ChildHealthChecks",
] as const satisfies ReadonlyArray<keyof HealthCheckSpec>;
const fixedKeys = ["Type", "RequestInterval"] as const satisfies ReadonlyArray<keyof HealthCheckSpec>;

function signalUrl(endpoints: Readonly<Record<string, string>>, region: string, spec: HealthCheckSpec): string {
  return `${endpoints[region]?.replace(/\/$/, "")}${spec.ResourcePath ?? "/"}`;
}

/** One broken link of the data-plane chain: what is wrong and what to run to fix it. */
export interface BrokenLink {
  /** The target it concerns, when it concerns one. */
  target?: string;
  /** Which link: the signal endpoint, a region's signal check, the calculated check, a record, an alarm. */
  link: "endpoint" | "signal-check" | "calculated-check" | "record" | "alarm" | "canary" | "webhook";
  message: string;
  /** What to run to fix it. */
  fix: string;
}

/** Commands a broken link's fix names (the CLI passes its own flags, e.g. `--direct`). */
export interface FixCommands {
  /** @default "failover init --direct --yes" */
  init?: string;
  /** @default "npx sst deploy" */
  deploy?: string;
}

/**
 * Checks the whole data-plane chain and names every broken link: a control
 * region without a signal endpoint, or given another region's, an endpoint
 * that does not answer for a target, a missing signal check or one pointing
 * at the wrong thing (FQDN, port, path, search string, inversion, interval,
 * threshold, SNI), a signal check whose checkers cannot read the signal
 * (GetHealthCheckStatus: the endpoint it asks is gone, refuses the TLS
 * handshake, answers an error), two regions' checks asking one endpoint, a
 * calculated check missing a child or with the wrong threshold, a record set
 * not tied to its target's calculated check. Reads only; an empty list means
 * sound.
 */
export async function verifyDataPlane(
  config: FailoverConfig,
  endpoints: Readonly<Record<string, string>>,
  admin: HealthCheckAdmin,
  switcher: Route53Switcher,
  fetchText: FetchText = defaultFetch,
  commands: FixCommands = {},
): Promise<BrokenLink[]> {
  const init = commands.init ?? "failover init --direct --yes";
  const deploy = commands.deploy ?? "npx sst deploy";
  const broken = await signalEndpointProblems(config, endpoints, fetchText, deploy);
  const add = (link: BrokenLink) => broken.push(link);
  const known = Object.fromEntries(
    config.controlRegions.map((region) => [region, endpoints[region] ?? "https://missing.invalid"]),
  );
  const checks = await admin.list();
  const snapshot = await switcher.read();
  for (const { target, regions } of dataPlaneCheckSpecs(config, known)) {
    const children: string[] = [];
    const asked: Record<string, string> = {};
    for (const { region, reference, spec } of regions) {
      const check = currentCheck(checks, reference);
      if (check === undefined) {
        add({
          target,
          link: "signal-check",
          message: `${target}: no signal health check for control region ${region}`,
          fix: init,
        });
      } else {
        children.push(check.id);
        asked[region] = checkedUrl(check);
        broken.push(...(await checkerProblems(admin, target, region, check, { init, deploy })));
        if (endpoints[region] !== undefined) {
          const wrong = wrongSettings(spec, check, init);
          if (wrong !== undefined)
            add({
              target,
              link: "signal-check",
              message: `${target}: health check ${check.id} (${region}) points at the wrong thing: ${wrong.what}`,
              fix: wrong.fix,
            });
        }
      }
    }
    for (const wrong of misplacedEndpoints(asked))
      add({
        target,
        link: "signal-check",
        message: `${target}: signal health checks: ${wrong.message}`,
        fix: `${init} with FAILOVER_SIGNAL_ENDPOINTS set to the deploy's signalEndpoints output`,
      });
    const calculated = currentCheck(checks, healthCheckReference(config, target));
    if (calculated === undefined)
      add({ target, link: "calculated-check", message: `${target}: no calculated health check`, fix: init });
    else {
      const have = calculated.spec.ChildHealthChecks ?? [];
      const missing = children.filter((child) => !have.includes(child));
      if (missing.length > 0 || calculated.spec.HealthThreshold !== calculatedCheckSpec(children).HealthThreshold)
        add({
          target,
          link: "calculated-check",
          message: `${target}: calculated health check ${calculated.id} ${missing.length > 0 ? `misses child ${missing.join(", ")}` : `has HealthThreshold ${calculated.spec.HealthThreshold}, expected ${children.length}`}: one region's drain would not drain`,
          fix: init,
        });
    }
    broken.push(...recordLinks(snapshot, target, calculated?.id, init));
  }
  broken.push(...(await canaryProblems(config, admin, known, endpoints, checks, fetchText, { init, deploy })));
  return broken;
}

/**
 * The canary's links: a canary check per control region, and each known
 * endpoint answering `drain _canary` for it (otherwise the canary reads
 * "serve" and its alarm fires although only the canary is wrong).
 */
async function canaryProblems(
  config: FailoverConfig,
  admin: HealthCheckAdmin,
  known: Readonly<Record<string, string>>,
  endpoints: Readonly<Record<string, string>>,
  checks: readonly HealthCheckRead[],
  fetchText: FetchText,
  commands: Required<FixCommands>,
): Promise<BrokenLink[]> {
  const broken: BrokenLink[] = [];
  const marker = drainMarker(CANARY_TARGET);
  for (const { region, reference, spec } of canaryCheckSpecs(config, known)) {
    const check = currentCheck(checks, reference);
    if (check === undefined)
      broken.push({
        link: "canary",
        message: `no canary health check for control region ${region}`,
        fix: commands.init,
      });
    else broken.push(...(await canaryCheckerProblems(admin, region, check, commands)));
    if (endpoints[region] === undefined) continue;
    const wrong = check && wrongSettings(spec, check, commands.init);
    if (wrong)
      broken.push({
        link: "canary",
        message: `canary health check ${check?.id} (${region}) points at the wrong thing: ${wrong.what}`,
        fix: wrong.fix,
      });
    const answer = await fetchText(signalUrl(endpoints, region, spec)).catch(() => undefined);
    if (answer?.status !== 200 || !answer.body.includes(marker))
      broken.push({
        link: "canary",
        message: `the signal endpoint of ${region} does not answer 200 "${marker}" for the canary (${answer === undefined ? "no answer" : `HTTP ${answer.status}`}): the canary check reads "serve" and its alarm fires`,
        fix: `${commands.deploy} (the signal function in ${region})`,
      });
  }
  return broken;
}

/**
 * Each way the given signal endpoints cannot be this deployment's: a control
 * region without one, two regions given one endpoint or a host in another
 * region, an endpoint that does not answer `serve <id>` or `drain <id>` for
 * every target (asked in parallel, 4 s each). Reads only.
 */
export async function signalEndpointProblems(
  config: FailoverConfig,
  endpoints: Readonly<Record<string, string>>,
  fetchText: FetchText = defaultFetch,
  deploy = "npx sst deploy",
): Promise<BrokenLink[]> {
  const output = `pass the deploy's signalEndpoints output as ${SIGNAL_ENDPOINTS_ENV}`;
  const broken: BrokenLink[] = config.controlRegions
    .filter((region) => endpoints[region] === undefined)
    .map((region) => ({
      link: "endpoint",
      message: `no signal endpoint known for control region ${region}`,
      fix: `${deploy}, then ${output}`,
    }));
  for (const wrong of misplacedEndpoints(endpoints))
    broken.push({ link: "endpoint", message: wrong.message, fix: output });
  const asks = config.targets.flatMap((target) =>
    config.controlRegions.flatMap((region) => {
      const endpoint = endpoints[region];
      if (endpoint === undefined) return [];
      const url = signalUrl(endpoints, region, signalCheckSpec(target.id, endpoint));
      return [endpointProblem(target.id, region, url, fetchText, deploy)];
    }),
  );
  for (const problem of await Promise.all(asks)) if (problem !== undefined) broken.push(problem);
  return broken;
}

/**
 * Refuses signal endpoints that cannot be this deployment's (see
 * {@link signalEndpointProblems}) before `init` changes anything: a wrong
 * FAILOVER_SIGNAL_ENDPOINTS would otherwise point every health check at a
 * host that cannot say drain, which an inverted check reads as "serve".
 */
export async function refuseBadSignalEndpoints(
  config: FailoverConfig,
  endpoints: Readonly<Record<string, string>>,
  fetchText: FetchText = defaultFetch,
): Promise<void> {
  const broken = await signalEndpointProblems(config, endpoints, fetchText);
  if (broken.length === 0) return;
  throw new FailoverError(
    "INVALID_INPUT",
    `${SIGNAL_ENDPOINTS_ENV} cannot be used: ${broken.map((link) => link.message).join("; ")}`,
    {
      hint: `Nothing was changed. Set ${SIGNAL_ENDPOINTS_ENV} to the deploy's signalEndpoints output (npx sst deploy prints it; deploy again if a region's signal function is gone), then run failover init again.`,
    },
  );
}

/** The URL a signal check asks, from its own settings (what Route 53's checkers use, whatever the deploy says). */
function checkedUrl(check: HealthCheckRead): string {
  const https = check.spec.Type?.startsWith("HTTPS") ?? false;
  const port = check.spec.Port ?? (https ? 443 : 80);
  return `${https ? "https" : "http"}://${check.spec.FullyQualifiedDomainName ?? "unknown.invalid"}:${port}${check.spec.ResourcePath ?? "/"}`;
}

/**
 * What Route 53's own checkers report for a signal check (GetHealthCheckStatus):
 * anything but the two signal answers (drain found, or the search string not
 * found) means they cannot read the signal, which the inverted check counts
 * as "serve", so a drain through this region would not drain.
 */
async function checkerProblems(
  admin: HealthCheckAdmin,
  target: string,
  region: string,
  check: HealthCheckRead,
  fixes: { init: string; deploy: string },
): Promise<BrokenLink[]> {
  const report = await admin.status(check.id);
  const failing = report.failures.filter((failure) => !isSignalAnswer(failure.status));
  const first = failing[0];
  if (first === undefined) return [];
  const host = new URL(checkedUrl(check)).host;
  const sni = /ssl|tls|handshake/i.test(first.status) && check.spec.Type?.startsWith("HTTPS") && !check.spec.EnableSNI;
  return [
    {
      target,
      link: "signal-check",
      message: `${target}: Route 53's checkers cannot read the signal in ${region} (health check ${check.id} asks ${host}): ${failing.length} of ${report.checkers} report "${first.status}"; an inverted check reads that as serve, so a drain through ${region} would not drain`,
      fix: sni
        ? `${fixes.init} (turns EnableSNI on: the endpoint needs the host name in the TLS handshake)`
        : `${fixes.deploy} if the signal endpoint in ${region} is gone, then ${fixes.init} with FAILOVER_SIGNAL_ENDPOINTS set to the deploy's signalEndpoints output`,
    },
  ];
}

/**
 * What Route 53's checkers report for a region's canary check: anything but
 * `Success` (the drain answer seen) is the path broken as the canary alarm
 * would say, whatever the status code (a gone function URL may answer the
 * same 404 as a serve, which a target's check cannot tell apart).
 */
async function canaryCheckerProblems(
  admin: HealthCheckAdmin,
  region: string,
  check: HealthCheckRead,
  fixes: Required<FixCommands>,
): Promise<BrokenLink[]> {
  const report = await admin.status(check.id);
  const first = report.failures[0];
  if (first === undefined) return [];
  return [
    {
      link: "canary",
      message: `Route 53's checkers cannot read the signal in ${region} (canary check ${check.id} asks ${new URL(checkedUrl(check)).host}): ${report.failures.length} of ${report.checkers} report "${first.status}"; every signal check of ${region} reads that as serve`,
      fix: `${fixes.deploy} if the signal endpoint in ${region} is gone, then ${fixes.init} with FAILOVER_SIGNAL_ENDPOINTS set to the deploy's signalEndpoints output`,
    },
  ];
}

/** What is wrong with a region's signal endpoint for `target`, if anything: unreachable, or not answering serve/drain. */
async function endpointProblem(
  target: string,
  region: string,
  url: string,
  fetchText: FetchText,
  deploy: string,
): Promise<BrokenLink | undefined> {
  const answer = await fetchText(url).then(
    (ok) => ok,
    (error: unknown) => ({ error: error instanceof Error ? error.message : String(error) }),
  );
  if ("error" in answer)
    return {
      target,
      link: "endpoint",
      message: `${target}: signal endpoint in ${region} unreachable (${answer.error})`,
      fix: `${deploy} (the signal function in ${region}), or correct FAILOVER_SIGNAL_ENDPOINTS`,
    };
  // A status check reads any 2xx/3xx as drain: a serve answered 200 (a signal function older than 2026-12) would drain.
  const drains = answer.status === 200 && answer.body.startsWith(drainMarker(target));
  const serves = answer.status === SERVE_STATUS && answer.body.startsWith(serveMarker(target));
  if (!drains && !serves)
    return {
      target,
      link: "endpoint",
      message: `${target}: signal endpoint in ${region} answered ${answer.status} "${answer.body.trim().slice(0, 60)}"${checkerSucceeds(answer.status) ? ", which a health check reads as drain" : ""}`,
      fix: `${deploy} (the signal function in ${region} must answer 200 "${drainMarker(target)}" or ${SERVE_STATUS} "${serveMarker(target)}")`,
    };
  return undefined;
}

/** Each record set of `target` that is missing or not tied to its calculated check `id` (undefined: none exists yet). */
function recordLinks(snapshot: ZoneSnapshot, target: string, id: string | undefined, init: string): BrokenLink[] {
  return Object.entries(snapshot.records).flatMap(([name, byTarget]): BrokenLink[] => {
    const set = byTarget[target];
    if (set === undefined)
      return [
        {
          target,
          link: "record",
          message: `${target}: no record set ${name}`,
          fix: "failover init --direct --yes (creates the records when none exist)",
        },
      ];
    if (set.HealthCheckId !== undefined && set.HealthCheckId === id) return [];
    const now = set.HealthCheckId ? `tied to ${set.HealthCheckId}` : "without a health check";
    return [
      {
        target,
        link: "record",
        message: `${target}: record ${name} is ${now}${id ? `, not to ${id}` : ""}`,
        fix: init,
      },
    ];
  });
}

/**
 * What differs between a check and what linkDataPlane makes, and how init
 * fixes it (in place, or by replacing the check), if anything differs.
 */
function wrongSettings(
  spec: HealthCheckSpec,
  check: HealthCheckRead,
  init: string,
): { what: string; fix: string } | undefined {
  const wrong = differences(spec, check, [...fixedKeys, ...updatable]);
  if (wrong.length === 0) return undefined;
  return {
    what: wrong
      .map((key) => `${key} ${JSON.stringify(check.spec[key])}, expected ${JSON.stringify(spec[key])}`)
      .join("; "),
    fix: wrong.some((key) => (fixedKeys as readonly string[]).includes(key))
      ? `${init} (replaces it: Type and RequestInterval cannot be changed in place; the old check is deleted once nothing refers to it)`
      : `${init} (puts the settings right in place)`,
  };
}

/** The keys of `keys` whose value in `check` differs from `spec` (keys `spec` leaves unset are not compared). */
function differences(spec: HealthCheckSpec, check: HealthCheckRead, keys: ReadonlyArray<keyof HealthCheckSpec>) {
  const same = (a: unknown, b: unknown) =>
    Array.isArray(a) && Array.isArray(b) ? [...a].sort().join(",") === [...b].sort().join(",") : a === b;
  return keys.filter((key) => spec[key] !== undefined && !same(spec[key], check.spec[key]));
}

async function defaultFetch(url: string): Promise<{ status: number; body: string }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(4000) });
  return { status: response.status, body: await response.text() };
}
