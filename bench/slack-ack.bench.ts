import { execFile } from "node:child_process";
import { mkdirSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { build } from "esbuild";
import { Route53Switcher } from "../functions/lib/aws/route53.ts";
import { ParameterStore } from "../functions/lib/aws/ssm.ts";
import { loadConfig, parseConfig, type FailoverConfig } from "../functions/lib/config.ts";
import { slackParameterNames } from "../functions/lib/slack-command/secrets.ts";
import { commandBody, signedEvent, type SlackPerson } from "../drill/slack-oncall.ts";
import { startSlackStandIn, type SlackStandIn } from "../drill/slack-stand-in.ts";
import { createHostedZone } from "../emulator/hosted-zone.ts";
import { startEmulator, type Emulator } from "../emulator/harness.ts";
import { deployedBuildOptions } from "../stacks/bundling.ts";

/**
 * The Slack command's acknowledgement, the answer Slack must have within
 * 3 s, for `/failover drain primary` (the heaviest answer: the secrets, the
 * signature, a Route 53 read, an audit read and `views.open` before it
 * returns). The handler is bundled as `sst deploy` builds it and run in a
 * fresh `node` per run against the emulator (Route 53, SSM) and the Slack
 * stand-in: the cold figure is from just before the bundle's `import()` to
 * the handler's answer (module load, wiring, the first SSM and Route 53
 * clients and calls), the warm one a second command in the same process.
 * Not in the figures: Lambda's own start of the runtime (about 100-200 ms
 * for Node on arm64, AWS's figure, not measured here) and the network to
 * AWS and Slack (loopback here). The CPU time of the cold path and the
 * machine's load average are reported beside, since a shared machine
 * stretches wall times. Each run checks that a modal was opened;
 * a run without one fails the benchmark instead of reporting a time.
 */
const root = fileURLToPath(new URL("..", import.meta.url));
const person: SlackPerson = {
  teamId: "T0BENCH01",
  userId: "U0BENCH01",
  userName: "bench",
  channelId: "C0BENCH01",
  channelName: "bench",
};
const secret = "bench-signing-secret-0123456789";

interface Setup {
  emulator: Emulator;
  slack: SlackStandIn;
  config: FailoverConfig;
  bundle: string;
}

let prepared: Promise<Setup> | undefined;

async function prepare(): Promise<Setup> {
  const [emulator, slack] = await Promise.all([startEmulator(), startSlackStandIn()]);
  const example = loadConfig();
  const zoneId = await createHostedZone(example.hostedZone.name, { endpoint: emulator.url });
  const config = parseConfig({
    ...example,
    hostedZone: { ...example.hostedZone, id: zoneId },
    slack: { teamId: person.teamId, apiUrl: slack.apiUrl },
  });
  await new Route53Switcher(config, { endpoint: emulator.url }).init();
  const region = config.controlRegions[0] ?? "us-east-2";
  const store = new ParameterStore({
    region,
    endpoint: emulator.url,
    retry: { budgetMs: 30_000, attemptTimeoutMs: 30_000 },
  });
  const names = slackParameterNames(config.name);
  await store.put(names.signingSecret, secret, { secure: true });
  await store.put(names.botToken, "xoxb-drill", { secure: true });
  await store.put(names.onCall, person.userId, { secure: true });
  const dir = join(root, "node_modules", ".cache", "handler-bundles");
  mkdirSync(dir, { recursive: true });
  const bundle = join(dir, "slack-command-ack.mjs");
  await build(deployedBuildOptions(join(root, "functions", "slack-command.ts"), bundle));
  return { emulator, slack, config, bundle };
}

/** One fresh process: a cold and then a warm `/failover drain primary`, each timed to its answer. */
async function coldAndWarm({
  emulator,
  slack,
  config,
  bundle,
}: Setup): Promise<{ coldMs: number; coldCpuMs: number; warmMs: number }> {
  const now = Math.floor(Date.now() / 1000);
  const events = [1, 2].map((n) =>
    signedEvent(
      secret,
      commandBody(person, "drain primary", slack.responseUrl(), `bench-${now}-${n}-${Math.random()}`),
      now,
    ),
  );
  const script = [
    "const context = { awsRequestId: 'bench', functionName: 'bench-slack' };",
    "const events = JSON.parse(process.env.BENCH_EVENTS);",
    "const cpu = process.cpuUsage(); let t = performance.now();",
    `const { handler } = await import(${JSON.stringify(pathToFileURL(bundle).href)});`,
    "const cold = await handler(events[0], context); const coldMs = performance.now() - t;",
    "const used = process.cpuUsage(cpu); const coldCpuMs = (used.user + used.system) / 1000;",
    "t = performance.now(); const warm = await handler(events[1], context); const warmMs = performance.now() - t;",
    "process.stdout.write(JSON.stringify({ coldMs, coldCpuMs, warmMs, answers: [cold, warm] }));",
  ].join(" ");
  const opened = slack.views.length;
  const { stdout } = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", script], {
    cwd: root,
    timeout: 60_000,
    env: {
      PATH: process.env.PATH ?? "",
      FAILOVER_CONFIG: JSON.stringify(config),
      FAILOVER_CONTROL_REGION: config.controlRegions[0] ?? "us-east-2",
      AWS_REGION: config.controlRegions[0] ?? "us-east-2",
      AWS_ENDPOINT_URL: emulator.url,
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      BENCH_EVENTS: JSON.stringify(events),
    },
  });
  const result = JSON.parse(stdout) as {
    coldMs: number;
    coldCpuMs: number;
    warmMs: number;
    answers: Array<{ statusCode: number; body: string }>;
  };
  if (
    result.answers.some((answer) => answer.statusCode !== 200 || answer.body !== "") ||
    slack.views.length !== opened + 2
  )
    throw new Error(`the Slack command did not open its modal: ${JSON.stringify(result.answers)}`);
  return { coldMs: result.coldMs, coldCpuMs: result.coldCpuMs, warmMs: result.warmMs };
}

export default {
  name: "Slack command acknowledgement (cold and warm, emulator)",
  runs: 20,
  async run(): Promise<Record<string, number>> {
    prepared ??= prepare();
    const { coldMs, coldCpuMs, warmMs } = await coldAndWarm(await prepared);
    // The CPU time moves less than the wall time when other work shares the cores; the load says how shared they were.
    return {
      "drain ackColdMs": coldMs,
      "drain ackColdCpuMs": coldCpuMs,
      "drain ackWarmMs": warmMs,
      "machine loadAverage1m": loadavg()[0] ?? 0,
    };
  },
  async teardown(): Promise<void> {
    if (!prepared) return;
    const { emulator, slack } = await prepared;
    await Promise.all([emulator.stop(), slack.close()]);
  },
};
