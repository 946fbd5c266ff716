import { handleManualEvent } from "../functions/lib/manual/handle-event.ts";
import { describeError } from "../functions/lib/errors.ts";
import { controlRegionsDown, type ManualStep } from "../offline/scenario.ts";
import { TimingDraws } from "../offline/timing.ts";
import { faultBoundaries, silentVantages } from "./faults.ts";
import { LoadGuard } from "./load-guard.ts";
import type { DrillSession } from "./session.ts";
import type { DrillParts } from "./parts/start-parts.ts";
import { describeFault, formatClock } from "./timeline.ts";

/** Work started during the scenario: what is still running, and what wind-down waits for. */
export interface InFlight {
  running: Set<Promise<unknown>>;
  background: Array<Promise<unknown>>;
}

/**
 * Runs the scenario on the drill clock: every function invoked each virtual
 * minute as EventBridge would, the alarm evaluator, fault boundaries, the
 * record watcher and the clients, with a progress line; returns at the
 * scenario's end (or when the clock stops).
 */
export async function runScenario(session: DrillSession, parts: DrillParts): Promise<InFlight> {
  const { clock, printer, scenario, startMs, endMs } = session;
  const { config } = parts;
  clock.restart();
  parts.aws.arm();
  // The proxies opened or closed their ports on the clock as it ran during set-up; a slow set-up
  // (a busy machine: 25 s at 40x is 1,000 simulated seconds) left them in a fault of the scenario's middle.
  await Promise.all(parts.proxies.map((proxy) => proxy.refresh()));
  await parts.watcher.poll();
  printer.event(
    startMs,
    `drill started: ${scenario.name}, ${scenario.durationSeconds} s at ${session.options.speed}x (${config.targets.length} targets, ${config.vantages.length} vantages, ${config.controlRegions.length} control regions)`,
  );
  const inFlight: InFlight = { running: new Set(), background: [] };
  const track = tracker(session, inFlight);
  // EventBridge invokes each function once a minute, at the scenario's timing (offline/timing.ts: the
  // function's second plus jitter, sometimes missed, sometimes cold), drawn as the replay draws them;
  // a down vantage's function does not run.
  const draws = new TimingDraws(scenario.timing, scenario.seed);
  for (const probe of parts.probes) {
    const arrival = (minute: number) => draws.invocationMs("probe", config.vantages.indexOf(probe.vantage), minute);
    everyMinute(session, track, arrivalOffset(arrival), `probe ${probe.vantage}`, async (at, minute) => {
      if (silentVantages(scenario.faults, config.vantages, (at - startMs) / 1000).has(probe.vantage)) return;
      // A cold start spends part of the invocation's timeout before the handler runs.
      const coldMs = arrival(minute)?.coldMs ?? 0;
      const run = await probe.handler({}, { getRemainingTimeInMillis: () => 60_000 - coldMs - (clock.now() - at) });
      if (run.skipped.length > 0) session.onSkippedRounds(`probe ${probe.vantage}`, run.skipped.length);
    });
  }
  for (const decider of parts.deciders) {
    const arrival = (minute: number) =>
      draws.invocationMs("decider", config.controlRegions.indexOf(decider.controlRegion), minute);
    // A lost control region's decider does not run (its calls would fail anyway: see ./aws-faults.ts).
    everyMinute(session, track, arrivalOffset(arrival), `decider ${decider.controlRegion}`, async (at) => {
      const second = (at - startMs) / 1000;
      if (controlRegionsDown(scenario.faults, second).has(decider.controlRegion)) return;
      parts.deciderRounds[decider.controlRegion]?.push(Math.round(second));
      await decider.handler.run(parts.budgetMs);
    });
  }
  // CloudWatch evaluates a minute's alarms shortly after it closes.
  everyMinute(session, track, 20_000, "alarm evaluator", async (at) => {
    await parts.evaluator.evaluate(at, controlRegionsDown(scenario.faults, (at - startMs) / 1000));
    for (const error of parts.evaluator.errors.splice(0)) session.problem(error);
  });
  if (session.options.loadGuard !== false) guardLoad(session, parts, track);
  track(scheduleFaults(session, parts), "fault scheduler");
  for (const step of scenario.manual) track(runManualStep(session, parts, step), `manual ${step.action}`);
  for (const step of scenario.alarms)
    track(
      clock.sleepUntil(startMs + step.at * 1000).then(async () => {
        if (clock.isStopped) return;
        await parts.practiceAlarms.set(step.region, step.name, step.state);
        printer.event(clock.now(), `alarm ${step.name} (${step.region}) → ${step.state}`);
      }),
      `alarm ${step.name}`,
    );
  track(parts.watcher.run(endMs), "record watcher");
  parts.clients.start(endMs);
  parts.realDns?.start();
  parts.dataPlane.evaluator.start(endMs);
  const progress = setInterval(() => printer.progress(progressLine(session, parts)), 500);
  await clock.sleepUntil(endMs);
  clearInterval(progress);
  printer.endProgress();
  return inFlight;
}

