/** What a command may touch of the process: injected so tests run commands in-process. */
export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  env: Record<string, string | undefined>;
  stdin?: NodeJS.ReadableStream;
  isTTY: boolean;
}

/** One `failover <name>` command. Exit codes: 0 ok, 1 an expectation or operation failed, 2 bad input. */
export interface CliCommand {
  name: string;
  /** One line for `failover --help`. */
  summary: string;
  /** Full usage text for `failover <name> --help` and usage errors. */
  usage: string;
  run(args: string[], io: CliIO): Promise<number>;
}
