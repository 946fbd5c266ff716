import "../cli/quiet-sdk-notice.ts";
import { cpus } from "node:os";
import { readdirSync, readFileSync, writeFileSync, mkdirSync, existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "../cli/args.ts";
import { describeError, FailoverError } from "../functions/lib/errors.ts";

/** A benchmark: `runs` measurements of named figures (units in the names: `ms`, `rssMB`). */
export interface Benchmark {
  name: string;
  runs: number;
  run(): Promise<Record<string, number>>;
  /** Releases what the runs set up (an emulator, servers); called once after the last run. */
  teardown?(): Promise<void>;
}

interface Row {
  bench: string;
  figure: string;
  median: number;
  min: number;
  max: number;
  runs: number;
}

const here = dirname(fileURLToPath(import.meta.url));

/** Loads every bench/*.bench.ts (or only the named one). */
async function loadBenchmarks(only: string | undefined): Promise<Benchmark[]> {
  const files = readdirSync(here)
    .filter((f) => f.endsWith(".bench.ts"))
    .sort();
  const benches: Benchmark[] = [];
  for (const file of files) {
    const mod = (await import(pathToFileURL(resolve(here, file)).href)) as { default: Benchmark };
    if (only === undefined || mod.default.name === only || file === `${only}.bench.ts`) benches.push(mod.default);
  }
  if (only !== undefined && benches.length === 0)
    throw new FailoverError("BENCH_UNKNOWN", `no benchmark named "${only}"`, {
      hint: `Known: ${files.map((f) => f.replace(/\.bench\.ts$/, "")).join(", ")}`,
    });
  return benches;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

async function measure(bench: Benchmark): Promise<Row[]> {
  const samples = new Map<string, number[]>();
  try {
    for (let i = 0; i < bench.runs; i++) {
      for (const [figure, value] of Object.entries(await bench.run()))
        samples.set(figure, [...(samples.get(figure) ?? []), value]);
    }
  } finally {
    await bench.teardown?.();
  }
  return [...samples].map(([figure, values]) => ({
    bench: bench.name,
    figure,
    median: median(values),
    min: Math.min(...values),
    max: Math.max(...values),
    runs: values.length,
  }));
}

function format(value: number): string {
  if (value === 0) return "0";
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 1 ? 2 : 4;
  return value.toFixed(digits);
}

/** The machine the figures came from. */
export function machine(): string {
  const cpu = cpus();
  return `node ${process.version}, ${cpu[0]?.model.trim() ?? "unknown CPU"}, ${cpu.length} cores`;
}

function table(rows: Row[]): string {
  const lines = ["| benchmark | figure | median | min–max | runs |", "|---|---|---:|---:|---:|"];
  for (const row of rows)
    lines.push(
      `| ${row.bench} | ${row.figure} | ${format(row.median)} | ${format(row.min)}–${format(row.max)} | ${row.runs} |`,
    );
  return lines.join("\n");
}

/** Replaces (or appends) each benchmark's section of the performance page, so `--only` keeps the others. */
function writePage(path: string, rows: Row[], command: string): void {
  const existing = existsSync(path)
    ? readFileSync(path, "utf8")
    : "# Performance\n\nFigures from `npm run bench` (bench/*.bench.ts): median and min–max over the runs.\n";
  let page = existing;
  for (const bench of [...new Set(rows.map((r) => r.bench))]) {
    const start = `<!-- bench:${bench} -->`;
    const end = `<!-- /bench:${bench} -->`;
    const section = `${start}\n### ${bench}\n\n${machine()}; \`${command}\`\n\n${table(rows.filter((r) => r.bench === bench))}\n${end}`;
    const from = page.indexOf(start);
    const to = page.indexOf(end);
    page =
      from >= 0 && to > from
        ? page.slice(0, from) + section + page.slice(to + end.length)
        : `${page.trimEnd()}\n\n${section}\n`;
  }
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, page);
}

async function main(argv: string[]): Promise<number> {
  const { flags } = parseArgs(argv, { only: { type: "string" }, write: { type: "string" } }, { names: [] });
  const benches = await loadBenchmarks(flags.only);
  const rows: Row[] = [];
  for (const bench of benches) rows.push(...(await measure(bench)));
  process.stdout.write(`${machine()}\n\n${table(rows)}\n`);
  if (flags.write !== undefined) {
    const command = `npm run bench -- ${argv.join(" ")}`.trim();
    writePage(resolve(process.cwd(), flags.write), rows, command);
    process.stdout.write(`\nwrote ${flags.write}\n`);
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    process.stderr.write(`bench: ${describeError(error)}\n`);
    process.exitCode = error instanceof FailoverError ? 2 : 1;
  },
);
