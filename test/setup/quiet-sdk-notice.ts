// The AWS SDK prints a notice on every worker that its 2027 releases will need
// Node 22. It says nothing about the code under test and buries real output,
// so it is dropped here (and in the CLI); every other warning still prints.
const emitWarning = process.emitWarning.bind(process) as (...args: unknown[]) => void;
process.emitWarning = ((warning: unknown, ...rest: unknown[]) => {
  if (String(warning).startsWith("NodeVersionSupportWarning")) return;
  emitWarning(warning, ...rest);
}) as typeof process.emitWarning;
