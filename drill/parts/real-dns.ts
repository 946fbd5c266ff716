import { startRealDns, type RealDns } from "../dns/real-dns.ts";
import type { DrillSession } from "../session.ts";
import type { DrillParts } from "./start-parts.ts";

/**
 * The real DNS path of `--dns real` (drill/dns/): PowerDNS serving the
 * managed record as Route 53 answers it now (the record weights in the
 * emulator, less the sets the health checks leave out: the same view the
 * modelled clients resolve by), unbound resolvers in front, and real clients
 * of every kind reaching the targets through the clients' fault proxies.
 * Each server is a process registered with the session by its pid.
 */
export function startRealDnsPart(
  session: DrillSession,
  parts: Pick<DrillParts, "config" | "dataPlane" | "switchers" | "targetIds" | "lag">,
  clientPaths: ReadonlyMap<string, string>,
): Promise<RealDns> {
  const { config, dataPlane, switchers } = parts;
  const { clock } = session;
  return startRealDns({
    clock,
    startMs: session.startMs,
    endMs: session.endMs,
    speed: session.options.speed,
    zone: config.hostedZone.name,
    name: config.records[0]?.name ?? `api.${config.hostedZone.name}`,
    ttlSeconds: config.records[0]?.ttl ?? 60,
    targetIds: parts.targetIds,
    urlFor: (target) => clientPaths.get(target) ?? "",
    answers: async () => dataPlane.evaluator.answerShares((await switchers.client.read()).weights, clock.now()),
    lag: parts.lag,
    problem: (text) => session.problem(text),
    started: (name, pid, stop) => session.startedProcess(name, pid, stop),
  });
}
