import { SERVE_STATUS } from "./health-checks.ts";

/**
 * Pure checks of where the signal path points: each control region's checks
 * must ask that region's own endpoint, and what Route 53's checkers report
 * must be one of the two signal answers.
 */

/** The AWS region a host name belongs to, when it names one (function URLs, S3 websites, API Gateway...). */
export function awsRegionOfHost(host: string): string | undefined {
  return /(?:^|[.-])([a-z]{2}(?:-gov)?-[a-z]+-\d+)\.(?:on\.aws|amazonaws\.com(?:\.cn)?)$/.exec(host.toLowerCase())?.[1];
}

/** One control region whose signal endpoint is not its own. */
export interface MisplacedEndpoint {
  region: string;
  message: string;
}

/**
 * What is wrong with where each control region's signal is read (region →
 * URL): two regions given one endpoint (one region's store would decide both,
 * and losing it would silence both), or a host that names another AWS region.
 */
export function misplacedEndpoints(byRegion: Readonly<Record<string, string>>): MisplacedEndpoint[] {
  const found: MisplacedEndpoint[] = [];
  const seen = new Map<string, string>();
  for (const [region, url] of Object.entries(byRegion)) {
    const parsed = new URL(url);
    const port = parsed.port || (parsed.protocol === "https:" ? "443" : "80");
    const key = `${parsed.hostname.toLowerCase()}:${port}${parsed.pathname.replace(/\/$/, "")}`;
    const other = seen.get(key);
    if (other !== undefined)
      found.push({
        region,
        message: `control regions ${other} and ${region} are given the same signal endpoint ${parsed.host}: each region's checks must ask that region's endpoint, or one region's store decides both`,
      });
    else seen.set(key, region);
    const named = awsRegionOfHost(parsed.hostname);
    if (named !== undefined && named !== region)
      found.push({ region, message: `the signal endpoint given for ${region} (${parsed.hostname}) is in ${named}` });
  }
  return found;
}

/**
 * Whether a checker's status (GetHealthCheckStatus) is one of the two
 * signal answers: `Success` (a 2xx: drain), a failure with HTTP status code
 * 404 (the endpoint's serve answer, SERVE_STATUS), or, for a string-match
 * check made before 2026-12, a failure saying the search string was not
 * found. Anything else (no connection, a TLS failure, another HTTP error
 * status, a timeout) means the checker cannot read the signal, which an
 * inverted check counts as "serve": the path is broken. AWS does not
 * document the reason texts; a status code is read from "status code <n>",
 * a miss by "string" and "not found" without a status code.
 */
export function isSignalAnswer(status: string): boolean {
  if (/^Success/i.test(status)) return true;
  const code = /status code:? (\d{3})/i.exec(status)?.[1];
  if (code !== undefined) return Number(code) === SERVE_STATUS;
  return /\bstring\b/i.test(status) && /\bnot (been )?found\b/i.test(status);
}