type Track = (promise: Promise<unknown>, what: string) => void;

/** Once a simulated minute: has the machine kept up with the compressed clock? If not, stop (exit 3). */
function guardLoad(session: DrillSession, parts: DrillParts, track: Track): void {
  const { clock, printer, startMs } = session;
  const guard = new LoadGuard({ speed: session.options.speed, lag: parts.lag, emulatorUrl: parts.emulatorUrl });
  guard.start();
  session.onSkippedRounds = (who, count) => guard.noteSkippedRounds(who, count);
  session.failedUnderStrain = () => guard.failedUnderStrain();
  session.loadHeadroom = () => guard.headroom();
  session.onClose(async () => guard.stop());
  everyMinute(session, track, 30_000, "load guard", async (at) => {
    const tooBusy = guard.check((at - startMs) / 1000);
    if (tooBusy === undefined || session.tooBusy !== undefined) return;
    session.tooBusy = tooBusy;
    printer.event(at, `stopped: ${tooBusy.message}`);
    clock.stop();
  });
}

/** On-call's change at its time, as `failover <action> --direct` sends it (or through Slack); the answer goes on the timeline. */
async function runManualStep(session: DrillSession, parts: DrillParts, step: ManualStep): Promise<void> {
  const { clock, printer } = session;
  await clock.sleepUntil(session.startMs + step.at * 1000);
  if (clock.isStopped) return;
  if (step.via === "slack") {
    if (parts.slackDrill === undefined) throw new Error("a Slack step without the Slack command set up");
    printer.event(clock.now(), await parts.slackDrill.run(step));
    return;
  }
  const { at: _at, via: _via, ...event } = step;
  const answer = await handleManualEvent(parts.manual, event);
  const what = `manual ${step.action}${step.target ? ` ${step.target}` : ""} by ${step.actor}`;
  printer.event(
    clock.now(),
    answer.ok ? `${what}: ${"shift" in answer ? answer.shift : "done"}` : `${what} failed: ${answer.error.message}`,
  );
  if (!answer.ok) session.problem(`${what} at ${step.at} s failed: ${answer.error.message}`);
}

/** Tracks a piece of work: a failure becomes a problem; an invocation still running when the drill stops is not waited for (its clock is frozen). */
function tracker(session: DrillSession, inFlight: InFlight): Track {
  return (promise, what) => {
    const settled = promise.catch((error: unknown) => session.problem(`${what}: ${describeError(error)}`));
    inFlight.running.add(settled);
    void settled.finally(() => inFlight.running.delete(settled));
    inFlight.background.push(Promise.race([settled, session.clock.whenStopped]));
  };
}

