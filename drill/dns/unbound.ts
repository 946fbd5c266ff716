import { promises as dns } from "node:dns";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freeDnsPort, startDnsProcess } from "./process.ts";
import type { ResolverProfile } from "../../offline/replay/client-kinds.ts";
import type { DnsSoftware } from "./software.ts";

/** An unbound recursive resolver the drill runs. */
export interface Resolver {
  pid: number;
  /** UDP/TCP port on 127.0.0.1. */
  port: number;
  profile: ResolverProfile;
  /** e.g. `unbound 1.17.1`. */
  version: string;
  stop(): Promise<void>;
}

/** unbound.conf lines of a profile; `seconds` turns the profile's seconds into the resolver's (the drill's time scale). */
export function profileLines(profile: ResolverProfile, seconds: (s: number) => number): string[] {
  if (profile === "serve-expired") return ["serve-expired: yes", `serve-expired-reply-ttl: ${seconds(30)}`];
  if (profile === "cache-min-ttl-60") return [`cache-min-ttl: ${seconds(60)}`];
  return [];
}

/**
 * Starts unbound on a free loopback port as the recursive resolver of
 * `zone`: a stub zone pointing at the authoritative server on
 * 127.0.0.1:`authoritativePort`, no DNSSEC for it, caching as `profile`
 * says. `seconds` scales the profile's times (the drill's compressed clock:
 * 60 s at 20x is 3 s). Ready once it answers the zone's SOA.
 */
export async function startResolver(
  software: DnsSoftware,
  options: { zone: string; authoritativePort: number; profile: ResolverProfile; seconds?: (s: number) => number },
): Promise<Resolver> {
  const dir = mkdtempSync(join(tmpdir(), "drill-unbound-"));
  const port = await freeDnsPort();
  const zone = options.zone.endsWith(".") ? options.zone : `${options.zone}.`;
  const seconds = options.seconds ?? ((s: number) => s);
  const config = join(dir, "unbound.conf");
  writeFileSync(
    config,
    [
      "server:",
      ...[
        "interface: 127.0.0.1",
        `port: ${port}`,
        "do-daemonize: no",
        'username: ""',
        'chroot: ""',
        `directory: "${dir}"`,
        'pidfile: ""',
        "use-syslog: no",
        "verbosity: 0",
        "do-ip6: no",
        "num-threads: 1",
        // One record name: small caches keep a dozen resolvers light.
        "msg-cache-size: 1m",
        "rrset-cache-size: 1m",
        "key-cache-size: 1m",
        "neg-cache-size: 1m",
        // The authoritative server is on loopback; the iterator alone (no validator, no trust anchor to fetch).
        "do-not-query-localhost: no",
        'module-config: "iterator"',
        `domain-insecure: "${zone}"`,
        `local-zone: "${zone}" nodefault`,
        "access-control: 127.0.0.0/8 allow",
        ...profileLines(options.profile, seconds),
      ].map((line) => `  ${line}`),
      "remote-control:",
      "  control-enable: no",
      "stub-zone:",
      `  name: "${zone}"`,
      `  stub-addr: 127.0.0.1@${options.authoritativePort}`,
      "",
    ].join("\n"),
  );
  const probe = new dns.Resolver({ timeout: 500, tries: 1 });
  probe.setServers([`127.0.0.1:${port}`]);
  const server = await startDnsProcess(`unbound (${options.profile})`, software.unbound, ["-d", "-c", config], () =>
    probe.resolveSoa(zone).then(() => true),
  );
  return {
    pid: server.pid,
    port,
    profile: options.profile,
    version: software.unboundVersion,
    async stop() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
