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
 * import time: measured inside a fresh `node` process, from just before the
 * `import()` of the bundle to when it resolves (no process start-up, no
 * build), aim ≤ 500 KB, ≤ 150 ms, and the CPU time it took. The bundles are written under
 * node_modules/.cache so the adapters' `require` of `@aws-sdk/*`
 * (functions/lib/aws/require-sdk.ts) resolves from node_modules, as it does
 * from the runtime's own SDK in Lambda: the import time includes loading the
 * SDK clients each handler loads at import.
 *
 * There is no "SDK bundled" variant any more: esbuild bundles only what it
 * sees imported, and the adapters now `require` the SDK by name at run time,
 * so dropping the `external` would not put the SDK in the bundle.
 */
const handlers = ["probe", "decide", "failover", "notify", "signal", "slack-command"];
const root = fileURLToPath(new URL("..", import.meta.url));

let bundled: Promise<Array<{ name: string; file: string }>> | undefined;

async function bundleAll() {
  // One fixed directory, rewritten each run: nothing piles up.
  const dir = join(root, "node_modules", ".cache", "handler-bundles");
  mkdirSync(dir, { recursive: true });
  const present = handlers.filter((name) => existsSync(join(root, "functions", `${name}.ts`)));
  return Promise.all(
    present.map(async (name) => {
      const file = join(dir, `${name}.mjs`);
      await build(deployedBuildOptions(join(root, "functions", `${name}.ts`), file));
      return { name, file };
    }),
  );
}

/**
 * Wall and CPU milliseconds of one cold `import()` of `file` in a fresh node.
 * The CPU time (user + system, all threads) moves less than the wall time
 * when other work shares the machine's cores.
 */
async function coldImport(file: string): Promise<{ wallMs: number; cpuMs: number }> {
  const script = [
    "const cpu = process.cpuUsage(); const t = performance.now();",
    `await import(${JSON.stringify(pathToFileURL(file).href)});`,
    "const wallMs = performance.now() - t; const used = process.cpuUsage(cpu);",
    "process.stdout.write(JSON.stringify({ wallMs, cpuMs: (used.user + used.system) / 1000 }));",
  ].join(" ");
  const { stdout } = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", script], {
    timeout: 30_000,
    env: { PATH: process.env.PATH ?? "" },
  });
  return JSON.parse(stdout) as { wallMs: number; cpuMs: number };
}

export default {
  name: "handler bundles (size, cold import)",
  runs: 5,
  async run(): Promise<Record<string, number>> {
    bundled ??= bundleAll();
    const figures: Record<string, number> = {};
    for (const { name, file } of await bundled) {
      figures[`${name} sizeKB`] = Math.round(statSync(file).size / 102.4) / 10;
      const { wallMs, cpuMs } = await coldImport(file);
      figures[`${name} importMs`] = wallMs;
      figures[`${name} importCpuMs`] = cpuMs;
    }
    return figures;
  },
};
