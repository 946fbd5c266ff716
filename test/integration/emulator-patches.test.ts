import { CloudWatchClient, GetMetricDataCommand, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import {
  type AttributeValue,
  CreateTableCommand,
  type CreateTableCommandInput,
  DynamoDBClient,
  PutItemCommand,
  QueryCommand,
  type QueryCommandInput,
  ScanCommand,
} from "@aws-sdk/client-dynamodb";
import {
  ChangeResourceRecordSetsCommand,
  CreateHealthCheckCommand,
  CreateHostedZoneCommand,
  DeleteHealthCheckCommand,
  GetHealthCheckStatusCommand,
  GetChangeCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
  type Change,
  type ResourceRecordSet,
} from "@aws-sdk/client-route-53";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../emulator/harness.ts";
import { selfSignedCertificate } from "../support/local-servers.ts";
import { VOTES_TABLE_KEYS } from "../../functions/lib/aws/vote-table.ts";

// One test per patch of emulator/moto_launcher.py, each showing the AWS
// behaviour over HTTP with the plain SDK (this file tests the emulator, not our adapters).

let emulator: Emulator;
let route53: Route53Client;
let zoneId: string;
beforeAll(async () => {
  emulator = await startEmulator({ changePendingSeconds: 0.4 });
  route53 = new Route53Client({
    endpoint: emulator.url,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
  });
});
beforeEach(async () => {
  await emulator.reset();
  const zone = await route53.send(
    new CreateHostedZoneCommand({ Name: "example.com", CallerReference: `ref-${Math.random()}` }),
  );
  zoneId = zone.HostedZone?.Id ?? "";
});
afterAll(async () => {
  await emulator?.stop();
});

const weighted = (name: string, id: string, weight: number): ResourceRecordSet => ({
  Name: name,
  Type: "A",
  SetIdentifier: id,
  Weight: weight,
  TTL: 60,
  ResourceRecords: [{ Value: "192.0.2.1" }],
});
const batch = (changes: Change[]) =>
  route53.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zoneId, ChangeBatch: { Changes: changes } }));
const listWeighted = async (name = "api.example.com.") => {
  const out = await route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }));
  return (out.ResourceRecordSets ?? []).filter((r) => r.Name === name).map((r) => `${r.SetIdentifier}=${r.Weight}`);
};

