// Lists the mutants a Stryker run left alive (survived, no coverage, timed out) from its JSON report,
// one per line as `file:line:column Mutator: original → replacement [status]`, with a score per file.
// `npm run mutation:survivors [-- reports/mutation/mutation.json]`; docs/mutation.md explains each survivor.
import { readFileSync } from "node:fs";

interface Mutant {
  mutatorName: string;
  replacement?: string;
  status: string;
  location: { start: { line: number; column: number }; end: { line: number; column: number } };
}

interface Report {
  files: Record<string, { source: string; mutants: Mutant[] }>;
}

const alive = new Set(["Survived", "NoCoverage", "Timeout"]);
const path = process.argv[2] ?? "reports/mutation/mutation.json";
const report = JSON.parse(readFileSync(path, "utf8")) as Report;

for (const [file, { source, mutants }] of Object.entries(report.files)) {
  const lines = source.split("\n");
  const count = (status: string) => mutants.filter((m) => m.status === status).length;
  const killed = count("Killed");
  const timedOut = count("Timeout");
  const detected = killed + timedOut;
  const valid = detected + count("Survived") + count("NoCoverage");
  const score = valid === 0 ? 100 : (100 * detected) / valid;
  console.log(
    `${file}: ${score.toFixed(1)}% (${killed} killed, ${count("Survived")} survived, ${timedOut} timed out, ${count("NoCoverage")} no coverage)`,
  );
  for (const mutant of mutants.filter((m) => alive.has(m.status))) {
    const { start, end } = mutant.location;
    const original =
      start.line === end.line
        ? (lines[start.line - 1] ?? "").slice(start.column - 1, end.column - 1)
        : `${(lines[start.line - 1] ?? "").slice(start.column - 1)}…`;
    console.log(
      `  ${file}:${start.line}:${start.column} ${mutant.mutatorName}: ${original.trim()} → ${(mutant.replacement ?? "").replace(/\s+/g, " ")} [${mutant.status}]`,
    );
  }
}
