import { spawn } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { emulatorPython, MOTO_VERSION } from "../../emulator/python.ts";
import { FailoverError } from "../../functions/lib/errors.ts";

// A fresh machine: a Python without moto and no reachable package index.
// `-S` hides site-packages (where moto lives), so any python3 will do;
// pip is pointed at an empty local index, so the one-time install fails as it would offline.
const scratch = mkdtempSync(join(tmpdir(), "emulator-python-"));
const pythonWithoutMoto = join(scratch, "python-without-moto");
writeFileSync(pythonWithoutMoto, '#!/bin/sh\nexec python3 -S "$@"\n');
chmodSync(pythonWithoutMoto, 0o755);
const emptyIndex = join(scratch, "empty-index");
mkdirSync(emptyIndex);
const offlinePip = { PIP_NO_INDEX: "1", PIP_FIND_LINKS: emptyIndex, PIP_CONFIG_FILE: "/dev/null" };
const projectRoot = fileURLToPath(new URL("../../", import.meta.url));

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("the emulator's Python", () => {
  it("fails with one message saying what to run when moto is missing and cannot be installed", async () => {
    // Prepare: the first step of `npm test`, as on a fresh machine.
    const venvDir = join(scratch, "venv-offline");
    const env = { ...process.env, ...offlinePip, PYTHON: pythonWithoutMoto, FAILOVER_EMULATOR_VENV: venvDir };

    // Act
    const run = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, ["--import", "tsx", "emulator/check.ts"], { cwd: projectRoot, env });
      let stderr = "";
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
      child.on("exit", (code) => resolve({ code, stderr }));
    });

    // Assess: exit 1, a progress line, then the message once with the commands, no stack trace.
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`installing moto ${MOTO_VERSION} into ${venvDir}`);
    expect(run.stderr.match(/is not installed for/g)).toHaveLength(1);
    expect(run.stderr).toContain(`${pythonWithoutMoto} (no module named moto)`);
    expect(run.stderr).toContain(
      `${pythonWithoutMoto} -m venv ${venvDir} && ${venvDir}/bin/pip install 'moto[server]==${MOTO_VERSION}'`,
    );
    expect(run.stderr).toContain("set PYTHON=");
    expect(run.stderr).not.toMatch(/^\s+at /m);
  });

  it("names an interpreter that does not exist", async () => {
    // Prepare
    const missing = join(scratch, "no-such-python");

    // Act
    const failure = await emulatorPython({ python: missing, venvDir: join(scratch, "venv-none") }).catch(
      (error: unknown) => error,
    );

    // Assess
    expect(failure).toBeInstanceOf(FailoverError);
    expect((failure as FailoverError).code).toBe("EMULATOR_MISSING");
    expect((failure as FailoverError).message).toContain(`${missing} was not found`);
  });

  it("reuses the project's venv once moto is installed there, without starting any Python", async () => {
    // Prepare: a venv whose install finished (its marker names the version).
    const venvDir = join(scratch, "venv-installed");
    mkdirSync(join(venvDir, "bin"), { recursive: true });
    symlinkSync("/bin/false", join(venvDir, "bin", "python"));
    writeFileSync(join(venvDir, ".moto-installed"), `${MOTO_VERSION}\n`);

    // Act: the base interpreter does not even exist, so only the marker can answer.
    const python = await emulatorPython({ python: join(scratch, "no-such-python"), venvDir });

    // Assess
    expect(python).toBe(join(venvDir, "bin", "python"));
  });

  it("uses the given interpreter when it already has moto", async () => {
    // Prepare: the interpreter this suite's globalSetup found.
    const withMoto = process.env.PYTHON ?? "python3";

    // Act
    const python = await emulatorPython({ python: withMoto, venvDir: join(scratch, "venv-unused") });

    // Assess
    expect(python).toBe(withMoto);
  });
});
