import type http from "node:http";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { exampleConfigPath } from "../../functions/lib/config.ts";
import { runCli } from "../support/cli-process.ts";
import { type LocalServer, startServer } from "../support/local-servers.ts";

/**
 * The CLI's invoke path against a local stand-in for Lambda's Invoke API
 * (moto cannot run functions without Docker). The stand-in records every
 * delivery and, per action, either answers or resets the connection after
 * reading the request: the answer lost, as after a client timeout.
 */
interface Delivery {
  region: string;
  event: Record<string, unknown>;
}

const statusAnswer = {
  ok: true,
  action: "status",
  at: 1_796_168_000,
  problems: [],
  weights: { primary: 0, failover: 100 },
  targets: [],
  lease: null,
  switches: [
    { at: 1_796_167_990, mode: "manual", from: { primary: 90, failover: 10 }, to: { primary: 0, failover: 100 } },
  ],
  policy: { kind: "hold", reason: "nothing to do" },
};

function changeAnswer(event: Record<string, unknown>) {
  return {
    ok: true,
    action: event.action,
    at: 1_796_168_000,
    problems: [],
    from: { primary: 90, failover: 10 },
    to: { primary: 0, failover: 100 },
    shift: "primary 90 → 0, failover 10 → 100",
    lease: null,
    replaced: null,
    releasedHolds: [],
    reason: "override",
    changeId: "",
    attempts: 1,
    sync: null,
  };
}

describe("failover CLI invoking the manual function: changes are not repeated blindly", () => {
  let lambda: LocalServer;
  let deliveries: Delivery[] = [];
  /** Deliveries of these actions lose their answer (the connection is reset once the request is read). */
  let lose: (event: Record<string, unknown>, delivery: number) => boolean = () => false;

  beforeAll(async () => {
    lambda = await startServer((req: http.IncomingMessage, res: http.ServerResponse) => {
      let body = "";
      req.on("data", (chunk) => (body += chunk));
      req.on("end", () => {
        const event = JSON.parse(body || "{}") as Record<string, unknown>;
        // The SigV4 credential scope names the region the client signed for: .../<date>/<region>/lambda/aws4_request
        const region = /Credential=[^/]+\/\d+\/([^/]+)\//.exec(req.headers.authorization ?? "")?.[1] ?? "?";
        deliveries.push({ region, event });
        if (lose(event, deliveries.filter((d) => d.event.action === event.action).length))
          return void req.socket.resetAndDestroy();
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify(event.action === "status" ? statusAnswer : changeAnswer(event)));
      });
    });
  });
  afterAll(() => lambda.close());
  beforeEach(() => {
    deliveries = [];
    lose = () => false;
  });

  const env = () => ({
    AWS_ENDPOINT_URL: lambda.url,
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_REGION: "us-east-2",
    FAILOVER_CONFIG_FILE: fileURLToPath(exampleConfigPath),
    USER: "oncall-alice",
  });

  it("sends a release once when its answer is lost, says it may have been applied, and shows what is in place", async () => {
    // Prepare
    lose = (event) => event.action === "release";
    // Act
    const run = await runCli(["release", "--reason", "incident over", "--yes"], env());
    // Assess
    // One delivery, in the first control region only: the other region is not tried either.
    expect(deliveries.filter((d) => d.event.action === "release").map((d) => d.region)).toEqual(["us-east-2"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("it may have run and applied the change");
    expect(run.stderr).toContain(
      "Now in Route 53: weights primary=0 failover=100; lease: none; last switch: 2026-12-01T23:33:10.000Z.",
    );
  });

  it("re-sends a promote after a lost answer with the same request id, which the function applies once", async () => {
    // Prepare
    lose = (event, delivery) => event.action === "promote" && delivery === 1;
    // Act
    const run = await runCli(["promote", "failover", "--reason", "use1 degraded", "--yes"], env());
    // Assess
    const promotes = deliveries.filter((d) => d.event.action === "promote");
    expect(run.code).toBe(0);
    expect(promotes).toHaveLength(2);
    expect(promotes[0]?.event.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(promotes[1]?.event.requestId).toBe(promotes[0]?.event.requestId);
  });

  it("after every control region lost the answer, says so, shows what is in place and never suggests the other region", async () => {
    // Prepare
    lose = (event) => event.action === "promote";
    // Act
    const run = await runCli(["promote", "failover", "--reason", "use1 degraded", "--yes"], env());
    // Assess
    const regions = [...new Set(deliveries.filter((d) => d.event.action === "promote").map((d) => d.region))];
    expect(regions).toEqual(["us-east-2", "us-west-1"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("did not answer in any control region (us-east-2, us-west-1)");
    expect(run.stderr).toContain("if it ran, the change was applied");
    expect(run.stderr).toContain("Now in Route 53: weights primary=0 failover=100");
    expect(run.stderr).toContain("--direct");
    expect(run.stderr).not.toMatch(/other control region/);
  });

  it("warns on every command, naming the field and the risk, when the only control region shares a target's metro", async () => {
    // Prepare: the example's primary runs on GCP us-east4 (northern Virginia), the only control region is AWS us-east-1
    const raw = JSON.parse(readFileSync(exampleConfigPath, "utf8")) as Record<string, unknown>;
    const file = join(mkdtempSync(join(tmpdir(), "metro-")), "failover.config.json");
    writeFileSync(file, JSON.stringify({ ...raw, controlRegions: ["us-east-1"] }));
    // Act
    const run = await runCli(["status"], { ...env(), FAILOVER_CONFIG_FILE: file });
    // Assess
    expect(run.stderr, run.stdout).toContain(
      "failover: warning: config controlRegions[0]: the only control region us-east-1 is in the same metro (Northern Virginia) as target primary (gcp us-east4)",
    );
  });
});