/** An invocation's start, ms into its minute (arrival plus cold start), or undefined when it is missed. */
function arrivalOffset(
  arrival: (minute: number) => { arriveMs: number; coldMs: number } | undefined,
): (minute: number) => number | undefined {
  return (minute) => {
    const invocation = arrival(minute);
    return invocation === undefined ? undefined : invocation.arriveMs + invocation.coldMs;
  };
}

/**
 * Runs `run` at `offsetMs` into every virtual minute of the scenario (a
 * function of the minute: undefined skips that minute), without waiting for
 * the previous run.
 */
function everyMinute(
  session: DrillSession,
  track: Track,
  offsetMs: number | ((minute: number) => number | undefined),
  what: string,
  run: (startAt: number, minute: number) => Promise<unknown>,
): void {
  const { clock, scenario, startMs, endMs } = session;
  track(
    (async () => {
      for (let minute = 0; minute * 60_000 < scenario.durationSeconds * 1000; minute++) {
        const offset = typeof offsetMs === "number" ? offsetMs : offsetMs(minute);
        if (offset === undefined) continue;
        const at = startMs + minute * 60_000 + offset;
        if (at >= endMs) break;
        await clock.sleepUntil(at);
        if (clock.isStopped) break;
        track(run(at, minute), what);
      }
    })(),
    what,
  );
}

/** Refreshes every fault proxy at each fault boundary and prints the fault starting or ending. */
async function scheduleFaults(session: DrillSession, parts: DrillParts): Promise<void> {
  const { clock, printer, scenario, startMs } = session;
  const { proxies, config } = parts;
  for (const second of faultBoundaries(scenario.faults)) {
    if (second > scenario.durationSeconds) break;
    // A second early (a closed port reopens before its fault ends; see FaultProxy.refresh), then on the boundary.
    await clock.sleepUntil(startMs + (second - 1) * 1000);
    if (clock.isStopped) break;
    await Promise.all(proxies.map((proxy) => proxy.refresh()));
    await clock.sleepUntil(startMs + second * 1000);
    if (clock.isStopped) break;
    await Promise.all(proxies.map((proxy) => proxy.refresh()));
    for (const fault of scenario.faults) {
      if (fault.start === second) printer.event(startMs + second * 1000, describeFault(fault, config.vantages));
      else if (fault.end === second && fault.kind !== "loss")
        printer.event(
          startMs + second * 1000,
          `${describeFault(fault, config.vantages).split(":")[0]}: ${fault.kind} over`,
        );
    }
  }
}

function progressLine(session: DrillSession, parts: DrillParts): string {
  const { clock, scenario } = session;
  const totals = parts.clients.totals();
  const weights = parts.watcher.current ?? {};
  const percent = Math.min(100, Math.round((clock.elapsedSeconds() / scenario.durationSeconds) * 100));
  const shown = parts.targetIds.map((id) => `${id} ${weights[id] ?? "?"}`).join(" ");
  return `${formatClock(clock.now())}  ${percent}%  weights ${shown}  clients ${totals.requests} req ${totals.errors} err  Slack ${parts.slack.messages.length}`;
}

/** Stops the clock (waking every loop) and the clients, and lets in-flight work finish; frozen invocations never will. */
export async function windDown(session: DrillSession, parts: DrillParts, inFlight: InFlight): Promise<void> {
  const { clock } = session;
  clock.stop();
  await parts.clients.stop();
  await parts.realDns?.stop();
  await parts.dataPlane.evaluator.stop();
  await settle(inFlight.background, 15_000);
  // Rounds that were mid-flight at the end finish their writes; frozen invocations never will.
  for (let i = 0; i < 250 && inFlight.running.size > clock.frozen; i++)
    await new Promise((resolve) => setTimeout(resolve, 20));
  await parts.watcher.poll();
}

/** Waits for every promise, at most `timeoutMs` (a stuck one is left behind, its parts get closed). */
async function settle(promises: Array<Promise<unknown>>, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.allSettled(promises),
    new Promise((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    }),
  ]);
  clearTimeout(timer);
}
