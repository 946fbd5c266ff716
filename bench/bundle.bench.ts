import { execFile } from "node:child_process";
import { existsSync, mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { build } from "esbuild";
import { deployedBuildOptions } from "../stacks/bundling.ts";

/**
 * Each Lambda handler bundled exactly as `sst deploy` builds it (the options
 * come from stacks/bundling.ts, which the stacks use too: ESM, esnext,
 * minified, `@aws-sdk/*` left to the Lambda runtime), its size, and its cold
 * import time in a fresh `node` process (aim: ≤ 500 KB, ≤ 150 ms). The
 * bundles are written under node_modules/.cache so their `@aws-sdk/*`
 * imports resolve from node_modules, as they do from the runtime's own SDK
 * in Lambda: the import time includes loading the SDK.
 */
const handlers = ["probe", "decide", "failover", "notify", "signal"];
const root = fileURLToPath(new URL("..", import.meta.url));

let bundled: Promise<Array<{ name: string; file: string; sdkBundled: string }>> | undefined;

async function bundleAll() {
  // One fixed directory, rewritten each run: nothing piles up.
  const dir = join(root, "node_modules", ".cache", "handler-bundles");
  mkdirSync(dir, { recursive: true });
  const present = handlers.filter((name) => existsSync(join(root, "functions", `${name}.ts`)));
  return Promise.all(
    present.map(async (name) => {
      const file = join(dir, `${name}.mjs`);
      const sdkBundled = join(dir, `${name}.sdk.mjs`);
      const options = deployedBuildOptions(join(root, "functions", `${name}.ts`), file);
      // The alternative of stacks/bundling.ts: the SDK inside the bundle (pinned version, one file to load).
      await Promise.all([
        build(options),
        build({
          ...options,
          outfile: sdkBundled,
          external: (options.external ?? []).filter((pattern) => !pattern.startsWith("@aws-sdk/")),
        }),
      ]);
      return { name, file, sdkBundled };
    }),
  );
}

async function coldImportMs(file: string): Promise<number> {
  const script = `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); process.stdout.write(String(performance.now() - t));`;
  const { stdout } = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", script], {
    timeout: 30_000,
    env: { PATH: process.env.PATH ?? "" },
  });
  return Number(stdout);
}

export default {
  name: "handler bundles (size, cold import)",
  runs: 5,
  async run(): Promise<Record<string, number>> {
    bundled ??= bundleAll();
    const figures: Record<string, number> = {};
    for (const { name, file, sdkBundled } of await bundled) {
      figures[`${name} sizeKB`] = Math.round(statSync(file).size / 102.4) / 10;
      figures[`${name} importMs`] = await coldImportMs(file);
      figures[`${name} SDK bundled sizeKB`] = Math.round(statSync(sdkBundled).size / 102.4) / 10;
      figures[`${name} SDK bundled importMs`] = await coldImportMs(sdkBundled);
    }
    return figures;
  },
};
