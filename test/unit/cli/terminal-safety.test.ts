import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { main } from "../../../cli/main.ts";
import { exampleConfigPath } from "../../../functions/lib/config.ts";
import { printable } from "../../../functions/lib/printable.ts";

/** Code points of the control characters in `text` other than newline and tab. */
function controlCharacters(text: string): number[] {
  return [...text]
    .map((char) => char.codePointAt(0) ?? 0)
    .filter((code) => (code < 0x20 && code !== 0x0a && code !== 0x09) || (code >= 0x7f && code <= 0x9f));
}

async function runCli(argv: string[]): Promise<{ code: number; err: string }> {
  let err = "";
  const code = await main(argv, {
    stdout: (text) => {
      err += text;
    },
    stderr: (text) => {
      err += text;
    },
    env: { FAILOVER_ACTOR: "oncall-alice" },
    isTTY: false,
  });
  return { code, err };
}

describe("text printed to a terminal", () => {
  it("carries no escape sequence, bell or carriage return from an argument the CLI echoes back", async () => {
    // Prepare: a target name that would retitle the terminal, clear it and overwrite the line
    const hostile = "\u001b]0;pwned\u0007\u001b[2J\rmars";
    const unknown = await runCli([hostile]);
    let stdout = "";
    let stderr = "";

    // Act
    const code = await main(
      ["promote", hostile, "--reason", "x", "--config", fileURLToPath(exampleConfigPath), "--yes", "--direct"],
      {
        stdout: (text) => {
          stdout += text;
        },
        stderr: (text) => {
          stderr += text;
        },
        env: { FAILOVER_ACTOR: "oncall-alice" },
        isTTY: false,
      },
    );

    // Assess
    expect(code).toBe(2);
    expect(stderr).toContain("mars");
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain("mars");
    expect(controlCharacters(unknown.err)).toEqual([]);
    expect(controlCharacters(stdout + stderr)).toEqual([]);
  });

  it("keeps newlines and tabs of multi-line output, and turns bidirectional overrides into spaces", () => {
    expect(printable("a\tb\nc\u202Eevil\u0085", { multiline: true })).toBe("a\tb\nc evil ");
    expect(printable("a\nb")).toBe("a b");
  });
});
