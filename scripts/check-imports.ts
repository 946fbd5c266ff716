import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, posix, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import ts from "typescript";
import { functionLayers, type Layer } from "./layers.ts";

/**
 * Checks the import graph of functions/ against its layers (./layers.ts): no
 * file imports one of a higher layer, and no files import each other in a
 * loop. Type-only imports count: they tie the code as much as any other.
 *
 * Run: `node --import tsx scripts/check-imports.ts` (exit 0 clean, 1 with
 * each upward import and each cycle named); `npm test` runs it.
 */

/** The import graph of one folder: repo-relative paths, `/` separated. */
export interface ImportGraph {
  files: string[];
  /** Who imports whom, inside the folder only (packages and files outside it are left out). */
  imports: Map<string, string[]>;
}

/** The .ts files below `folder` and their relative imports, read as text (nothing is run). */
export function readImportGraph(repoRoot: string, folder: string): ImportGraph {
  const files = listTs(join(repoRoot, folder)).map((file) => toRepoPath(repoRoot, file));
  const inside = new Set(files);
  const imports = new Map<string, string[]>();
  for (const file of files) {
    const text = readFileSync(join(repoRoot, file), "utf8");
    const targets = ts
      .preProcessFile(text, true, true)
      .importedFiles.map((entry) => entry.fileName)
      .filter((name) => name.startsWith("."))
      .map((name) => posix.normalize(posix.join(posix.dirname(file), name)))
      .filter((target) => inside.has(target));
    imports.set(file, [...new Set(targets)]);
  }
  return { files, imports };
}

/** Every upward import and every cycle of `graph`, one line each; empty when the graph keeps to `layers`. */
export function importProblems(graph: ImportGraph, layers: readonly Layer[]): string[] {
  const problems: string[] = [];
  const layerOf = new Map(graph.files.map((file) => [file, layerIndex(file, layers)]));
  for (const file of graph.files) {
    const own = layerOf.get(file);
    if (own === undefined) {
      problems.push(`${file} is in no layer: place it in scripts/layers.ts`);
      continue;
    }
    for (const target of graph.imports.get(file) ?? []) {
      const theirs = layerOf.get(target);
      if (theirs !== undefined && theirs > own)
        problems.push(
          `${file} (layer ${layers[own]?.name}) imports ${target} (layer ${layers[theirs]?.name}, higher): an import from a lower layer to a higher one`,
        );
    }
  }
  for (const cycle of cyclesOf(graph))
    problems.push(`import cycle: ${[...cycle, cycle[0]].join(" -> ")}: files that import each other`);
  return problems;
}

/** The index in `layers` of the most specific rule that places `file`; undefined when none does. */
export function layerIndex(file: string, layers: readonly Layer[]): number | undefined {
  let best: { index: number; length: number } | undefined;
  layers.forEach((layer, index) => {
    for (const rule of layer.paths) {
      if (!matches(rule, file)) continue;
      if (best === undefined || rule.length > best.length) best = { index, length: rule.length };
    }
  });
  return best?.index;
}

function matches(rule: string, file: string): boolean {
  if (rule.endsWith("/*")) return posix.dirname(file) === rule.slice(0, -2);
  if (rule.endsWith("/")) return file.startsWith(rule);
  return file === rule;
}

/** The strongly connected groups of two files or more (Tarjan), and files that import themselves. */
function cyclesOf(graph: ImportGraph): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (file: string): void => {
    index.set(file, index.size);
    low.set(file, index.get(file) ?? 0);
    stack.push(file);
    onStack.add(file);
    for (const target of graph.imports.get(file) ?? []) {
      if (!index.has(target)) {
        visit(target);
        low.set(file, Math.min(low.get(file) ?? 0, low.get(target) ?? 0));
      } else if (onStack.has(target)) low.set(file, Math.min(low.get(file) ?? 0, index.get(target) ?? 0));
    }
    if (low.get(file) !== index.get(file)) return;
    const group: string[] = [];
    let member: string | undefined;
    do {
      member = stack.pop();
      if (member === undefined) break;
      onStack.delete(member);
      group.push(member);
    } while (member !== file);
    if (group.length > 1 || (graph.imports.get(file) ?? []).includes(file)) cycles.push(group.reverse());
  };
  for (const file of graph.files) if (!index.has(file)) visit(file);
  return cycles;
}

function listTs(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true })
    .flatMap((entry) => {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) return listTs(path);
      return entry.name.endsWith(".ts") ? [path] : [];
    })
    .sort();
}

function toRepoPath(repoRoot: string, file: string): string {
  return relative(repoRoot, file).split("\\").join("/");
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
  const graph = readImportGraph(repoRoot, "functions");
  const problems = importProblems(graph, functionLayers);
  const edges = [...graph.imports.values()].reduce((sum, targets) => sum + targets.length, 0);
  if (problems.length > 0) {
    for (const problem of problems) console.error(problem);
    console.error(`import graph of functions/: ${problems.length} problem(s); layers in scripts/layers.ts`);
    process.exit(1);
  }
  console.log(
    `import graph of functions/: ${graph.files.length} files, ${edges} imports, ${functionLayers.length} layers: no upward import, no cycle`,
  );
}
