import { createServer } from "node:http";
import { LoopbackListener } from "./net.ts";

/** The JSON envelope SNS POSTs to an `http` subscriber. */
export interface SnsEnvelope {
  Type: string;
  MessageId: string;
  TopicArn: string;
  Subject?: string | null;
  Message: string;
  Timestamp: string;
}

/** A local HTTP endpoint subscribed to an SNS topic. */
export interface SnsEndpoint {
  url: string;
  /** Deliveries received (each SNS POST). */
  readonly received: number;
  close(): Promise<void>;
}

/**
 * Starts an HTTP endpoint for SNS's deliveries and hands each notification
 * to `deliver` (the drill wires the notify handler there, in Lambda's SNS
 * event shape). Answers 200 at once and delivers after, as SNS invokes a
 * subscribed Lambda asynchronously; errors thrown by `deliver` go to `onError`.
 */
export async function startSnsEndpoint(options: {
  deliver: (envelope: SnsEnvelope) => Promise<void>;
  /** Called with errors thrown by `deliver` (the drill logs them). */
  onError?: (error: unknown) => void;
}): Promise<SnsEndpoint> {
  let received = 0;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      received++;
      let envelope: SnsEnvelope;
      try {
        envelope = JSON.parse(Buffer.concat(chunks).toString("utf8")) as SnsEnvelope;
      } catch (error) {
        options.onError?.(error);
        response.writeHead(400).end();
        return;
      }
      if (envelope.Type !== "Notification") {
        // moto does not send SubscriptionConfirmation; anything else is ignored.
        response.writeHead(200).end();
        return;
      }
      // Answered at once, the notifier run after: moto delivers inside Publish, so a slow notifier would make the
      // publisher time out and publish again (AWS answers Publish first and invokes the Lambda asynchronously).
      response.writeHead(200).end();
      options.deliver(envelope).catch((error: unknown) => options.onError?.(error));
    });
  });
  const listener = new LoopbackListener(server);
  const port = await listener.listen();
  return {
    url: `http://127.0.0.1:${port}/sns`,
    get received() {
      return received;
    },
    close: () => listener.close(),
  };
}

/** Turns an SNS HTTP envelope into the event a Lambda subscribed to the topic receives. */
export function snsLambdaEvent(envelope: SnsEnvelope): {
  Records: Array<{
    EventSource: string;
    EventVersion: string;
    EventSubscriptionArn: string;
    Sns: Record<string, unknown>;
  }>;
} {
  return {
    Records: [
      {
        EventSource: "aws:sns",
        EventVersion: "1.0",
        EventSubscriptionArn: `${envelope.TopicArn}:drill`,
        Sns: {
          Type: envelope.Type,
          MessageId: envelope.MessageId,
          TopicArn: envelope.TopicArn,
          Subject: envelope.Subject ?? null,
          Message: envelope.Message,
          Timestamp: envelope.Timestamp,
          SignatureVersion: "1",
          Signature: "drill",
          SigningCertUrl: "",
          UnsubscribeUrl: "",
          MessageAttributes: {},
        },
      },
    ],
  };
}
