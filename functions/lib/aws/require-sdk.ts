import { createRequire } from "node:module";

const requireHere = createRequire(import.meta.url);

/**
 * Loads an AWS SDK v3 client package with `require`, not `import`. The
 * packages are CommonJS: importing one from an ES module (every handler
 * bundle is one) makes Node parse its entry file again to detect its
 * format and once more to list its exports, then resolve and scan every
 * package it re-exports, before running it; `require` only runs it. A
 * handler's cold import took about a third less (docs/performance.md,
 * bench/bundle.bench.ts). In Lambda `require` finds the runtime's SDK
 * through NODE_PATH (/var/runtime/node_modules). esbuild does not see these
 * calls, so the SDK stays out of the bundle whatever `external` says
 * (stacks/bundling.ts). The adapter calling this stays the only module that
 * names its package.
 */
export function requireSdk<Sdk>(packageName: string): Sdk {
  return requireHere(packageName) as Sdk;
}
