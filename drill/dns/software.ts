import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { promisify } from "node:util";
import { FailoverError } from "../../functions/lib/errors.ts";

/** The Debian packages the real DNS path needs (PowerDNS with its SQLite backend, unbound, the sqlite3 tool). */
export const DNS_PACKAGES = ["pdns-server", "pdns-backend-sqlite3", "unbound", "sqlite3"] as const;

/** One line saying what to install; the drill prints it and exits 2, tests fail with it. */
export const DNS_INSTALL_HINT = `Install them (Debian/Ubuntu, as root): apt-get update && apt-get install -y ${DNS_PACKAGES.join(" ")}`;

/** Where the real DNS software is, and its versions (for summary.json). */
export interface DnsSoftware {
  pdnsServer: string;
  unbound: string;
  sqlite3: string;
  /** The PowerDNS SQLite schema shipped by pdns-backend-sqlite3. */
  schema: string;
  /** e.g. `PowerDNS Authoritative Server 4.7.3`. */
  pdnsVersion: string;
  /** e.g. `unbound 1.17.1`. */
  unboundVersion: string;
}

/** Search path for the binaries: PATH, then the sbin folders a non-root PATH leaves out. */
const FOLDERS = [...(process.env.PATH ?? "").split(":").filter(Boolean), "/usr/sbin", "/usr/local/sbin", "/sbin"];
const SCHEMAS = [
  "/usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql",
  "/usr/share/doc/pdns-backend-sqlite3/schema.sqlite3.sql",
];

/**
 * Finds pdns_server, unbound, sqlite3 (in `folders`: PATH and the sbin
 * folders) and the SQLite schema, and reads the two servers' versions. Throws a FailoverError `DNS_SOFTWARE_MISSING`
 * naming what is missing, with the one-line install command as its hint.
 */
export async function findDnsSoftware(folders: readonly string[] = FOLDERS, schemas = SCHEMAS): Promise<DnsSoftware> {
  const which = (name: string) => folders.map((folder) => `${folder}/${name}`).find((path) => existsSync(path));
  const pdnsServer = which("pdns_server");
  const unbound = which("unbound");
  const sqlite3 = which("sqlite3");
  const schema = schemas.find((path) => existsSync(path));
  const missing = [
    pdnsServer ? undefined : "pdns_server (pdns-server)",
    schema ? undefined : "the PowerDNS SQLite backend (pdns-backend-sqlite3)",
    unbound ? undefined : "unbound",
    sqlite3 ? undefined : "sqlite3",
  ].filter((item) => item !== undefined);
  if (!pdnsServer || !unbound || !sqlite3 || !schema)
    throw new FailoverError("DNS_SOFTWARE_MISSING", `--dns real needs ${missing.join(", ")}, not found.`, {
      hint: DNS_INSTALL_HINT,
    });
  const run = promisify(execFile);
  // pdns_server --version prints to stderr and exits 99; unbound -V prints to stdout.
  const pdnsText = await run(pdnsServer, ["--version"]).catch((error: { stdout?: string; stderr?: string }) => error);
  const pdnsVersion = /PowerDNS Authoritative Server [\w.-]+/.exec(`${pdnsText.stdout}${pdnsText.stderr}`)?.[0];
  const unboundText = await run(unbound, ["-V"]).catch((error: { stdout?: string; stderr?: string }) => error);
  const unboundVersion = /Version ([\w.-]+)/.exec(`${unboundText.stdout}${unboundText.stderr}`)?.[1];
  return {
    pdnsServer,
    unbound,
    sqlite3,
    schema,
    pdnsVersion: pdnsVersion ?? "PowerDNS Authoritative Server (version unknown)",
    unboundVersion: `unbound ${unboundVersion ?? "(version unknown)"}`,
  };
}
