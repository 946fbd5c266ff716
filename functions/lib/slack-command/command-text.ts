import { ValidationError } from "../errors.ts";
import type { Weights } from "../types.ts";
import { parseWeightPairs, weightPairsForm } from "../weight-pairs.ts";

/** What `/failover <text>` asks for. */
export type CommandIntent =
  | { kind: "help" }
  | { kind: "read"; action: "status" | "plan" }
  | { kind: "change"; action: "promote" | "drain"; target: string }
  | { kind: "change"; action: "release-hold"; target: string }
  | { kind: "change"; action: "pin"; weights: Weights }
  | { kind: "change"; action: "release" };

/** A change the confirmation modal is about. */
export type ChangeIntent = Extract<CommandIntent, { kind: "change" }>;

/** The usage lines `/failover help` and every bad command show. */
export function commandUsage(command: string): string {
  return [
    `${command} status: weights, health, lease and last switches (only you see it)`,
    `${command} plan: what the decider would do now`,
    `${command} drain <target> | promote <target> | pin <${weightPairsForm}>: take an override lease (a modal asks for the reason and TTL)`,
    `${command} release: give control back to the policy; ${command} release-hold <target>: clear a flap hold`,
  ].join("\n");
}

/**
 * Reads the command's text (`drain primary`, `pin primary=0,failover=100`).
 * Whether the target or weights fit the config is the manual event's check;
 * a text of another form throws a ValidationError on `text`.
 */
export function parseCommandText(text: string, command: string): CommandIntent {
  const [verb = "", ...rest] = text.trim().split(/\s+/).filter(Boolean);
  const argument = rest.join(" ");
  const wrong = (message: string) =>
    new ValidationError(`${command} command`, [{ path: "text", message }], { hint: commandUsage(command) });
  switch (verb.toLowerCase()) {
    case "":
    case "help":
      return { kind: "help" };
    case "status":
    case "plan":
      if (argument !== "") throw wrong(`${verb} takes no argument, got "${argument}"`);
      return { kind: "read", action: verb.toLowerCase() as "status" | "plan" };
    case "release":
      if (argument !== "") throw wrong(`release takes no argument (it ends the lease), got "${argument}"`);
      return { kind: "change", action: "release" };
    case "promote":
    case "drain":
    case "release-hold":
      if (!/^[a-z][a-z0-9-]{0,31}$/.test(argument)) throw wrong(`${verb} needs one target id, got "${argument}"`);
      return verb.toLowerCase() === "release-hold"
        ? { kind: "change", action: "release-hold", target: argument }
        : { kind: "change", action: verb.toLowerCase() as "promote" | "drain", target: argument };
    case "pin": {
      const weights = parseWeightPairs(argument);
      if (weights === undefined) throw wrong(`pin needs ${weightPairsForm}, got "${argument}"`);
      return { kind: "change", action: "pin", weights };
    }
    default:
      throw wrong(`unknown action "${verb}" (expected status, plan, drain, promote, pin, release or release-hold)`);
  }
}
