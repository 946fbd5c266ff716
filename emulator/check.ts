import { describeError } from "../functions/lib/errors.ts";
import { emulatorPython } from "./python.ts";

/**
 * `node --import tsx emulator/check.ts`: the first step of `npm test`.
 * Finds (or installs once, into .emulator/venv) a Python with moto, and
 * exits 1 with one message saying what to run when there is none, before
 * the slower steps start.
 */
try {
  await emulatorPython();
} catch (error) {
  process.stderr.write(`${describeError(error)}\n`);
  process.exitCode = 1;
}
