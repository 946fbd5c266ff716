#!/usr/bin/env node
// Sets up SST's platform (.sst/platform: config.d.ts, components, @pulumi/*)
// offline, once. The infra type-check and the infra tests need it; it is
// generated, not committed. Fast no-op when already present.
//
// The flags let `sst install` run without internet: skip the Pulumi/Bun
// download check, use npm instead of Bun, no telemetry. `--stage` is
// required by the CLI; "ci" never deploys anywhere.
import { existsSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const marker = new URL("../.sst/platform/config.d.ts", import.meta.url);
const pulumi = new URL("../.sst/platform/node_modules/@pulumi/pulumi/package.json", import.meta.url);

if (existsSync(marker) && existsSync(pulumi)) process.exit(0);

const started = Date.now();
process.stderr.write("Setting up the SST platform offline (npx sst install --stage ci), once...\n");
const result = spawnSync("npx", ["--no-install", "sst", "install", "--stage", "ci"], {
  cwd: root,
  stdio: ["ignore", "inherit", "inherit"],
  env: { ...process.env, SST_SKIP_DEPENDENCY_CHECK: "1", SST_NO_BUN: "1", SST_TELEMETRY_DISABLED: "1" },
});
if (result.status !== 0 || !existsSync(marker)) {
  process.stderr.write(
    `sst install failed (exit ${result.status ?? result.signal}). ` +
      "Run `npm ci` first so node_modules/sst (sst@4.17.1) is present, then retry `node scripts/sst-platform.mjs`.\n",
  );
  process.exit(1);
}
process.stderr.write(`SST platform ready in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
