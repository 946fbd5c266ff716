import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../cli/main.ts";
import { startEmulator, type Emulator } from "../../emulator/harness.ts";
import { closedPort } from "../support/local-servers.ts";

/** Runs the CLI in-process against `env`, without a terminal. */
async function cli(env: Record<string, string>, ...argv: string[]) {
  let out = "";
  let err = "";
  const code = await main(argv, {
    stdout: (t) => (out += t),
    stderr: (t) => (err += t),
    env: { FAILOVER_ACTOR: "oncall-alice", AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test", ...env },
    isTTY: false,
  });
  return { code, out, err };
}

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => {
  await emulator?.stop();
});

describe("failover: errors name their likely cause", () => {
  it("asks whether the emulator is running when nothing answers at AWS_ENDPOINT_URL", async () => {
    // Prepare: the emulator's old port after a restart.
    const port = await closedPort();
    // Act
    const run = await cli({ AWS_ENDPOINT_URL: `http://127.0.0.1:${port}` }, "status", "--direct");
    // Assess
    expect(run.code).toBe(1);
    expect(run.err).toContain(
      `Nothing answers at AWS_ENDPOINT_URL=http://127.0.0.1:${port}: is \`npm run emulator\` running? Its port changes on every restart`,
    );
  });

  it("suggests --direct, the stage and the other control region when the function is missing", async () => {
    // Act: the emulator has no deployed function, in either control region.
    const both = await cli({ AWS_ENDPOINT_URL: emulator.url }, "status");
    const one = await cli({ AWS_ENDPOINT_URL: emulator.url }, "status", "--region", "us-east-2");
    // Assess
    expect(both.code).toBe(1);
    expect(both.err).toContain(
      "function regional-failover-production-failover does not exist in us-east-2 or us-west-1",
    );
    expect(both.err).toContain("Check --stage (production) and --function");
    expect(both.err).toContain("--direct");
    expect(one.err).toContain("Try the other control region: --region us-west-1.");
  });
});
