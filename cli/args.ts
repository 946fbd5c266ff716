import { ValidationError, type ValidationIssue } from "../functions/lib/errors.ts";
import { closest } from "./suggest.ts";

/** A flag a command accepts: a switch, or one that takes a value (optionally one of `choices`); `short` is its one-letter form (`-y`). */
export type FlagSpec = ({ type: "boolean" } | { type: "string"; choices?: readonly string[] }) & { short?: string };

type FlagValues<S extends Record<string, FlagSpec>> = {
  [K in keyof S]: S[K] extends { type: "boolean" } ? boolean : string | undefined;
};

export interface ParsedArgs<S extends Record<string, FlagSpec>> {
  flags: FlagValues<S>;
  positionals: string[];
  /** `--help` or `-h` was given. */
  help: boolean;
}

/**
 * Strict flag parser: `--name`, `--name value`, `--name=value`; `--` ends
 * flags. An unknown flag, a missing value, a value outside `choices` or the
 * wrong number of positionals is a ValidationError naming the flag or argument.
 */
export function parseArgs<S extends Record<string, FlagSpec>>(
  args: readonly string[],
  spec: S,
  positionals: { names: string[]; min?: number },
): ParsedArgs<S> {
  const issues: ValidationIssue[] = [];
  const flags: Record<string, boolean | string | undefined> = {};
  for (const [name, flag] of Object.entries(spec)) flags[name] = flag.type === "boolean" ? false : undefined;
  const rest: string[] = [];
  let help = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? "";
    if (arg === "--") {
      rest.push(...args.slice(i + 1));
      break;
    }
    if (arg === "--help" || arg === "-h") {
      help = true;
      continue;
    }
    if (!arg.startsWith("-") || arg === "-") {
      rest.push(arg);
      continue;
    }
    const long = arg.startsWith("--");
    const [givenName = "", inline] = long ? splitOnce(arg.slice(2), "=") : [arg.slice(1), undefined];
    const rawName = long ? givenName : (Object.entries(spec).find(([, f]) => f.short === givenName)?.[0] ?? "");
    const flag = spec[rawName];
    if (flag === undefined) {
      const given = arg.split("=")[0] ?? arg;
      const names = Object.keys(spec).map((n) => `--${n}`);
      const guess = closest(long ? given : `--${givenName}`, names);
      issues.push({
        path: given,
        message: `unknown flag${guess ? ` (did you mean ${guess}?)` : ""} (expected one of ${names.join(", ") || "none"})`,
      });
      continue;
    }
    if (flag.type === "boolean") {
      if (inline !== undefined) issues.push({ path: `--${rawName}`, message: "takes no value" });
      flags[rawName] = true;
      continue;
    }
    const value = inline ?? args[i + 1];
    if (inline === undefined) i++;
    if (value === undefined || (inline === undefined && value.startsWith("--"))) {
      issues.push({
        path: `--${rawName}`,
        message: `expected a value${flag.choices ? ` (${flag.choices.join(", ")})` : ""}`,
      });
      if (value !== undefined) i--;
      continue;
    }
    if (flag.choices && !flag.choices.includes(value))
      issues.push({ path: `--${rawName}`, message: `expected one of ${flag.choices.join(", ")}, got "${value}"` });
    flags[rawName] = value;
  }
  if (!help) {
    const min = positionals.min ?? positionals.names.length;
    for (const name of positionals.names.slice(rest.length, min))
      issues.push({ path: `<${name}>`, message: "is required" });
    for (const extra of rest.slice(positionals.names.length))
      issues.push({ path: extra, message: "unexpected argument" });
  }
  if (issues.length > 0) throw new ValidationError("arguments", issues, { hint: "See --help for usage." });
  return { flags: flags as FlagValues<S>, positionals: rest, help };
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}
