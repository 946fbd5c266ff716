import "../cli/quiet-sdk-notice.ts";
/**
 * `npm run emulator`: a local AWS (moto, with the Route 53 fidelity patches)
 * holding the example config's hosted zone, to try the on-call CLI before
 * you need it. Writes a copy of the config whose hostedZone.id is the
 * emulator's (moto picks zone ids itself), prints the environment to export,
 * and runs until Ctrl-C, then stops the emulator it started (by its pid).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { createHostedZone } from "../emulator/hosted-zone.ts";
import { exampleConfigPath, mergeConfig, parseConfig, readJsonFile } from "../functions/lib/config.ts";
import { describeError } from "../functions/lib/errors.ts";
import { startEmulator } from "../emulator/harness.ts";

const configFile = process.argv[2] ?? process.env.FAILOVER_CONFIG_FILE ?? exampleConfigPath;
const outDir = resolve(".emulator");

try {
  const raw = readJsonFile(configFile, "config");
  const config = parseConfig(raw);
  const emulator = await startEmulator();
  // The harness does not keep the process alive (tests must exit); this does, until a signal.
  const keepAlive = setInterval(() => undefined, 60_000);
  const stop = () => {
    clearInterval(keepAlive);
    void emulator.stop().then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  const zoneId = await createHostedZone(config.hostedZone.name, {
    endpoint: emulator.url,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  mkdirSync(outDir, { recursive: true });
  const localConfig = resolve(outDir, "failover.config.json");
  writeFileSync(localConfig, `${JSON.stringify(mergeConfig(raw, { hostedZone: { id: zoneId } }), null, 2)}\n`);
  // Changes name who made them: FAILOVER_ACTOR, else USER; neither is set in some containers and CI shells.
  const actor = process.env.FAILOVER_ACTOR ?? process.env.USER ?? "local-tryout";
  const env = { ...emulator.env, FAILOVER_CONFIG_FILE: localConfig, FAILOVER_ACTOR: actor };
  process.stdout.write(
    [
      `Local AWS at ${emulator.url} (pid ${emulator.pid}) with hosted zone ${config.hostedZone.name} (${zoneId}).`,
      "In another shell:",
      `  export ${Object.entries(env)
        .map(([key, value]) => `${key}=${value}`)
        .join(" ")}`,
      `  (FAILOVER_ACTOR=${actor} is who you are in leases and Slack; set it to your name, or pass --actor <name>)`,
      "  npx failover init --direct --yes",
      "  npx failover status --direct",
      "Ctrl-C stops the emulator.",
      "",
    ].join("\n"),
  );
} catch (error) {
  process.stderr.write(`emulator: ${describeError(error)}\n`);
  process.exit(2);
}
