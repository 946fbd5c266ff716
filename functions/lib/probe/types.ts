import type { ProbeErrorKind } from "../types.ts";

/**
 * One check, whatever its kind (HTTP(S) now; TCP later fits the same shape).
 * The caller owns the timing: `timeoutMs` is one overall deadline for
 * connect, status and the body read the match needs.
 */
export interface ProbeRequest {
  /** What to check, e.g. `https://use1.api.example.com/health`. */
  url: string;
  /** Overall deadline in milliseconds from the start of the check. */
  timeoutMs: number;
  /** Statuses that count as healthy. */
  expectedStatuses: number[];
  /** Text the body must contain within its first `bodyMatchBytes`; unset: the body is not read. */
  bodyMatch?: string;
  /** How far the body is read looking for `bodyMatch`. */
  bodyMatchBytes: number;
  /** A slower answer fails the check with `latency` (gray failure). Unset: latency never fails a check. */
  maxLatencyMs?: number;
  /** Extra request headers. Never logged. */
  headers: Record<string, string>;
  /** Verify the server certificate (chain, expiry, name). A target turns it off with `skipCertificateCheck`. @default true */
  verifyCertificate?: boolean;
}

/** What a check found. Never an exception. */
export interface ProbeResult {
  ok: boolean;
  /** Final HTTP status, when one arrived. */
  status?: number;
  /** Milliseconds to the status (and to the match when the body is read); the time spent when the check failed. */
  latencyMs: number;
  /** Why it failed; absent when `ok`. */
  errorKind?: ProbeErrorKind;
  /** Short text for people, e.g. `ECONNREFUSED 127.0.0.1:8443`. Never holds headers. */
  detail?: string;
}

/** Runs one check. Resolves (never rejects) by `timeoutMs` plus a little. */
export type Prober = (request: ProbeRequest) => Promise<ProbeResult>;
