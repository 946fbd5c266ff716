import { createWriteStream, mkdirSync } from "node:fs";
import { join } from "node:path";
import { createLogger, type Logger } from "../functions/lib/log.ts";
import { SCENARIO_EPOCH } from "../offline/replay/run.ts";
import type { Scenario } from "../offline/scenario.ts";
import { DrillClock } from "./clock.ts";
import { TimelinePrinter } from "./timeline.ts";
import type { LoadHeadroom, TooBusy } from "./load-guard.ts";

export interface DrillOptions {
  scenario: Scenario;
  /** Virtual seconds per wall second. */
  speed: number;
  /** Where summary.json, report.html and drill.log go (created). */
  outDir: string;
  /** Output for the timeline. @default process.stdout.write */
  write?: (text: string) => void;
  /** Draw a progress line (stdout is a terminal). @default false */
  isTTY?: boolean;
  /** Simulated clients. @default 30 clients, one request each per 15 s */
  clients?: { count?: number; requestIntervalSeconds?: number };
  /** Aborting stops the drill early (Ctrl-C); everything started is still stopped. @default none: runs to the end */
  signal?: AbortSignal;
  /**
   * Told each process the drill starts (the emulator, and any optional part that is a process), once it runs:
   * the CLI kills them by pid on a second Ctrl-C or at exit. @default none
   */
  onProcessStarted?: (name: string, pid: number) => void;
  /**
   * Stop early (exit 3, no verdict) when the machine cannot keep the compressed clock (./load-guard.ts).
   * Off only for runs that check what is said and done, never how fast: a slow machine then runs the
   * scenario late instead of stopping before its later steps. @default true
   */
  loadGuard?: boolean;
  /**
   * `real`: also serve the records from PowerDNS behind unbound resolvers to real clients of every kind
   * (drill/dns/), measured in summary.json's `dns` section. @default "model": the modelled clients only
   */
  dns?: "model" | "real";
}

/** Where a drill writes its results. */
export interface DrillFiles {
  summary: string;
  report: string;
  log: string;
}

/**
 * What every phase of one drill shares: its options, clock, log, timeline,
 * problems, and the parts to stop at the end (the tear-down: each part
 * registers its stop as it starts; {@link DrillSession.end} stops them all).
 */
export interface DrillSession {
  options: DrillOptions;
  scenario: Scenario;
  files: DrillFiles;
  log: Logger;
  printer: TimelinePrinter;
  clock: DrillClock;
  /** Virtual epoch ms of the scenario's second 0 and of its end. */
  startMs: number;
  endMs: number;
  /** performance.now() and process CPU seconds when the drill began. */
  wallStart: number;
  cpuStart: number;
  /** Set when the drill's signal aborts. */
  interrupted: boolean;
  /** Set when the machine could not keep the compressed clock and the drill stopped early (exit 3). */
  tooBusy: TooBusy | undefined;
  /** After a run that failed an expectation: no verdict if the machine could not keep the clock in some minute (the load guard answers). @default none */
  failedUnderStrain: () => TooBusy | undefined;
  /** How close the run came to the load guard's bounds (the load guard answers). @default undefined: no guard */
  loadHeadroom: () => LoadHeadroom | undefined;
  /** Told of rounds the probes or deciders skipped because the round before overran (the load guard listens). @default ignores them */
  onSkippedRounds: (who: string, count: number) => void;
  /** Up to 50 problems for the summary; every one is logged. */
  problems: string[];
  problem(text: string): void;
  /** Registers a part to stop; parts stop in reverse order, once. */
  onClose(close: () => Promise<unknown>): void;
  /** Registers a process the drill started (a part to stop, as {@link onClose}) and tells `options.onProcessStarted` its pid. */
  startedProcess(name: string, pid: number, stop: () => Promise<unknown>): void;
  closeAll(): Promise<void>;
  /** Throws {@link DrillInterrupted} if the signal has aborted (between set-up steps). */
  checkAborted(): void;
  /** Stops the clock and every part, detaches from the signal and closes the log. */
  end(): Promise<void>;
}

/** Thrown when the drill is interrupted during set-up (nothing to score yet). */
export class DrillInterrupted extends Error {
  constructor() {
    super("the drill was interrupted");
  }
}

/** Creates the output folder, the log and the drill clock, and listens for the abort signal. */
export function openSession(options: DrillOptions): DrillSession {
  const wallStart = performance.now();
  const cpuStart = (process.cpuUsage().user + process.cpuUsage().system) / 1e6;
  const write = options.write ?? ((text: string) => void process.stdout.write(text));
  mkdirSync(options.outDir, { recursive: true });
  const files = {
    summary: join(options.outDir, "summary.json"),
    report: join(options.outDir, "report.html"),
    log: join(options.outDir, "drill.log"),
  };
  const logStream = createWriteStream(files.log);
  const log = createLogger({ write: (line) => void logStream.write(line), level: "info" });
  const startMs = SCENARIO_EPOCH * 1000;
  const clock = new DrillClock({ startMs, speed: options.speed });
  const closers: Array<() => Promise<unknown>> = [];
  const onAbort = () => {
    session.interrupted = true;
    clock.stop();
  };
  const session: DrillSession = {
    options,
    scenario: options.scenario,
    files,
    log,
    printer: new TimelinePrinter({ write, isTTY: options.isTTY ?? false }),
    clock,
    startMs,
    endMs: startMs + options.scenario.durationSeconds * 1000,
    onSkippedRounds: () => undefined,
    failedUnderStrain: () => undefined,
    loadHeadroom: () => undefined,
    wallStart,
    cpuStart,
    interrupted: false,
    tooBusy: undefined,
    problems: [],
    problem(text) {
      if (session.problems.length < 50) session.problems.push(text);
      log.warn(text);
    },
    onClose: (close) => void closers.push(close),
    startedProcess(name, pid, stop) {
      closers.push(stop);
      options.onProcessStarted?.(name, pid);
    },
    // Everything started is stopped in reverse order, once (also on errors and interrupts).
    async closeAll() {
      for (const close of closers.splice(0).reverse())
        await close().catch((error: unknown) => log.warn("closing a drill part failed", { error }));
    },
    checkAborted() {
      if (options.signal?.aborted === true) throw new DrillInterrupted();
    },
    async end() {
      options.signal?.removeEventListener("abort", onAbort);
      clock.stop();
      await session.closeAll();
      await new Promise<void>((resolve) => logStream.end(() => resolve()));
    },
  };
  options.signal?.addEventListener("abort", onAbort, { once: true });
  return session;
}
