import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { type ImportGraph, importProblems, layerIndex, readImportGraph } from "../../../scripts/check-imports.ts";
import { functionLayers, type Layer } from "../../../scripts/layers.ts";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

const layers: Layer[] = [
  { name: "low", says: "", paths: ["src/*", "src/low/"] },
  { name: "high", says: "", paths: ["src/high/", "src/high/special.ts"] },
];

function graph(imports: Record<string, string[]>): ImportGraph {
  return { files: Object.keys(imports), imports: new Map(Object.entries(imports)) };
}

describe("the import graph check", () => {
  it("finds functions/ keeping to its layers, with no cycle", () => {
    const read = readImportGraph(repoRoot, "functions");
    expect(read.files).toContain("functions/decide.ts");
    expect(read.imports.get("functions/decide.ts")?.length).toBeGreaterThan(0);
    expect(importProblems(read, functionLayers)).toEqual([]);
  });

  it("names an import from a lower layer to a higher one", () => {
    const problems = importProblems(graph({ "src/low/a.ts": ["src/high/b.ts"], "src/high/b.ts": [] }), layers);
    expect(problems).toEqual([
      "src/low/a.ts (layer low) imports src/high/b.ts (layer high, higher): an import from a lower layer to a higher one",
    ]);
  });

  it("lets a higher layer import a lower one, and a layer import itself", () => {
    const problems = importProblems(
      graph({
        "src/high/b.ts": ["src/low/a.ts", "src/high/c.ts"],
        "src/high/c.ts": [],
        "src/low/a.ts": ["src/x.ts"],
        "src/x.ts": [],
      }),
      layers,
    );
    expect(problems).toEqual([]);
  });

  it("names every file of an import cycle, even inside one layer", () => {
    const problems = importProblems(
      graph({ "src/low/a.ts": ["src/low/b.ts"], "src/low/b.ts": ["src/low/c.ts"], "src/low/c.ts": ["src/low/a.ts"] }),
      layers,
    );
    expect(problems).toEqual([
      "import cycle: src/low/a.ts -> src/low/b.ts -> src/low/c.ts -> src/low/a.ts: files that import each other",
    ]);
  });

  it("names a file that no layer places", () => {
    expect(importProblems(graph({ "src/other/a.ts": [] }), layers)).toEqual([
      "src/other/a.ts is in no layer: place it in scripts/layers.ts",
    ]);
  });

  it("places a file by its most specific rule; `folder/*` takes only the files directly in it", () => {
    expect(layerIndex("src/high/special.ts", layers)).toBe(1);
    expect(layerIndex("src/x.ts", layers)).toBe(0);
    expect(layerIndex("src/deeper/x.ts", layers)).toBeUndefined();
  });
});
