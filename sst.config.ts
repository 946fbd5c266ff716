/// <reference path="./.sst/platform/config.d.ts" />

/**
 * The SST v4 app: one `sst deploy` covers every vantage and control region.
 * Thin on purpose (SST 4 refuses top-level imports here): each concern is a
 * file in `stacks/`. The weighted records are NOT created by this app; see
 * stacks/control.ts and `failover init`.
 */
export default $config({
  async app(input) {
    const { appName } = await import("./stacks/settings.ts");
    return {
      name: appName(),
      home: "aws",
      removal: input?.stage === "production" ? "retain" : "remove",
    };
  },
  async run() {
    const { buildApp } = await import("./stacks/index.ts");
    return buildApp();
  },
});
