#!/usr/bin/env node
// The `failover` bin: loads tsx so the TypeScript CLI runs without a build step.
import { register } from "tsx/esm/api";

register();
const { runProcess } = await import("./main.ts");
await runProcess();
