// The AWS SDK prints a notice in every process that its 2027 releases will need
// Node 22. On-call at 3 a.m. needs the answer, not that, and in tests it buries
// real output: the CLI, the drill, the emulator script and the test workers
// import this module first. Every other warning still prints.
const emitWarning = process.emitWarning.bind(process) as (...args: unknown[]) => void;
process.emitWarning = ((warning: unknown, ...rest: unknown[]) => {
  if (String(warning).startsWith("NodeVersionSupportWarning")) return;
  emitWarning(warning, ...rest);
}) as typeof process.emitWarning;
