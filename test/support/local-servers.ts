import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A server on 127.0.0.1 started by a test. */
export interface LocalServer {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  url: string;
  port: number;
  server: http.Server;
  close(): Promise<void>;
}

/** Starts an HTTP server (or HTTPS with `tls`) on 127.0.0.1 and a free port. */
export async function startServer(
  handler: http.RequestListener,
  tls?: { key: string; cert: string },
): Promise<LocalServer> {
  const server = tls ? https.createServer(tls, handler) : http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `${tls ? "https" : "http"}://127.0.0.1:${port}`,
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A TCP port on 127.0.0.1 with nothing listening (bound, then released). */
export async function closedPort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** A self-signed certificate for 127.0.0.1/localhost, made with the `openssl` command. */
export function selfSignedCertificate(): { key: string; cert: string } {
  requireOpenssl();
  const dir = mkdtempSync(join(tmpdir(), "failover-tls-"));
  try {
    const key = join(dir, "key.pem");
    const cert = join(dir, "cert.pem");
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        key,
        "-out",
        cert,
        "-days",
        "1",
        "-subj",
        "/CN=localhost",
        "-addext",
        "subjectAltName=IP:127.0.0.1,DNS:localhost",
      ],
      { stdio: "ignore" },
    );
    return { key: readFileSync(key, "utf8"), cert: readFileSync(cert, "utf8") };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A throw-away certificate authority: trust `ca` in the prober, serve what `issue` makes. */
export interface TestCertificateAuthority {
  /** The CA certificate (PEM), for the prober's `ca` option. */
  ca: string;
  /** A key and certificate for `subjectAltName` (e.g. `IP:127.0.0.1`), signed by the CA; `expired` makes one whose validity ended a day ago. */
  issue(subjectAltName: string, options?: { expired?: boolean }): { key: string; cert: string };
}

/** Creates a CA with the `openssl` command (EC keys: fast). */
export function testCertificateAuthority(): TestCertificateAuthority {
  requireOpenssl();
  const dir = mkdtempSync(join(tmpdir(), "failover-ca-"));
  const run = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "ignore" });
  const ecKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  try {
    run("req", "-x509", ...ecKey, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=failover test CA");
    const caKey = readFileSync(join(dir, "ca.key"), "utf8");
    const ca = readFileSync(join(dir, "ca.pem"), "utf8");
    return {
      ca,
      issue(subjectAltName, options = {}) {
        const work = mkdtempSync(join(tmpdir(), "failover-leaf-"));
        const leaf = (...args: string[]) => execFileSync("openssl", args, { cwd: work, stdio: "ignore" });
        try {
          writeFileSync(join(work, "ca.key"), caKey);
          writeFileSync(join(work, "ca.pem"), ca);
          writeFileSync(join(work, "ext"), `subjectAltName=${subjectAltName}\n`);
          leaf("req", ...ecKey, "-keyout", "leaf.key", "-out", "leaf.csr", "-subj", "/CN=failover test");
          // A negative validity ends the certificate before it starts: expired, yet otherwise well-formed.
          leaf(
            "x509",
            "-req",
            "-in",
            "leaf.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-set_serial",
            "1",
            "-days",
            options.expired ? "-1" : "1",
            "-extfile",
            "ext",
            "-out",
            "leaf.pem",
          );
          return {
            key: readFileSync(join(work, "leaf.key"), "utf8"),
            cert: readFileSync(join(work, "leaf.pem"), "utf8"),
          };
        } finally {
          rmSync(work, { recursive: true, force: true });
        }
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function requireOpenssl(): void {
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore" });
  } catch {
    throw new Error(
      "the TLS tests need the `openssl` command: install it (apt-get install openssl / brew install openssl)",
    );
  }
}
