import { defineConfig } from "vitest/config";

// Two projects: `unit` (pure code, no network) and `integration` (real local
// HTTP servers and the moto AWS emulator). Each integration file starts its own
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
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
