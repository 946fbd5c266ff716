import { startSignalEndpoint } from "../../drill/signal-endpoint.ts";
import { ParameterStore } from "../../functions/lib/aws/ssm.ts";
import type { FailoverConfig } from "../../functions/lib/config.ts";
import { SignalStore } from "../../functions/lib/dataplane/signal-store.ts";
import { createLogger } from "../../functions/lib/log.ts";
import { createSignalHandler } from "../../functions/signal.ts";

/**
 * One local signal endpoint per control region, running the real handler
 * over the emulator's SSM; each endpoint's close goes into `closers`.
 * Returns control region → URL, as FAILOVER_SIGNAL_ENDPOINTS gives them.
 */
export async function startSignalEndpoints(
  config: FailoverConfig,
  emulatorUrl: string,
  closers: Array<() => Promise<void>>,
): Promise<Record<string, string>> {
  const store = new SignalStore(
    config,
    new Map(config.controlRegions.map((region) => [region, new ParameterStore({ region, endpoint: emulatorUrl })])),
  );
  const urls: Record<string, string> = {};
  for (const region of config.controlRegions) {
    const handler = createSignalHandler({ config, region, store, log: createLogger({ write: () => {} }) });
    const endpoint = await startSignalEndpoint(region, handler);
    closers.push(() => endpoint.close());
    urls[region] = endpoint.url;
  }
  return urls;
}
