import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { build } from "esbuild";

/**
 * Each Lambda handler bundled as SST builds it (esbuild: bundle, minify, ESM,
 * platform node, target node20, every package bundled, @aws-sdk included),
 * its size, and its cold import time in a fresh `node` process (aim: ≤ 500 KB,
 * ≤ 150 ms).
 */
const handlers = ["probe", "decide", "failover", "notify"];
const root = fileURLToPath(new URL("..", import.meta.url));
// SST's ESM banner: lets bundled CommonJS dependencies call require().
const banner = "import { createRequire as topLevelCreateRequire } from 'module';\nconst require = topLevelCreateRequire(import.meta.url);";

let bundled: Promise<Array<{ name: string; file: string }>> | undefined;

async function bundleAll() {
  const dir = mkdtempSync(join(tmpdir(), "handler-bundles-"));
  const present = handlers.filter((name) => existsSync(join(root, "functions", `${name}.ts`)));
  return Promise.all(
    present.map(async (name) => {
      const file = join(dir, `${name}.mjs`);
      await build({
        entryPoints: [join(root, "functions", `${name}.ts`)],
        outfile: file,
        bundle: true,
        minify: true,
        format: "esm",
        platform: "node",
        target: "node20",
        mainFields: ["module", "main"],
        banner: { js: banner },
        logLevel: "error",
      });
      return { name, file };
    }),
  );
}

async function coldImportMs(file: string): Promise<number> {
  const script = `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); process.stdout.write(String(performance.now() - t));`;
  const { stdout } = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", script], { timeout: 30_000, env: { PATH: process.env.PATH ?? "" } });
  return Number(stdout);
}

export default {
  name: "handler bundles (size, cold import)",
  runs: 5,
  async run(): Promise<Record<string, number>> {
    bundled ??= bundleAll();
    const figures: Record<string, number> = {};
    for (const { name, file } of await bundled) {
      figures[`${name} sizeKB`] = Math.round(statSync(file).size / 102.4) / 10;
      figures[`${name} importMs`] = await coldImportMs(file);
    }
    return figures;
  },
};