describe("moto launcher patches (AWS behaviour)", () => {
  it("rejects a DELETE that does not match the current record with InvalidChangeBatch, in AWS's error shape", async () => {
    await batch([{ Action: "CREATE", ResourceRecordSet: weighted("api.example.com", "a", 10) }]);

    const error = (await batch([{ Action: "DELETE", ResourceRecordSet: weighted("api.example.com", "a", 99) }]).catch(
      (e: unknown) => e,
    )) as { name: string; message: string; $metadata: { httpStatusCode: number } };

    expect(error.name).toBe("InvalidChangeBatch");
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(error.message).toBe(
      "[Tried to delete resource record set [name='api.example.com.', type='A', set-identifier='a'] but the values provided do not match the current values]",
    );
    expect(await listWeighted()).toEqual(["a=10"]);
  });

  it("applies a batch all or nothing: a failing change undoes the earlier ones", async () => {
    await batch([{ Action: "CREATE", ResourceRecordSet: weighted("api.example.com", "a", 10) }]);

    const error = await batch([
      { Action: "CREATE", ResourceRecordSet: weighted("api.example.com", "b", 20) },
      { Action: "DELETE", ResourceRecordSet: weighted("api.example.com", "missing", 1) },
    ]).catch((e: unknown) => e);

    expect((error as Error).message).toContain("but it was not found");
    expect(await listWeighted()).toEqual(["a=10"]);
  });

  it("refuses to CREATE a record that already exists", async () => {
    await batch([{ Action: "CREATE", ResourceRecordSet: weighted("api.example.com", "a", 10) }]);

    const error = await batch([{ Action: "CREATE", ResourceRecordSet: weighted("api.example.com", "a", 30) }]).catch(
      (e: unknown) => e,
    );

    expect((error as Error).message).toContain(
      "Tried to create resource record set [name='api.example.com.', type='A', set-identifier='a'] but it already exists",
    );
    expect(await listWeighted()).toEqual(["a=10"]);
  });

  it("DELETE removes only the record with its own name, type and SetIdentifier", async () => {
    await batch([
      { Action: "CREATE", ResourceRecordSet: weighted("api.example.com", "primary", 10) },
      { Action: "CREATE", ResourceRecordSet: weighted("www.example.com", "primary", 10) },
    ]);

    await batch([{ Action: "DELETE", ResourceRecordSet: weighted("api.example.com", "primary", 10) }]);

    expect(await listWeighted("api.example.com.")).toEqual([]);
    expect(await listWeighted("www.example.com.")).toEqual(["primary=10"]);
  });

  it("refuses a weighted set beside a simple one (and the reverse), unless the same batch deletes the other first", async () => {
    const simple: ResourceRecordSet = {
      Name: "api.example.com",
      Type: "A",
      TTL: 300,
      ResourceRecords: [{ Value: "192.0.2.9" }],
    };
    await batch([{ Action: "CREATE", ResourceRecordSet: simple }]);

    const beside = await batch([{ Action: "CREATE", ResourceRecordSet: weighted("api.example.com", "a", 10) }]).catch(
      (e: unknown) => e,
    );
    await batch([
      { Action: "DELETE", ResourceRecordSet: simple },
      { Action: "CREATE", ResourceRecordSet: weighted("api.example.com", "a", 10) },
    ]);
    const back = await batch([{ Action: "CREATE", ResourceRecordSet: simple }]).catch((e: unknown) => e);

    expect((beside as Error).message).toBe(
      "[RRSet with DNS name api.example.com., type A, SetIdentifier a cannot be created as a non-weighted set exists with the same name and type.]",
    );
    expect((back as Error).message).toBe(
      "[RRSet with DNS name api.example.com., type A cannot be created as other RRSets exist with the same name and type.]",
    );
    expect(await listWeighted()).toEqual(["a=10"]);
  });

  it("pages inside a weighted group with StartRecordIdentifier / NextRecordIdentifier", async () => {
    await batch(
      ["a", "b", "c", "d", "e"].map((id, i) => ({
        Action: "CREATE" as const,
        ResourceRecordSet: weighted("api.example.com", id, i),
      })),
    );
    const seen: string[] = [];
    let start: { StartRecordName?: string; StartRecordType?: "A"; StartRecordIdentifier?: string } = {
      StartRecordName: "api.example.com",
    };
    const identifiers: Array<string | undefined> = [];

    for (let page = 0; page < 10; page++) {
      const out = await route53.send(
        new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, MaxItems: 2, ...start }),
      );
      seen.push(
        ...(out.ResourceRecordSets ?? [])
          .filter((r) => r.Name === "api.example.com.")
          .map((r) => r.SetIdentifier ?? ""),
      );
      if (!out.IsTruncated) break;
      identifiers.push(out.NextRecordIdentifier);
      start = {
        StartRecordName: out.NextRecordName,
        StartRecordType: out.NextRecordType as "A",
        StartRecordIdentifier: out.NextRecordIdentifier,
      };
    }

    expect(seen).toEqual(["a", "b", "c", "d", "e"]);
    expect(identifiers.filter(Boolean)).toEqual(["c", "e"]);
  });

  it("gives each change its own id, PENDING first and INSYNC after the configured time", async () => {
    const first = await batch([{ Action: "CREATE", ResourceRecordSet: weighted("api.example.com", "a", 1) }]);
    const second = await batch([{ Action: "CREATE", ResourceRecordSet: weighted("api.example.com", "b", 1) }]);

    const early = await route53.send(new GetChangeCommand({ Id: first.ChangeInfo?.Id }));
    await new Promise((resolve) => setTimeout(resolve, 500));
    const later = await route53.send(new GetChangeCommand({ Id: first.ChangeInfo?.Id }));
    const unknown = await route53.send(new GetChangeCommand({ Id: "C0000000000NOSUCH" })).catch((e: unknown) => e);

    expect(first.ChangeInfo?.Id).not.toBe(second.ChangeInfo?.Id);
    expect(first.ChangeInfo?.Status).toBe("PENDING");
    expect(early.ChangeInfo?.Status).toBe("PENDING");
    expect(later.ChangeInfo?.Status).toBe("INSYNC");
    expect((unknown as Error).name).toBe("NoSuchChange");
  });

  it("GetMetricData matches a metric's exact namespace and dimension set (the fast path)", async () => {
    const cloudwatch = new CloudWatchClient({
      endpoint: emulator.url,
      region: "us-east-2",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
      disableRequestCompression: true,
    });
    const at = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 120_000);
    await cloudwatch.send(
      new PutMetricDataCommand({
        Namespace: "Ns",
        MetricData: [
          { MetricName: "Switchover", Value: 1, Timestamp: at },
          { MetricName: "Switchover", Value: 1, Timestamp: at, Dimensions: [{ Name: "Target", Value: "primary" }] },
        ],
      }),
    );
    await cloudwatch.send(
      new PutMetricDataCommand({
        Namespace: "Other",
        MetricData: [
          { MetricName: "Switchover", Value: 5, Timestamp: at, Dimensions: [{ Name: "Target", Value: "primary" }] },
        ],
      }),
    );

    const out = await cloudwatch.send(
      new GetMetricDataCommand({
        StartTime: new Date(at.getTime() - 60_000),
        EndTime: new Date(at.getTime() + 60_000),
        MetricDataQueries: [
          {
            Id: "none",
            MetricStat: { Metric: { Namespace: "Ns", MetricName: "Switchover" }, Period: 60, Stat: "Sum" },
          },
          {
            Id: "target",
            MetricStat: {
              Metric: { Namespace: "Ns", MetricName: "Switchover", Dimensions: [{ Name: "Target", Value: "primary" }] },
              Period: 60,
              Stat: "Sum",
            },
          },
        ],
      }),
    );

    const sums = Object.fromEntries((out.MetricDataResults ?? []).map((r) => [r.Id, r.Values]));
    expect(sums).toEqual({ none: [1], target: [1] });
  });
});

