import { describe, expect, it } from "vitest";
import { ValidationError } from "../../../functions/lib/errors.ts";
import { parsePolicyMemory } from "../../../functions/lib/policy/memory.ts";
import {
  emptyStateDocument,
  parseStateDocument,
  recordSwitch,
  type SwitchEvent,
} from "../../../functions/lib/state-document.ts";
import { simulate, exampleConfig, times, PRIMARY_DOWN } from "./helpers.ts";

const event = (at: number): SwitchEvent => ({
  at,
  mode: "automatic",
  from: { primary: 90, failover: 10 },
  to: { primary: 0, failover: 100 },
  reason: `drain at ${at}`,
  votes: { primary: { "us-east-1": "down", "us-west-2": "down", "eu-west-1": "silent" } },
});

describe("state document", () => {
  it("keeps the newest five switches, newest first, without touching the input", () => {
    let doc = emptyStateDocument();
    for (const at of [10, 20, 30, 40, 50, 60, 70]) doc = recordSwitch(doc, event(at));
    const before = JSON.stringify(doc);
    const next = recordSwitch(doc, event(80));
    expect(doc.switches.map((s) => s.at)).toEqual([70, 60, 50, 40, 30]);
    expect(next.switches.map((s) => s.at)).toEqual([80, 70, 60, 50, 40]);
    expect(JSON.stringify(doc)).toBe(before);
  });

  it("round-trips a document with the decider's memory through JSON", () => {
    const memory = simulate(exampleConfig(), times(3, PRIMARY_DOWN)).at(-1)?.memory;
    const doc = recordSwitch({ v: 1, memory: memory ?? emptyStateDocument().memory, switches: [] }, event(1));
    expect(parseStateDocument(JSON.parse(JSON.stringify(doc)))).toEqual(doc);
  });

  it("names each bad field of a malformed document", () => {
    const bad = {
      v: 2,
      memory: { v: 1, targets: { primary: { mode: "gone", since: -1 } }, drains: {} },
      switches: [{ ...event(1), mode: "robot" }],
    };
    const error = (() => {
      try {
        parseStateDocument(bad);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((i) => i.path)).toEqual([
      "v",
      "memory.targets.primary.mode",
      "memory.targets.primary.since",
      "switches[0].mode",
    ]);
  });

  it("keeps the memory of ten drained targets small enough for a TXT record", () => {
    const memory = {
      v: 1 as const,
      targets: Object.fromEntries(
        Array.from({ length: 10 }, (_, i) => [`target-${i}`, { mode: "ramp" as const, since: 1754447400, step: 2 }]),
      ),
      drains: Object.fromEntries(
        Array.from({ length: 10 }, (_, i) => [`target-${i}`, [1754447400, 1754448400, 1754449400]]),
      ),
      lease: "lease-0123456789",
    };
    expect(JSON.stringify(parsePolicyMemory(memory)).length).toBeLessThan(1500);
  });

  it("rejects malformed memory with a ValidationError", () => {
    expect(() => parsePolicyMemory({ v: 1, targets: {}, drains: { primary: ["yesterday"] } })).toThrow(
      /drains\.primary\[0\]/,
    );
  });
});
