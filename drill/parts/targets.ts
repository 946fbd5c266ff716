import type { FailoverConfig } from "../../functions/lib/config.ts";
import { startFaultProxy, type FaultProxy } from "../fault-proxy.ts";
import { hashString, seededRandom } from "../faults.ts";
import { startRegionServer } from "../region-server.ts";
import type { DrillSession } from "../session.ts";

/** The targets as the drill plays them: the network paths to each, and each vantage's view of them. */
export interface DrillTargets {
  /** Every fault proxy (refreshed at each fault boundary). */
  proxies: FaultProxy[];
  /** Each vantage's config: its health URLs go through its own proxies. */
  vantageConfigs: Map<string, FailoverConfig>;
  /** The clients' proxy URL of each target. */
  clientPaths: Map<string, string>;
}

/** A region server: its URL and the health path (with query) to ask it. */
type RegionServerAt = { url: string; healthPath: string };

/**
 * One HTTP server per target, playing its region; then a fault proxy per
 * vantage → target path and per target for the clients; each vantage probes
 * through its own proxies (its config's health URLs).
 */
export async function startTargets(session: DrillSession, config: FailoverConfig): Promise<DrillTargets> {
  const regions = await startRegions(session, config);
  const proxies: FaultProxy[] = [];
  const proxyFor = async (target: string, vantage: string | undefined) => {
    const proxy = await startPath(session, regions, target, vantage);
    proxies.push(proxy);
    return proxy;
  };
  const vantageConfigs = new Map<string, FailoverConfig>();
  for (const vantage of config.vantages) {
    const targets = [];
    for (const target of config.targets) {
      const proxy = await proxyFor(target.id, vantage);
      targets.push({ ...target, healthUrl: `${proxy.url}${regions.get(target.id)?.healthPath ?? "/"}` });
    }
    // The canary is a known-good page: the first region server, reached directly.
    const canaryUrl = config.probe.canaryUrl === undefined ? undefined : `${[...regions.values()][0]?.url}/`;
    vantageConfigs.set(vantage, {
      ...config,
      targets,
      probe: { ...config.probe, ...(canaryUrl ? { canaryUrl } : {}) },
    });
  }
  const clientPaths = new Map<string, string>();
  for (const target of config.targets) clientPaths.set(target.id, (await proxyFor(target.id, undefined)).url);
  return { proxies, vantageConfigs, clientPaths };
}

/** One HTTP server per target, playing its region; target id → its URL and health path. */
async function startRegions(session: DrillSession, config: FailoverConfig): Promise<Map<string, RegionServerAt>> {
  const regions = new Map<string, RegionServerAt>();
  for (const target of config.targets) {
    const health = new URL(target.healthUrl);
    const server = await startRegionServer({
      target: target.id,
      region: target.region,
      healthPath: health.pathname,
      healthBody: config.probe.bodyMatch ?? "ok",
    });
    session.onClose(() => server.close());
    regions.set(target.id, { url: server.url, healthPath: `${health.pathname}${health.search}` });
  }
  return regions;
}

/** The fault proxy of one path to a target: a vantage's, or the clients' (`vantage` undefined). */
async function startPath(
  session: DrillSession,
  regions: Map<string, RegionServerAt>,
  target: string,
  vantage: string | undefined,
): Promise<FaultProxy> {
  const { scenario, clock } = session;
  const region = regions.get(target);
  if (region === undefined) throw new Error(`no region server for ${target}`);
  const proxy = await startFaultProxy({
    path: { target, vantage },
    upstream: region.url,
    faults: scenario.faults,
    clock,
    random: seededRandom(scenario.seed ^ hashString(`${target}/${vantage ?? "clients"}`)),
  });
  session.onClose(() => proxy.close());
  return proxy;
}
