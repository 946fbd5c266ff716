import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { FailoverError } from "../errors.ts";
import { clientConfig, type AwsClientOptions } from "./client-config.ts";
import { awsFailure, failureCodes } from "./failure.ts";
import {
  describeAwsError,
  neverSent,
  retrySettings,
  withRetry,
  type GiveUp,
  type RetryOptions,
  type RetrySettings,
} from "./retry.ts";
import { CallStats } from "./stats.ts";

/**
 * Lambda adapter: the only module that imports `@aws-sdk/client-lambda`.
 * Invokes a function by name with a JSON event and returns its JSON result
 * (the `failover` CLI calling the manual failover function).
 */

export interface LambdaInvokerOptions extends AwsClientOptions {
  /** Region of the function. @default "us-east-1" */
  region?: string;
  /** A ready client. @default a client from `region`/`endpoint`/`credentials` */
  client?: LambdaClient;
  /** Retry budget per call; only throttling and 5xx before the function ran are retried. @default 30 s budget, 25 s per attempt */
  retry?: RetryOptions;
  /** Shared call counters. @default a new CallStats */
  stats?: CallStats;
}

export class LambdaInvoker {
  readonly stats: CallStats;
  private readonly client: LambdaClient;
  private readonly retry: RetrySettings;

  constructor(options: LambdaInvokerOptions = {}) {
    this.client = options.client ?? new LambdaClient(clientConfig(options.region ?? "us-east-1", options));
    this.stats = options.stats ?? new CallStats();
    this.stats.attachTo(this.client);
    this.retry = retrySettings({ budgetMs: 30_000, attemptTimeoutMs: 25_000, ...options.retry });
  }

  /**
   * Invokes `functionName` synchronously with `event` (JSON) and returns the
   * parsed JSON result. A function error becomes LAMBDA_FUNCTION_ERROR with
   * the function's own error message.
   *
   * With `repeatable: false` (a change that is not idempotent) a failure
   * after which the function may have run (timeout, reset, 5xx) is not
   * retried: it becomes LAMBDA_OUTCOME_UNKNOWN at once, because Lambda keeps
   * running a request its caller gave up on, and a second one would run too.
   * Throttling and a refused connection are still retried: the function did
   * not run.
   */
  async invoke(functionName: string, event: unknown, options: { repeatable?: boolean } = {}): Promise<unknown> {
    const repeatable = options.repeatable ?? true;
    const payload = new TextEncoder().encode(JSON.stringify(event ?? {}));
    const output = await withRetry(
      (signal) =>
        this.client.send(
          new InvokeCommand({ FunctionName: functionName, InvocationType: "RequestResponse", Payload: payload }),
          { abortSignal: signal },
        ),
      this.retry,
      (giveUp) =>
        !repeatable && giveUp.kind === "unavailable" && !neverSent(giveUp.cause)
          ? outcomeUnknown(functionName, giveUp)
          : lambdaFailure(functionName, giveUp),
      (kind, cause) => kind === "throttled" || (kind === "unavailable" && (repeatable || neverSent(cause))),
    );
    const text = output.Payload ? new TextDecoder().decode(output.Payload) : "";
    let result: unknown;
    try {
      result = text === "" ? undefined : JSON.parse(text);
    } catch (cause) {
      throw new FailoverError("LAMBDA_BAD_ANSWER", `function ${functionName} returned something that is not JSON`, {
        cause,
      });
    }
    if (output.FunctionError) {
      const detail = (result as { errorMessage?: string } | undefined)?.errorMessage ?? output.FunctionError;
      throw new FailoverError("LAMBDA_FUNCTION_ERROR", `function ${functionName} failed: ${detail}`, {
        hint: "See the function's CloudWatch logs for details.",
      });
    }
    return result;
  }

  /**
   * Queues `event` for `functionName` (InvocationType Event) and returns once
   * Lambda has accepted it, without waiting for the function to run. A
   * failure before Lambda answered is not retried, unless the request was
   * never sent: an accepted event that is sent again would run twice.
   */
  async invokeAsync(functionName: string, event: unknown): Promise<void> {
    const payload = new TextEncoder().encode(JSON.stringify(event ?? {}));
    await withRetry(
      (signal) =>
        this.client.send(new InvokeCommand({ FunctionName: functionName, InvocationType: "Event", Payload: payload }), {
          abortSignal: signal,
        }),
      this.retry,
      (giveUp) => lambdaFailure(functionName, giveUp),
      (kind, cause) => kind === "throttled" || (kind === "unavailable" && neverSent(cause)),
    );
  }
}

function outcomeUnknown(functionName: string, { cause }: GiveUp): FailoverError {
  return new FailoverError(
    "LAMBDA_OUTCOME_UNKNOWN",
    `${functionName} did not answer (${describeAwsError(cause)}); it may have run and applied the change, and Lambda finishes a request its caller gave up on, so it was not sent again`,
    { cause, hint: "Run `failover status` to see what is in place before you repeat the command." },
  );
}

function lambdaFailure(functionName: string, giveUp: GiveUp): FailoverError {
  const { cause } = giveUp;
  if ((cause as { name?: string } | undefined)?.name === "ResourceNotFoundException") {
    return new FailoverError("LAMBDA_NOT_FOUND", `function ${functionName} does not exist in this region`, {
      cause,
      hint: "Deploy the stacks (`npx sst deploy`) or pass the right region/function name.",
    });
  }
  const unreachable = "Lambda is unreachable in this region; try the other control region.";
  const failure = awsFailure(
    {
      service: "Lambda",
      operation: `Invoke ${functionName}`,
      codes: failureCodes("LAMBDA"),
      hints: {
        throttled: unreachable,
        unavailable: unreachable,
        "bad-answer": unreachable,
        rejected: "Check the IAM permission lambda:InvokeFunction and the function name.",
      },
    },
    giveUp,
  );
  return new FailoverError(failure.code, failure.message, failure.options);
}
