import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { FailoverError } from "../functions/lib/errors.ts";

/** The moto release the launcher's patches are written and tested against. */
export const MOTO_VERSION = "5.2.1";
const MOTO_REQUIREMENT = `moto[server]==${MOTO_VERSION}`;
const projectRoot = fileURLToPath(new URL("..", import.meta.url));

export interface EmulatorPythonOptions {
  /** Interpreter that may already have moto, and that the project's venv is made from. @default env PYTHON, else "python3" */
  python?: string;
  /** The project's own virtual environment for moto. @default env FAILOVER_EMULATOR_VENV, else `.emulator/venv` in the project */
  venvDir?: string;
  /** Environment for python and pip (tests point pip at an empty index). @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Told one line before the one-time install starts. @default stderr */
  progress?: (line: string) => void;
  /** Longest the one-time install may take before it is abandoned, in ms. @default 300000 */
  installTimeoutMs?: number;
}

/**
 * Finds a Python that can run the emulator (emulator/moto_launcher.py), and
 * installs one on first use: the project's venv when it holds moto, else the
 * given interpreter when it has moto, else a new venv under `.emulator/`
 * with moto pinned (`pip install 'moto[server]==5.2.1'`, once; reused
 * afterwards). When none of that works it throws one `EMULATOR_MISSING`
 * error whose hint is exactly what to run. Memoised per process and options.
 */
export function emulatorPython(options: EmulatorPythonOptions = {}): Promise<string> {
  const env = options.env ?? process.env;
  const python = options.python ?? env.PYTHON ?? "python3";
  const venvDir = options.venvDir ?? env.FAILOVER_EMULATOR_VENV ?? join(projectRoot, ".emulator", "venv");
  const key = `${python}\0${venvDir}`;
  let found = resolved.get(key);
  if (found === undefined) {
    found = findOrInstall(python, venvDir, env, options);
    resolved.set(key, found);
    // A failure is not remembered: the next caller may have fixed it.
    found.catch(() => resolved.delete(key));
  }
  return found;
}

const resolved = new Map<string, Promise<string>>();

async function findOrInstall(
  python: string,
  venvDir: string,
  env: NodeJS.ProcessEnv,
  options: EmulatorPythonOptions,
): Promise<string> {
  const venvPython = join(venvDir, "bin", "python");
  const marker = join(venvDir, ".moto-installed");
  // The marker is written only after a verified install, so reading it needs no Python start.
  if (existsSync(venvPython) && readMarker(marker) === MOTO_VERSION) return venvPython;
  const own = await motoVersion(python, env);
  if (own.ok) return python;

  const nearby = relative(process.cwd(), venvDir);
  const shown = nearby && !nearby.startsWith("..") ? nearby : venvDir;
  const whatToRun = [
    `${python} -m venv ${shown} && ${join(shown, "bin", "pip")} install '${MOTO_REQUIREMENT}'`,
    `or install moto ${MOTO_VERSION} into any Python 3.9+ and set PYTHON=/path/to/that/python`,
  ].join("\n  ");
  const missing = (why: string, cause?: unknown) =>
    new FailoverError(
      "EMULATOR_MISSING",
      `the AWS emulator (moto ${MOTO_VERSION}) is not installed for ${python} (${own.why}), and installing it into ${shown} failed: ${why}`,
      { cause, hint: `Run:\n  ${whatToRun}` },
    );
  if (own.notFound) throw missing(`${python} was not found`);

  (options.progress ?? ((line) => void process.stderr.write(`${line}\n`)))(
    `emulator: installing moto ${MOTO_VERSION} into ${shown} (once; needs the Python package index)…`,
  );
  const timeoutMs = options.installTimeoutMs ?? 300_000;
  mkdirSync(venvDir, { recursive: true });
  const venv = await run(python, ["-m", "venv", venvDir], env, timeoutMs);
  if (!venv.ok)
    throw missing(
      /ensurepip|venv/.test(venv.output)
        ? `Python's venv module is unavailable (on Debian/Ubuntu: apt-get install python3-venv)`
        : lastLine(venv.output),
    );
  const pip = await run(
    venvPython,
    // A short socket timeout: an unreachable index fails in seconds, not after pip's 15-minute default retries.
    [
      "-m",
      "pip",
      "install",
      "--disable-pip-version-check",
      "--quiet",
      "--timeout",
      "10",
      "--retries",
      "1",
      MOTO_REQUIREMENT,
    ],
    env,
    timeoutMs,
  );
  if (!pip.ok) throw missing(lastLine(pip.output));
  const installed = await motoVersion(venvPython, env);
  if (!installed.ok) throw missing(`moto still cannot be imported (${installed.why})`);
  writeFileSync(marker, `${installed.version}\n`);
  return venvPython;
}

function readMarker(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8").trim();
  } catch {
    return undefined;
  }
}

type MotoCheck = { ok: true; version: string } | { ok: false; why: string; notFound: boolean };

/** Whether `python` imports moto with its server extra (werkzeug), and which version. */
async function motoVersion(python: string, env: NodeJS.ProcessEnv): Promise<MotoCheck> {
  const check = await run(
    python,
    ["-c", "import moto, werkzeug, moto.moto_server.werkzeug_app; print(moto.__version__)"],
    env,
    30_000,
  );
  if (check.ok) return { ok: true, version: check.output.trim().split("\n").pop() ?? "" };
  if (check.notFound) return { ok: false, why: "not found", notFound: true };
  return {
    ok: false,
    why: /No module named/.test(check.output) ? "no module named moto" : lastLine(check.output),
    notFound: false,
  };
}

function run(
  file: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<{ ok: boolean; output: string; notFound: boolean }> {
  return new Promise((resolve) => {
    execFile(file, args, { env, timeout: timeoutMs, killSignal: "SIGKILL" }, (error, stdout, stderr) => {
      const output = `${stdout}${stderr}`;
      if (!error) return resolve({ ok: true, output, notFound: false });
      const notFound = (error as NodeJS.ErrnoException).code === "ENOENT";
      const timedOut = error.killed === true;
      resolve({
        ok: false,
        output: timedOut ? `${output}\ngave up after ${Math.round(timeoutMs / 1000)} s` : output || error.message,
        notFound,
      });
    });
  });
}

function lastLine(text: string): string {
  const lines = text
    .trim()
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
  return [...lines].reverse().find((line) => /^ERROR|Error/.test(line)) ?? lines.pop() ?? "no output";
}
