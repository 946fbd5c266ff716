import type { SNSClient } from "@aws-sdk/client-sns";
import { FailoverError } from "../errors.ts";
import { clientConfig, type AwsClientOptions } from "./client-config.ts";
import { awsFailure, failureCodes } from "./failure.ts";
import { retrySettings, withRetry, type GiveUp, type RetryOptions, type RetrySettings } from "./retry.ts";
import { CallStats } from "./stats.ts";
import { requireSdk } from "./require-sdk.ts";

let loadedSdk: typeof import("@aws-sdk/client-sns") | undefined;

/**
 * The SDK, loaded when a publisher is first made: the decider and the manual
 * failover function publish only when traffic moves, and loading it at
 * import cost their every cold start about 100 ms (docs/performance.md).
 */
function snsSdk(): typeof import("@aws-sdk/client-sns") {
  loadedSdk ??= requireSdk<typeof import("@aws-sdk/client-sns")>("@aws-sdk/client-sns");
  return loadedSdk;
}

/**
 * SNS adapter: the only module that imports `@aws-sdk/client-sns`. The
 * deciders and the manual failover function publish failover events to the
 * alert topics (../wiring/alert-announcer.ts); `createTopic`/`subscribe` exist for
 * setting up the emulator, where the stacks do it in AWS.
 */

export interface SnsPublisherOptions extends AwsClientOptions {
  /** Region of the topic. @default "us-east-1" */
  region?: string;
  /** A ready client. @default a client from `region`/`endpoint`/`credentials` */
  client?: SNSClient;
  /** Retry budget per call. @default 4 s budget, 3 s per attempt */
  retry?: RetryOptions;
  /** Shared call counters. @default a new CallStats */
  stats?: CallStats;
}

export class SnsPublisher {
  readonly stats: CallStats;
  private readonly sdk = snsSdk();
  private readonly client: SNSClient;
  private readonly retry: RetrySettings;

  constructor(options: SnsPublisherOptions = {}) {
    this.client = options.client ?? new this.sdk.SNSClient(clientConfig(options.region ?? "us-east-1", options));
    this.stats = options.stats ?? new CallStats();
    this.stats.attachTo(this.client);
    this.retry = retrySettings({ budgetMs: 4000, ...options.retry });
  }

  /** Publishes `message` (a string, or JSON-serialised) to the topic; returns the SNS message id. */
  async publish(topicArn: string, message: unknown, subject?: string): Promise<{ messageId: string }> {
    const body = typeof message === "string" ? message : JSON.stringify(message);
    const output = await this.call("Publish", (signal) =>
      this.client.send(
        new this.sdk.PublishCommand({ TopicArn: topicArn, Message: body, ...(subject ? { Subject: subject } : {}) }),
        { abortSignal: signal },
      ),
    );
    if (!output.MessageId)
      throw new FailoverError("SNS_BAD_ANSWER", `SNS Publish to ${topicArn} returned no MessageId`);
    return { messageId: output.MessageId };
  }

  /** Creates (or finds) a topic by name; returns its ARN. */
  async createTopic(name: string): Promise<string> {
    const output = await this.call("CreateTopic", (signal) =>
      this.client.send(new this.sdk.CreateTopicCommand({ Name: name }), { abortSignal: signal }),
    );
    if (!output.TopicArn) throw new FailoverError("SNS_BAD_ANSWER", `SNS CreateTopic ${name} returned no TopicArn`);
    return output.TopicArn;
  }

  /** Subscribes an http(s) endpoint or a Lambda/SQS ARN to the topic; returns the subscription ARN. */
  async subscribe(
    topicArn: string,
    protocol: "http" | "https" | "lambda" | "sqs" | "email",
    endpoint: string,
  ): Promise<string> {
    const output = await this.call("Subscribe", (signal) =>
      this.client.send(
        new this.sdk.SubscribeCommand({
          TopicArn: topicArn,
          Protocol: protocol,
          Endpoint: endpoint,
          ReturnSubscriptionArn: true,
        }),
        { abortSignal: signal },
      ),
    );
    return output.SubscriptionArn ?? "";
  }

  private call<T>(operation: string, send: (signal: AbortSignal) => Promise<T>): Promise<T> {
    return withRetry(send, this.retry, (giveUp) => snsFailure(operation, giveUp));
  }
}

function snsFailure(operation: string, giveUp: GiveUp): FailoverError {
  const unreachable = "SNS is unreachable or failing; the alarm will fire again on its next evaluation.";
  const failure = awsFailure(
    {
      service: "SNS",
      operation,
      codes: failureCodes("SNS"),
      hints: {
        throttled: unreachable,
        unavailable: unreachable,
        "bad-answer": unreachable,
        rejected: "Check the topic ARN and the IAM permission sns:Publish.",
      },
    },
    giveUp,
  );
  return new FailoverError(failure.code, failure.message, failure.options);
}
