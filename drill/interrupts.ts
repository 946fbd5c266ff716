/**
 * The CLI's Ctrl-C: the first SIGINT or SIGTERM aborts the drill (it stops
 * everything it started and still writes its summary); a second one does not
 * wait: it kills every process the drill started, by pid, and exits 130. At
 * exit, any process still registered is killed too.
 */
export class DrillInterrupts {
  readonly controller = new AbortController();
  private readonly pids = new Map<number, string>();
  private count = 0;

  constructor(private readonly stderr: (text: string) => void) {
    const onSignal = (signal: NodeJS.Signals) => this.interrupted(signal);
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    process.on("exit", () => this.killAll());
  }

  /** A process the drill started (the emulator, an optional part), to kill if the drill cannot stop it. */
  started(name: string, pid: number): void {
    this.pids.set(pid, name);
  }

  /** The drill has stopped what it started: nothing to kill any more. */
  stopped(): void {
    this.pids.clear();
  }

  private interrupted(signal: NodeJS.Signals): void {
    this.count++;
    if (this.count === 1) {
      this.stderr(`\n${signal}: stopping the drill and everything it started…\n`);
      this.controller.abort();
      return;
    }
    // A second Ctrl-C: do not wait for a clean stop.
    this.killAll();
    process.exit(130);
  }

  private killAll(): void {
    for (const pid of this.pids.keys()) {
      try {
        process.kill(pid, "SIGTERM");
      } catch {
        // already gone
      }
    }
    this.pids.clear();
  }
}
