import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { build } from "esbuild";

/**
 * One probe round over 1,000 targets on local servers (aim: ≤ 2 s, ≤ 128 MB).
 * The round runs in a fresh `node` child on an esbuild bundle, as in Lambda;
 * the servers run here, so the child's peak RSS is the probe's own.
 *
 * Lambda gives a function CPU in proportion to its memory (one vCPU at
 * 1,769 MB), so a round needing C ms of CPU here takes at least
 * C × 1769 / M ms at M MB. `lambdaRoundMsAt128MB` is that bound at the
 * deployed 128 MB (or the measured wall time, if longer), and
 * `smallestMemoryMB` the least memory (at least Lambda's 128 MB) whose
 * bound keeps the round within its slot: the 10 s interval less the 4 s
 * check timeout, so the round's slowest check still fits (probe/schedule.ts
 * skips a round started later than that), and above the peak RSS. The
 * machine's core is assumed as fast as a Lambda vCPU (arm64 Graviton).
 */
const TARGETS = 1000;
const SERVERS = 4;
const LAMBDA_MB_PER_VCPU = 1769;
const SLOT_MS = 10_000 - 4000;

let prepared: Promise<{ bundle: string; ports: number[] }> | undefined;

async function prepare() {
  const servers = await Promise.all(
    Array.from({ length: SERVERS }, async () => {
      const server = http.createServer((_req, res) => res.end("healthy"));
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", 1024, resolve));
      server.unref(); // let the bench process exit when done
      return (server.address() as AddressInfo).port;
    }),
  );
  const bundle = join(mkdtempSync(join(tmpdir(), "probe-bench-")), "child.mjs");
  await build({
    entryPoints: [fileURLToPath(new URL("./probe-round.child.ts", import.meta.url))],
    outfile: bundle,
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    logLevel: "error",
  });
  return { bundle, ports: servers };
}

export default {
  name: `probe round, ${TARGETS} targets (concurrency 64)`,
  runs: 5,
  async run(): Promise<Record<string, number>> {
    prepared ??= prepare();
    const { bundle, ports } = await prepared;
    const { stdout } = await promisify(execFile)(process.execPath, [bundle], {
      env: { ...process.env, PORTS: ports.join(","), TARGETS: String(TARGETS) },
      timeout: 60_000,
    });
    const figures = JSON.parse(stdout) as {
      firstRoundMs: number;
      nextRoundMs: number;
      nextRoundCpuMs: number;
      peakRssMB: number;
      baselineRssMB: number;
      failed: number;
    };
    if (figures.failed > 0)
      throw new Error(
        `${figures.failed} checks failed against healthy local servers: the figures would not mean anything`,
      );
    const atMemory = (mb: number) => Math.max(figures.nextRoundMs, (figures.nextRoundCpuMs * LAMBDA_MB_PER_VCPU) / mb);
    let smallestMemoryMB = Math.max(128, Math.ceil(figures.peakRssMB));
    while (atMemory(smallestMemoryMB) > SLOT_MS) smallestMemoryMB += 1;
    return {
      firstRoundMs: figures.firstRoundMs,
      nextRoundMs: figures.nextRoundMs,
      nextRoundCpuMs: figures.nextRoundCpuMs,
      lambdaRoundMsAt128MB: atMemory(128),
      smallestMemoryMB,
      peakRssMB: figures.peakRssMB,
      baselineRssMB: figures.baselineRssMB,
    };
  },
};
