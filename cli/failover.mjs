#!/usr/bin/env node
// The `failover` bin: loads tsx so the TypeScript CLI runs without a build step.
import { register } from "tsx/esm/api";

register();
await import("./quiet-sdk-notice.ts");
const { runProcess } = await import("./main.ts");
await runProcess();
