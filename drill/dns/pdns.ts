import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { FailoverError } from "../../functions/lib/errors.ts";
import { freeDnsPort, startDnsProcess } from "./process.ts";
import type { DnsSoftware } from "./software.ts";

/** One address of an answer and its share of the answers (any positive numbers; only ratios count). */
export interface WeightedAddress {
  address: string;
  weight: number;
}

/** A PowerDNS authoritative server the drill runs, serving one zone. */
export interface Authoritative {
  pid: number;
  /** UDP/TCP port on 127.0.0.1 answering DNS. */
  port: number;
  /** The zone, with its final dot (`example.com.`). */
  zone: string;
  /** e.g. `PowerDNS Authoritative Server 4.7.3`. */
  version: string;
  /**
   * Replaces what `name` answers (HTTP API, `changetype: REPLACE`): one
   * address per query, picked by weight (a LUA `pickwrandom` record), as
   * Route 53 answers a weighted query. Addresses of weight 0 are left out.
   */
  setAnswers(name: string, ttlSeconds: number, answers: readonly WeightedAddress[]): Promise<void>;
  /** Queries answered so far (UDP and TCP, from its statistics): what Route 53 would bill. */
  queries(): Promise<number>;
  stop(): Promise<void>;
}

/** Integer weights for pickwrandom (it takes integers): per-mille of the total, at least 1 for any answered address. */
export function luaWeights(answers: readonly WeightedAddress[]): Array<[number, string]> {
  const answered = answers.filter((answer) => answer.weight > 0);
  const total = answered.reduce((sum, answer) => sum + answer.weight, 0);
  return answered.map((answer) => [Math.max(1, Math.round((answer.weight / total) * 1000)), answer.address]);
}

/**
 * Starts PowerDNS (pdns_server, gsqlite3 backend in a temporary folder, packet
 * and query caches off so every query is answered from the records as they are
 * now, LUA records on, HTTP API on loopback, security polling off: no traffic
 * leaves the machine) and creates `zone` through its API.
 */
export async function startAuthoritative(software: DnsSoftware, zoneName: string): Promise<Authoritative> {
  const dir = mkdtempSync(join(tmpdir(), "drill-pdns-"));
  const database = join(dir, "pdns.sqlite3");
  await promisify(execFile)(software.sqlite3, [database, `.read ${software.schema}`]);
  const port = await freeDnsPort();
  const apiPort = await freeDnsPort();
  const apiKey = `drill-${process.pid}-${port}`;
  writeFileSync(
    join(dir, "pdns.conf"),
    [
      "launch=gsqlite3",
      `gsqlite3-database=${database}`,
      "local-address=127.0.0.1",
      `local-port=${port}`,
      "api=yes",
      `api-key=${apiKey}`,
      "webserver=yes",
      "webserver-address=127.0.0.1",
      `webserver-port=${apiPort}`,
      "webserver-allow-from=127.0.0.0/8",
      "cache-ttl=0",
      "query-cache-ttl=0",
      "negquery-cache-ttl=0",
      "enable-lua-records=yes",
      "security-poll-suffix=",
      "guardian=no",
      "daemon=no",
      "disable-syslog=yes",
      `socket-dir=${dir}`,
      "loglevel=3",
      "",
    ].join("\n"),
  );
  const api = `http://127.0.0.1:${apiPort}/api/v1/servers/localhost`;
  const call = (method: string, path: string, body?: unknown) =>
    fetch(`${api}${path}`, {
      method,
      headers: { "x-api-key": apiKey, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const server = await startDnsProcess("PowerDNS (pdns_server)", software.pdnsServer, [`--config-dir=${dir}`], () =>
    call("GET", "").then((response) => response.ok),
  );
  const stop = async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  const zone = zoneName.endsWith(".") ? zoneName : `${zoneName}.`;
  const created = await call("POST", "/zones", { name: zone, kind: "Native", nameservers: [], rrsets: [] });
  if (!created.ok) {
    await stop();
    throw new FailoverError("DNS_START_FAILED", `PowerDNS refused to create zone ${zone}: HTTP ${created.status}`);
  }
  return {
    pid: server.pid,
    port,
    zone,
    version: software.pdnsVersion,
    async setAnswers(name, ttlSeconds, answers) {
      const picks = luaWeights(answers);
      if (picks.length === 0) throw new RangeError(`no address of ${name} has a positive weight`);
      const table = picks.map(([weight, address]) => `{${weight},'${address}'}`).join(",");
      const fqdn = name.endsWith(".") ? name : `${name}.`;
      const response = await call("PATCH", `/zones/${zone}`, {
        rrsets: [
          {
            name: fqdn,
            type: "LUA",
            ttl: ttlSeconds,
            changetype: "REPLACE",
            records: [{ content: `A "pickwrandom({${table}})"`, disabled: false }],
          },
        ],
      });
      if (!response.ok)
        throw new FailoverError(
          "DNS_UPDATE_FAILED",
          `PowerDNS refused the answers of ${fqdn}: HTTP ${response.status} ${await response.text()}`,
        );
    },
    async queries() {
      const response = await call("GET", "/statistics");
      const stats = (await response.json()) as Array<{ name: string; value: string }>;
      return stats
        .filter((stat) => stat.name === "udp-queries" || stat.name === "tcp-queries")
        .reduce((sum, stat) => sum + Number(stat.value), 0);
    },
    stop,
  };
}