describe("moto launcher patch: GetHealthCheckStatus asks the endpoint (AWS behaviour)", () => {
  it("reports what one checker saw before inversion, and refuses a calculated check", async () => {
    // Prepare: a local endpoint answering "drain primary", and checks looking for that and for another string.
    const { createServer } = await import("node:http");
    const server = createServer((_, res) => res.end("drain primary\n"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    const check = async (search: string, inverted: boolean) =>
      (
        await route53.send(
          new CreateHealthCheckCommand({
            CallerReference: `ref-${Math.random()}`,
            HealthCheckConfig: {
              Type: "HTTP_STR_MATCH",
              FullyQualifiedDomainName: "127.0.0.1",
              Port: port,
              ResourcePath: "/?target=primary",
              SearchString: search,
              Inverted: inverted,
            },
          }),
        )
      ).HealthCheck?.Id ?? "";
    const status = async (id: string) =>
      (await route53.send(new GetHealthCheckStatusCommand({ HealthCheckId: id }))).HealthCheckObservations?.map(
        (o) => o.StatusReport?.Status,
      );
    const found = await check("drain primary", true);
    const missing = await check("drain failover", false);
    const calculated = await route53.send(
      new CreateHealthCheckCommand({
        CallerReference: `ref-${Math.random()}`,
        HealthCheckConfig: { Type: "CALCULATED", ChildHealthChecks: [found], HealthThreshold: 1 },
      }),
    );
    // Act
    const seen = await status(found);
    const notSeen = await status(missing);
    server.close();
    const gone = await status(found);
    const refused = await status(calculated.HealthCheck?.Id ?? "").catch((e: unknown) => e);
    // Assess
    expect(seen).toEqual(["Success: HTTP Status Code 200, OK"]);
    expect(notSeen).toEqual(["Failure: Search string (drain failover) was not found in the response body"]);
    expect(gone?.[0]).toMatch(/^Failure: Connection failed/);
    expect((refused as { name?: string }).name).toBe("InvalidInput");
  });
});

describe("moto launcher patch: GetHealthCheckStatus sends SNI only with EnableSNI (AWS behaviour)", () => {
  it("fails the handshake of an endpoint that needs the host name when EnableSNI is off", async () => {
    // Prepare: an HTTPS endpoint at localhost with no default certificate (like a function URL).
    const { createServer } = await import("node:https");
    const { createSecureContext } = await import("node:tls");
    const context = createSecureContext(selfSignedCertificate());
    const server = createServer({ SNICallback: (_name, done) => done(null, context) }, (_, res) =>
      res.end("drain primary\n"),
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    const check = async (sni: boolean) =>
      (
        await route53.send(
          new CreateHealthCheckCommand({
            CallerReference: `ref-${Math.random()}`,
            HealthCheckConfig: {
              Type: "HTTPS_STR_MATCH",
              FullyQualifiedDomainName: "localhost",
              Port: port,
              ResourcePath: "/",
              SearchString: "drain primary",
              EnableSNI: sni,
            },
          }),
        )
      ).HealthCheck?.Id ?? "";
    const status = async (id: string) =>
      (await route53.send(new GetHealthCheckStatusCommand({ HealthCheckId: id }))).HealthCheckObservations?.map(
        (o) => o.StatusReport?.Status,
      );
    // Act
    const withSni = await status(await check(true));
    const withoutSni = await status(await check(false));
    server.close();
    // Assess
    expect(withSni).toEqual(["Success: HTTP Status Code 200, OK"]);
    expect(withoutSni).toEqual(["Failure: SSL alert handshake_failure"]);
  });
});

describe("moto launcher patch: CreateHealthCheck honours its CallerReference (AWS behaviour)", () => {
  it("returns the existing check for the same reference and settings, and refuses other settings or a deleted check's reference", async () => {
    // Prepare
    const config = { Type: "HTTP" as const, FullyQualifiedDomainName: "127.0.0.1", Port: 8080, ResourcePath: "/" };
    const create = (reference: string, port = 8080) =>
      route53.send(
        new CreateHealthCheckCommand({ CallerReference: reference, HealthCheckConfig: { ...config, Port: port } }),
      );
    const reference = `ref-${Math.random()}`;
    // Act
    const first = await create(reference);
    const retried = await create(reference);
    const other = await create(reference, 8081).catch((e: unknown) => e);
    await route53.send(new DeleteHealthCheckCommand({ HealthCheckId: first.HealthCheck?.Id }));
    const afterDelete = await create(reference).catch((e: unknown) => e);
    // Assess
    expect(retried.HealthCheck?.Id).toBe(first.HealthCheck?.Id);
    expect(other).toMatchObject({ name: "HealthCheckAlreadyExists", $metadata: { httpStatusCode: 409 } });
    expect(afterDelete).toMatchObject({ name: "HealthCheckAlreadyExists" });
  });
});

/** A table keyed as the votes table is (vantage, round). */
const votesTable: CreateTableCommandInput = { TableName: "votes", BillingMode: "PAY_PER_REQUEST", ...VOTES_TABLE_KEYS };

describe("moto launcher patch: a DynamoDB Query reads one partition (AWS behaviour, without a whole-table sort)", () => {
  it("answers range conditions, pages, filters and counts as DynamoDB does, with other partitions in the table", async () => {
    const dynamodb = new DynamoDBClient({
      endpoint: emulator.url,
      region: "us-east-2",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
      maxAttempts: 1,
    });
    await dynamodb.send(new CreateTableCommand(votesTable));
    // Written out of order, in three partitions: a Query must see only its own, in key order.
    for (const at of [50, 10, 40, 20, 30])
      for (const vantage of ["a", "b", "c"])
        await dynamodb.send(
          new PutItemCommand({
            TableName: "votes",
            Item: { vantage: { S: vantage }, at: { N: String(at) }, up: { BOOL: at !== 30 } },
          }),
        );
    const query = (extra: Partial<QueryCommandInput>) =>
      dynamodb.send(
        new QueryCommand({
          TableName: "votes",
          KeyConditionExpression: "vantage = :v AND #at BETWEEN :from AND :to",
          ExpressionAttributeNames: { "#at": "at" },
          ExpressionAttributeValues: { ":v": { S: "b" }, ":from": { N: "20" }, ":to": { N: "40" } },
          ConsistentRead: true,
          ...extra,
        }),
      );
    const ats = (items: Array<Record<string, AttributeValue>> | undefined) =>
      (items ?? []).map((item) => `${item.vantage?.S}${item.at?.N}`);

    const all = await query({});
    expect(ats(all.Items)).toEqual(["b20", "b30", "b40"]);
    expect(all.Count).toBe(3);
    const newestFirst = await query({ ScanIndexForward: false });
    expect(ats(newestFirst.Items)).toEqual(["b40", "b30", "b20"]);
    const first = await query({ Limit: 2 });
    expect(ats(first.Items)).toEqual(["b20", "b30"]);
    const rest = await query({ Limit: 2, ExclusiveStartKey: first.LastEvaluatedKey });
    expect(ats(rest.Items)).toEqual(["b40"]);
    const up = await query({
      FilterExpression: "up = :up",
      ExpressionAttributeValues: { ":v": { S: "b" }, ":from": { N: "20" }, ":to": { N: "40" }, ":up": { BOOL: true } },
    });
    expect(ats(up.Items)).toEqual(["b20", "b40"]);
    expect(up.ScannedCount).toBe(3);
    const whole = await dynamodb.send(
      new QueryCommand({
        TableName: "votes",
        KeyConditionExpression: "vantage = :v",
        ExpressionAttributeValues: { ":v": { S: "c" } },
      }),
    );
    expect(ats(whole.Items)).toEqual(["c10", "c20", "c30", "c40", "c50"]);
    // A Scan still sees every partition (the patch narrows a Query only while it runs).
    const scan = await dynamodb.send(new ScanCommand({ TableName: "votes" }));
    expect(scan.Count).toBe(15);
    dynamodb.destroy();
  });
});

describe("moto launcher patches: DynamoDB answers as stock moto's, without its slow paths (patches 9 and 10)", () => {
  it("answers GetItem, Query, BatchGetItem and Scan with stock moto's exact bytes, for every attribute type", async () => {
    const stock = await startEmulator({ patches: false });
    try {
      // Raw JSON over HTTP: the SDK would hide a difference in key order or number form.
      const call = async (url: string, region: string, action: string, body: unknown) => {
        const response = await fetch(url, {
          method: "POST",
          headers: {
            "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": `DynamoDB_20120810.${action}`,
            Authorization: `AWS4-HMAC-SHA256 Credential=test/20260101/${region}/dynamodb/aws4_request, SignedHeaders=host, Signature=0`,
          },
          body: JSON.stringify(body),
        });
        return `${response.status} ${await response.text()}`;
      };
      const items = [
        { vantage: { S: "a" }, at: { N: "10" }, votes: { S: "primary:up" }, writtenAt: { N: "1.50" } },
        {
          vantage: { S: "a" },
          at: { N: "20" },
          flags: { M: { up: { BOOL: true }, none: { NULL: true }, list: { L: [{ N: "1" }, { S: "x" }, { M: {} }] } } },
          names: { SS: ["b", "a"] },
          numbers: { NS: ["2", "1.0"] },
        },
        {
          vantage: { S: "a" },
          at: { N: "30" },
          blob: { B: "AAEC" },
          blobs: { BS: ["AQ==", "Ag=="] },
          ok: { BOOL: false },
        },
        { vantage: { S: "b" }, at: { N: "10" }, nested: { L: [{ B: "AQ==" }, { M: { deep: { L: [] } } }] } },
      ];
      const answers = async (url: string, region: string) => {
        await call(url, region, "CreateTable", votesTable);
        for (const Item of items) await call(url, region, "PutItem", { TableName: "votes", Item });
        const keys = items.map(({ vantage, at }) => ({ vantage, at }));
        return [
          await call(url, region, "GetItem", { TableName: "votes", Key: keys[1], ConsistentRead: true }),
          await call(url, region, "Query", {
            TableName: "votes",
            KeyConditionExpression: "vantage = :v AND #at BETWEEN :from AND :to",
            ExpressionAttributeNames: { "#at": "at" },
            ExpressionAttributeValues: { ":v": { S: "a" }, ":from": { N: "10" }, ":to": { N: "30" } },
            ConsistentRead: true,
          }),
          await call(url, region, "Query", {
            TableName: "votes",
            KeyConditionExpression: "vantage = :v",
            ExpressionAttributeValues: { ":v": { S: "a" } },
            Limit: 1,
            ScanIndexForward: false,
          }),
          await call(url, region, "BatchGetItem", { RequestItems: { votes: { Keys: keys, ConsistentRead: true } } }),
          await call(url, region, "Scan", { TableName: "votes" }),
          await call(url, region, "GetItem", { TableName: "absent", Key: keys[0] }),
        ];
      };

      const [patched, stockAnswers] = [await answers(emulator.url, "us-east-2"), await answers(stock.url, "us-east-2")];

      expect(patched).toEqual(stockAnswers);
      expect(patched[1]).toContain('"Count": 3');
      expect(patched[3]).toContain('"M": {"up": {"BOOL": true}');
      // Each region still has its own tables (patch 10 remembers a host's backend, not its region).
      expect(await call(emulator.url, "us-west-1", "DescribeTable", { TableName: "votes" })).toMatch(
        /^400 .*ResourceNotFoundException/,
      );
    } finally {
      await stock.stop();
    }
  });
});
