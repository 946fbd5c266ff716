#!/usr/bin/env node
// The `failover` bin: loads tsx so the TypeScript CLI runs without a build step.
import { register } from "tsx/esm/api";

// The AWS SDK warns on every run that its 2027 releases will need Node 22;
// on-call at 3 a.m. needs the answer, not that. Other warnings still print.
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = (warning, ...rest) => (String(warning).startsWith("NodeVersionSupportWarning") ? undefined : emitWarning(warning, ...rest));

register();
const { runProcess } = await import("./main.ts");
await runProcess();
