import { describeError } from "../functions/lib/errors.ts";
import { emulatorPython } from "./python.ts";

/**
 * Vitest globalSetup of the integration project: finds (or installs once)
 * the emulator's Python before any test file starts, so a machine without
 * moto fails at once with one message saying what to run, instead of every
 * file timing out in its hooks. Test files then find it again cheaply (the
 * project venv's marker, or the interpreter's own moto).
 */
export default async function setup(): Promise<void> {
  try {
    process.env.PYTHON = await emulatorPython();
  } catch (error) {
    // One plain message, no stack: vitest prints the error's message as given.
    const failure = new Error(describeError(error));
    failure.stack = failure.message;
    throw failure;
  }
}
