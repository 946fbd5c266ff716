import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LambdaInvoker } from "../../functions/lib/aws/lambda.ts";
import { SnsPublisher } from "../../functions/lib/aws/sns.ts";
import type { FailoverError } from "../../functions/lib/errors.ts";
import { startEmulator, type Emulator } from "../../emulator/harness.ts";
import { fastRetry } from "./aws-fixtures.ts";

let emulator: Emulator;
let subscriber: Server;
let subscriberUrl: string;
const received: Array<{ Type?: string; Message?: string; Subject?: string }> = [];
beforeAll(async () => {
  emulator = await startEmulator();
  subscriber = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    req.on("end", () => {
      received.push(JSON.parse(body) as (typeof received)[number]);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => subscriber.listen(0, "127.0.0.1", resolve));
  subscriberUrl = `http://127.0.0.1:${(subscriber.address() as AddressInfo).port}/sns`;
});
afterAll(async () => {
  await new Promise((resolve) => subscriber?.close(resolve));
  await emulator?.stop();
});

describe("SnsPublisher", () => {
  it("publishes a JSON message that reaches an http subscriber", async () => {
    const sns = new SnsPublisher({ endpoint: emulator.url, region: "us-east-2", retry: fastRetry });
    const topic = await sns.createTopic("failover-alarms");
    await sns.subscribe(topic, "http", subscriberUrl);

    const { messageId } = await sns.publish(
      topic,
      { AlarmName: "regional-failover-switchover", NewStateValue: "ALARM" },
      "ALARM",
    );

    expect(messageId).not.toBe("");
    expect(received).toHaveLength(1);
    expect(received[0]?.Subject).toBe("ALARM");
    expect(JSON.parse(received[0]?.Message ?? "{}")).toEqual({
      AlarmName: "regional-failover-switchover",
      NewStateValue: "ALARM",
    });
  });
});

describe("LambdaInvoker", () => {
  it("names a function that does not exist with LAMBDA_NOT_FOUND", async () => {
    const lambda = new LambdaInvoker({ endpoint: emulator.url, region: "us-east-2", retry: fastRetry });

    const error = await lambda.invoke("regional-failover-manual", { action: "status" }).catch((e: unknown) => e);

    expect((error as FailoverError).code).toBe("LAMBDA_NOT_FOUND");
    expect((error as FailoverError).hint).toMatch(/deploy/i);
  });
});
