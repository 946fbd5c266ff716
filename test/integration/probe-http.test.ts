import type http from "node:http";
import type { LookupFunction } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHttpProber, probeHttp } from "../../functions/lib/probe/http.ts";
import type { Prober, ProbeRequest } from "../../functions/lib/probe/types.ts";
import {
  closedPort,
  type LocalServer,
  selfSignedCertificate,
  startServer,
  type TestCertificateAuthority,
  testCertificateAuthority,
} from "../support/local-servers.ts";

const request = (url: string, overrides: Partial<ProbeRequest> = {}): ProbeRequest => ({
  url,
  timeoutMs: 2000,
  expectedStatuses: [200],
  bodyMatchBytes: 5120,
  headers: {},
  ...overrides,
});

// Streams `prefix` then filler forever (until the client goes away), recording when the client left.
function endless(res: http.ServerResponse, prefix: string, closed: string[], name: string) {
  res.writeHead(200, { "content-type": "text/plain" });
  res.write(prefix);
  const filler = "x".repeat(16 * 1024);
  const timer = setInterval(() => res.write(filler), 5);
  res.on("close", () => {
    clearInterval(timer);
    closed.push(name);
  });
}

describe("HTTP(S) prober against local servers", () => {
  let app: LocalServer;
  let otherPortApp: LocalServer;
  /** Certificates signed by a CA the `trusting` prober trusts: valid, expired, and for another name. */
  let authority: TestCertificateAuthority;
  let trusting: Prober;
  let tlsApp: LocalServer;
  let expiredApp: LocalServer;
  let otherNameApp: LocalServer;
  let selfSignedApp: LocalServer;
  const closed: string[] = [];
  const seenHeaders: http.IncomingHttpHeaders[] = [];

  beforeAll(async () => {
    const handler: http.RequestListener = (req, res) => {
      const url = new URL(req.url ?? "/", "http://local");
      seenHeaders.push(req.headers);
      switch (url.pathname) {
        case "/ok":
          return res.end("status: healthy");
        case "/slow":
          return void setTimeout(() => res.end("healthy"), Number(url.searchParams.get("ms")));
        case "/hang":
          return; // never answers
        case "/reset":
          return void req.socket.resetAndDestroy();
        case "/429":
          res.writeHead(429, { "retry-after": "1" });
          return res.end();
        case "/500":
          res.writeHead(500);
          return res.end("oops");
        case "/redirect-other":
          res.writeHead(302, { location: "http://other-host.invalid/health" });
          return res.end();
        case "/redirect-to":
          res.writeHead(302, { location: url.searchParams.get("to") ?? "/" });
          return res.end();
        case "/redirect-same":
          res.writeHead(301, { location: "/ok" });
          return res.end("moved");
        case "/redirect-loop":
          res.writeHead(302, { location: "/redirect-loop" });
          return res.end();
        case "/endless-match-early":
          return endless(res, "xx healthy xx", closed, "early");
        case "/endless-no-match":
          return endless(res, "", closed, "no-match");
        case "/endless-unread":
          return endless(res, "", closed, "unread");
        case "/match-split": {
          // The match straddles two writes near the end of the 5120-byte window.
          res.write(`${"y".repeat(4000)}heal`);
          return void setTimeout(() => res.end(`thy${"y".repeat(100)}`), 20);
        }
        case "/short-no-match":
          return res.end("nothing to see");
        default:
          res.writeHead(404);
          return res.end();
      }
    };
    app = await startServer(handler);
    otherPortApp = await startServer(handler);
    authority = testCertificateAuthority();
    trusting = createHttpProber({ ca: [authority.ca] });
    tlsApp = await startServer(handler, authority.issue("IP:127.0.0.1"));
    expiredApp = await startServer(handler, authority.issue("IP:127.0.0.1", { expired: true }));
    otherNameApp = await startServer(handler, authority.issue("DNS:other-name.example"));
    selfSignedApp = await startServer(handler, selfSignedCertificate());
  });
  afterAll(async () => {
    for (const server of [app, otherPortApp, tlsApp, expiredApp, otherNameApp, selfSignedApp]) await server?.close();
  });

  it("passes a 200 with the status and a latency", async () => {
    const result = await probeHttp(request(`${app.url}/ok`, { headers: { "x-waf-token": "abc" } }));
    expect(result).toMatchObject({ ok: true, status: 200 });
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
    expect(seenHeaders.at(-1)?.["x-waf-token"]).toBe("abc");
  });

  it("reports an unexpected status as status", async () => {
    expect(await probeHttp(request(`${app.url}/500`))).toMatchObject({ ok: false, status: 500, errorKind: "status" });
    expect(await probeHttp(request(`${app.url}/429`))).toMatchObject({ ok: false, status: 429, errorKind: "status" });
  });

  it("reports a server that never answers as timeout at the caller's deadline", async () => {
    const result = await probeHttp(request(`${app.url}/hang`, { timeoutMs: 300 }));
    expect(result).toMatchObject({ ok: false, errorKind: "timeout" });
    expect(result.detail).toContain("waiting for status");
    expect(result.latencyMs).toBeGreaterThanOrEqual(250);
  });

  it("reports a slow answer over maxLatencyMs as latency", async () => {
    const result = await probeHttp(request(`${app.url}/slow?ms=250`, { maxLatencyMs: 50 }));
    expect(result).toMatchObject({ ok: false, status: 200, errorKind: "latency" });
  });

  it("passes a slow answer when no latency limit is set", async () => {
    expect(await probeHttp(request(`${app.url}/slow?ms=100`))).toMatchObject({ ok: true, status: 200 });
  });

  it("reports a connection reset as reset", async () => {
    expect(await probeHttp(request(`${app.url}/reset`))).toMatchObject({ ok: false, errorKind: "reset" });
  });

  it("reports a closed port as refused", async () => {
    const port = await closedPort();
    expect(await probeHttp(request(`http://127.0.0.1:${port}/health`))).toMatchObject({
      ok: false,
      errorKind: "refused",
    });
  });

  it("reports a name that does not resolve as dns (resolver stand-in; no query leaves the machine)", async () => {
    const lookup: LookupFunction = (hostname, _options, callback) =>
      process.nextTick(() =>
        callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" }), "", 4),
      );
    const result = await createHttpProber({ lookup })(request("http://nonexistent.invalid/health"));
    expect(result).toMatchObject({ ok: false, errorKind: "dns" });
    expect(result.detail).toContain("ENOTFOUND");
  });

  it("does not follow a redirect to another host", async () => {
    const result = await probeHttp(request(`${app.url}/redirect-other`));
    expect(result).toMatchObject({ ok: false, status: 302, errorKind: "redirect" });
    expect(result.detail).toContain("other-host.invalid");
  });

  it("follows a same-host redirect", async () => {
    expect(await probeHttp(request(`${app.url}/redirect-same`))).toMatchObject({ ok: true, status: 200 });
  });

  it("stops after a few same-host redirects", async () => {
    const result = await createHttpProber({ maxRedirects: 2 })(request(`${app.url}/redirect-loop`));
    expect(result).toMatchObject({ ok: false, errorKind: "redirect", detail: "more than 2 redirects" });
  });

  it("accepts a redirect status the config expects without following it", async () => {
    expect(await probeHttp(request(`${app.url}/redirect-other`, { expectedStatuses: [302] }))).toMatchObject({
      ok: true,
      status: 302,
    });
  });

  it("stops reading an endless body as soon as the match is found", async () => {
    const result = await probeHttp(request(`${app.url}/endless-match-early`, { bodyMatch: "healthy" }));
    expect(result).toMatchObject({ ok: true, status: 200 });
    await expect.poll(() => closed).toContain("early");
  });

  it("fails with body when the match is not within bodyMatchBytes, without reading further", async () => {
    const result = await probeHttp(
      request(`${app.url}/endless-no-match`, { bodyMatch: "healthy", bodyMatchBytes: 5120 }),
    );
    expect(result).toMatchObject({
      ok: false,
      status: 200,
      errorKind: "body",
      detail: "match not in the first 5120 bytes",
    });
    await expect.poll(() => closed).toContain("no-match");
  });

  it("finds a match split across chunks near the end of the window", async () => {
    expect(await probeHttp(request(`${app.url}/match-split`, { bodyMatch: "healthy" }))).toMatchObject({
      ok: true,
      status: 200,
    });
  });

  it("fails with body when a short body ends without the match", async () => {
    const result = await probeHttp(request(`${app.url}/short-no-match`, { bodyMatch: "healthy" }));
    expect(result).toMatchObject({ ok: false, errorKind: "body", detail: "match not in the body (14 bytes)" });
  });

  it("does not read the body at all without bodyMatch", async () => {
    const result = await probeHttp(request(`${app.url}/endless-unread`));
    expect(result).toMatchObject({ ok: true, status: 200 });
    await expect.poll(() => closed).toContain("unread");
  });

  it("passes a valid certificate from a trusted authority", async () => {
    expect(await trusting(request(`${tlsApp.url}/ok`, { bodyMatch: "healthy" }))).toMatchObject({
      ok: true,
      status: 200,
    });
  });

  it("fails an expired certificate with tls by default: clients would fail on it too", async () => {
    // Act
    const result = await trusting(request(`${expiredApp.url}/ok`));
    // Assess
    expect(result).toMatchObject({ ok: false, errorKind: "tls" });
    expect(result.detail).toContain("CERT_HAS_EXPIRED");
  });

  it("fails a certificate for another name with tls by default", async () => {
    // Act
    const result = await trusting(request(`${otherNameApp.url}/ok`));
    // Assess
    expect(result).toMatchObject({ ok: false, errorKind: "tls" });
    expect(result.detail).toContain("ERR_TLS_CERT_ALTNAME_INVALID");
  });

  it("fails a self-signed certificate with tls with Node's own roots", async () => {
    expect(await probeHttp(request(`${selfSignedApp.url}/ok`))).toMatchObject({ ok: false, errorKind: "tls" });
  });

  it("accepts an expired or self-signed certificate when the request turns verification off", async () => {
    // Act
    const expired = await trusting(request(`${expiredApp.url}/ok`, { verifyCertificate: false }));
    const selfSigned = await probeHttp(request(`${selfSignedApp.url}/ok`, { verifyCertificate: false }));
    // Assess
    expect(expired).toMatchObject({ ok: true, status: 200 });
    expect(selfSigned).toMatchObject({ ok: true, status: 200 });
  });

  it("still verifies on a connection after an unverified one to the same server (separate pooled sockets)", async () => {
    // Prepare: an unverified check leaves a kept-alive socket to this server
    await trusting(request(`${expiredApp.url}/ok`, { verifyCertificate: false }));
    // Act
    const verified = await trusting(request(`${expiredApp.url}/ok`));
    // Assess
    expect(verified).toMatchObject({ ok: false, errorKind: "tls" });
  });

  it("does not follow a redirect from https to http (a downgrade clients never take)", async () => {
    // Act
    const to = encodeURIComponent(`${app.url}/ok`);
    const result = await trusting(request(`${tlsApp.url}/redirect-to?to=${to}`));
    // Assess
    expect(result).toMatchObject({ ok: false, status: 302, errorKind: "redirect" });
    expect(result.detail).toBe(`302 redirect to another scheme (${app.url}), not followed`);
  });

  it("does not follow a redirect to another port of the same host", async () => {
    // Act
    const to = encodeURIComponent(`${otherPortApp.url}/ok`);
    const result = await probeHttp(request(`${app.url}/redirect-to?to=${to}`));
    // Assess
    expect(result).toMatchObject({ ok: false, status: 302, errorKind: "redirect" });
    expect(result.detail).toBe(`302 redirect to another port (${otherPortApp.url}), not followed`);
  });

  it("reports a failed TLS handshake (plain HTTP behind https://) as tls", async () => {
    const result = await probeHttp(request(`${app.url.replace("http:", "https:")}/ok`));
    expect(result).toMatchObject({ ok: false, errorKind: "tls" });
  });

  it("reports an unusable URL as other instead of throwing", async () => {
    expect(await probeHttp(request("not a url"))).toMatchObject({
      ok: false,
      errorKind: "other",
      detail: "invalid URL",
    });
    expect(await probeHttp(request("ftp://127.0.0.1/x"))).toMatchObject({ ok: false, errorKind: "other" });
    const badHeader = await probeHttp(request(`${app.url}/ok`, { headers: { "x-token": "line\nbreak-secret" } }));
    expect(badHeader).toMatchObject({ ok: false, errorKind: "other" });
    expect(badHeader.detail).not.toContain("secret");
  });
});
