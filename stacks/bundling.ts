import type { BuildOptions } from "esbuild";

/**
 * How every Lambda handler is bundled: the `nodejs` options the stacks give
 * sst.aws.Function (stacks/regions.ts), and the esbuild options SST 4 builds
 * them with (pkg/runtime/node/build.go), so bench/bundle.bench.ts measures
 * exactly what is deployed. No SST globals: the bench imports this file.
 *
 * `@aws-sdk/*` is external: the nodejs20.x/22.x runtimes ship AWS SDK v3
 * and the adapters `require` it from there (functions/lib/aws/require-sdk.ts),
 * so a bundle carries our code and zod only (about 300 KB less per handler).
 * The trade-off: the SDK version is the runtime's (AWS updates it; it can
 * differ from package-lock.json), a client or export the runtime's SDK lacks
 * fails at load, and tests run against the locked version. To pin the SDK
 * instead, the adapters would go back to ES imports of their client (esbuild
 * bundles only what it sees imported) and the `external` would go (bundles
 * of about 500 KB).
 */
export const lambdaNodejs = {
  format: "esm",
  minify: true,
  esbuild: { external: ["@aws-sdk/*"] },
} as const;

/** SST 4's ESM banner: lets bundled CommonJS call require() and read __filename/__dirname. */
const sstBanner = [
  `import { createRequire as topLevelCreateRequire } from 'module';`,
  `const require = topLevelCreateRequire(import.meta.url);`,
  `import { fileURLToPath as topLevelFileUrlToPath, URL as topLevelURL } from "url"`,
  `const __filename = topLevelFileUrlToPath(import.meta.url)`,
  `const __dirname = topLevelFileUrlToPath(new topLevelURL(".", import.meta.url))`,
  "",
].join("\n");

/** SST always marks these external (native add-ons). */
const sstForceExternal = ["sharp", "pg-native"];

/** The esbuild options `sst deploy` uses for a handler given {@link lambdaNodejs}: bundle, ESM, esnext, keepNames, minified, no source map. */
export function deployedBuildOptions(entryPoint: string, outfile: string): BuildOptions {
  return {
    entryPoints: [entryPoint],
    outfile,
    platform: "node",
    bundle: true,
    format: lambdaNodejs.format,
    target: "esnext",
    keepNames: true,
    mainFields: ["module", "main"],
    external: [...sstForceExternal, ...lambdaNodejs.esbuild.external],
    minify: lambdaNodejs.minify,
    sourcemap: false,
    banner: { js: sstBanner },
    logLevel: "error",
  };
}
