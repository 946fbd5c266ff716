import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// The SST platform's own copies of Pulumi (installed by scripts/sst-platform.mjs):
// SST's components and the infra tests must share one copy.
const sstPlatformModules = fileURLToPath(new URL(".sst/platform/node_modules/", import.meta.url));

// Projects: `unit` (pure code, no network), `integration` (real local
// HTTP servers and the moto AWS emulator) and `infra` (the SST app under Pulumi
// mocks). Each integration file starts its own
// emulator, so files can run in parallel without resetting each other's state.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
        },
      },
      {
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          setupFiles: ["cli/quiet-sdk-notice.ts"],
          // Once, before any file: a missing emulator fails here with what to run, not in every file's hooks.
          globalSetup: ["emulator/global-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        // The SST app built under Pulumi mocks (test/infra/sst-harness.ts).
        resolve: {
          alias: [{ find: /^@pulumi\/(pulumi|aws)(\/.*)?$/, replacement: `${sstPlatformModules}@pulumi/$1$2` }],
        },
        test: {
          name: "infra",
          include: ["test/infra/**/*.test.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
