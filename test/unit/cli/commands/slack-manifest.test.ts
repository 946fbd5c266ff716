import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main, type CliIO } from "../../../../cli/main.ts";
import { exampleConfigPath, mergeConfig, readJsonFile } from "../../../../functions/lib/config.ts";

/** Runs `failover <argv>` in-process and keeps what it printed. */
async function run(argv: string[], env: Record<string, string> = {}) {
  let stdout = "";
  let stderr = "";
  const io: CliIO = {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    env,
    isTTY: false,
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

const dir = mkdtempSync(join(tmpdir(), "slack-manifest-"));
const withSlack = join(dir, "slack.json");
writeFileSync(
  withSlack,
  JSON.stringify(mergeConfig(readJsonFile(exampleConfigPath, "config"), { slack: { teamId: "T0123ABCD" } })),
);
const urls = JSON.stringify({
  "us-east-2": "https://abc.lambda-url.us-east-2.on.aws/",
  "us-west-1": "https://def.lambda-url.us-west-1.on.aws/",
});

describe("failover slack-manifest", () => {
  it("fills the slash command and interactivity URLs from the deploy's output, first control region by default", async () => {
    const { code, stdout } = await run(["slack-manifest", "--config", withSlack, "--urls", urls]);

    const manifest = JSON.parse(stdout);
    expect(code).toBe(0);
    expect(manifest.features.slash_commands).toEqual([
      expect.objectContaining({ command: "/failover", url: "https://abc.lambda-url.us-east-2.on.aws/" }),
    ]);
    expect(manifest.settings.interactivity).toEqual({
      is_enabled: true,
      request_url: "https://abc.lambda-url.us-east-2.on.aws/",
    });
    expect(manifest.oauth_config.scopes.bot).toEqual(["commands"]);
  });

  it("--commands prints the three secrets' put-parameter commands for the config's own name and control regions", async () => {
    // Prepare: a config with its own name and control regions
    const mine = join(dir, "mine.json");
    writeFileSync(
      mine,
      JSON.stringify(
        mergeConfig(readJsonFile(exampleConfigPath, "config"), {
          name: "acme-api",
          controlRegions: ["eu-west-1", "eu-central-1"],
          slack: { teamId: "T0123ABCD" },
        }),
      ),
    );

    // Act
    const { code, stdout } = await run(["slack-manifest", "--config", mine, "--commands"]);

    // Assess
    expect(code).toBe(0);
    expect(stdout.trim().split("\n")).toEqual(
      ["eu-west-1", "eu-central-1"].flatMap((region) => [
        `aws ssm put-parameter --region ${region} --name /acme-api/slack-signing-secret --type SecureString --overwrite --value "$SLACK_SIGNING_SECRET"`,
        `aws ssm put-parameter --region ${region} --name /acme-api/slack-bot-token --type SecureString --overwrite --value "$SLACK_BOT_TOKEN"`,
        `aws ssm put-parameter --region ${region} --name /acme-api/slack-oncall --type SecureString --overwrite --value "$SLACK_ONCALL_IDS"`,
      ]),
    );
  });

  it("points Slack at the other control region with --region (when the first is down)", async () => {
    const { stdout } = await run(["slack-manifest", "--config", withSlack, "--region", "us-west-1"], {
      FAILOVER_SLACK_URLS: urls,
    });

    expect(JSON.parse(stdout).settings.interactivity.request_url).toBe("https://def.lambda-url.us-west-1.on.aws/");
  });

  it.each([
    [["--config", exampleConfigPath.pathname, "--urls", urls], "--config", 'a "slack" block'],
    [["--config", withSlack, "--urls", urls, "--region", "eu-west-1"], "--region", "control regions"],
    [["--config", withSlack], "--urls", "is required"],
    [["--config", withSlack, "--urls", "not json"], "--urls", "expected JSON"],
    [["--config", withSlack, "--urls", '{"us-east-2":"http://plain"}'], "--urls", "expected an https URL"],
  ])("refuses %j with exit 2, naming %s", async (args, flag, message) => {
    const { code, stderr, stdout } = await run(["slack-manifest", ...args]);

    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toContain(flag);
    expect(stderr).toContain(message);
  });
});
