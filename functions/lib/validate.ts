import type { z } from "zod";
import { ValidationError, type ValidationIssue } from "./errors.ts";

/**
 * Validates `data` against `schema` once, at the boundary.
 *
 * Returns the parsed value, or throws a {@link ValidationError} listing every
 * problem with its field path (`targets[1].weight`) and the rule broken
 * (`expected an integer from 0 to 255, got 300`).
 *
 * @param what - what is being validated, for the message (`config`, `scenario`, `event`)
 */
export function parseWith<S extends z.ZodType>(schema: S, data: unknown, what: string): z.output<S> {
  const forbidden = [
    ...forbiddenKeyPaths(data).map(forbiddenKeyIssue),
    ...loneSurrogatePaths(data).map(loneSurrogateIssue),
  ];
  if (forbidden.length > 0) throw new ValidationError(what, forbidden);
  const result = schema.safeParse(data, { reportInput: true });
  if (result.success) return result.data;
  throw new ValidationError(what, result.error.issues.flatMap(toIssues));
}

/** The issue for a `__proto__` key: refused wherever it appears, never merged or silently dropped. */
export function forbiddenKeyIssue(path: readonly PropertyKey[]): ValidationIssue {
  return {
    path: formatPath(path),
    message: 'refused: "__proto__" is not a field name here (it would change the object\'s prototype)',
  };
}

/** The issue for text holding a lone UTF-16 surrogate; the value is not echoed (it cannot be printed faithfully). */
function loneSurrogateIssue(path: readonly PropertyKey[]): ValidationIssue {
  return {
    path: formatPath(path),
    message:
      "expected well-formed Unicode text: it holds a lone UTF-16 surrogate (half of a character), which SSM, Slack and JSON tools reject or replace",
  };
}

/** A lone surrogate: `u` mode pairs a high and a low surrogate into one code point, so only an unpaired half is Cs. */
const loneSurrogate = /\p{Cs}/u;

/** Paths of every string (value or key) in parsed JSON holding a lone UTF-16 surrogate (JSON.parse accepts `"\ud800"`). */
function loneSurrogatePaths(value: unknown, path: PropertyKey[] = [], depth = 0): PropertyKey[][] {
  if (typeof value === "string") return loneSurrogate.test(value) ? [path] : [];
  if (typeof value !== "object" || value === null || depth > 64) return [];
  const entries: Array<[PropertyKey, unknown]> = Array.isArray(value) ? [...value.entries()] : Object.entries(value);
  return entries.flatMap(([key, item]) =>
    typeof key === "string" && loneSurrogate.test(key)
      ? [[...path, "(a field name)"]]
      : loneSurrogatePaths(item, [...path, key], depth + 1),
  );
}

/**
 * Paths of every own `__proto__` key in parsed JSON. `JSON.parse` keeps such a
 * key as data, but any copy by assignment (a record, a merge) turns it into a
 * prototype: the key vanishes from validation while its fields stay readable.
 */
function forbiddenKeyPaths(value: unknown, path: PropertyKey[] = [], depth = 0): PropertyKey[][] {
  if (typeof value !== "object" || value === null || depth > 64) return [];
  const found: PropertyKey[][] = [];
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) found.push(...forbiddenKeyPaths(item, [...path, index], depth + 1));
    return found;
  }
  for (const key of Object.keys(value)) {
    if (key === "__proto__") found.push([...path, key]);
    else found.push(...forbiddenKeyPaths((value as Record<string, unknown>)[key], [...path, key], depth + 1));
  }
  return found;
}

/** Formats a zod path as `targets[1].weight`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let text = "";
  for (const part of path) {
    if (typeof part === "number") text += `[${part}]`;
    else text += text === "" ? String(part) : `.${String(part)}`;
  }
  return text === "" ? "(root)" : text;
}

/** A short, bounded rendering of a bad value for an error message. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return value.length === 0 ? "an empty list" : `a list of ${value.length}`;
  if (typeof value === "object") return "an object";
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

// zod's issue type is a union of many shapes; we read the few fields we format.
interface LooseIssue {
  code: string;
  path: PropertyKey[];
  message: string;
  input?: unknown;
  expected?: string;
  keys?: string[];
  values?: unknown[];
  minimum?: number | bigint;
  maximum?: number | bigint;
  origin?: string;
  format?: string;
  errors?: LooseIssue[][];
}

function toIssues(raw: unknown): ValidationIssue[] {
  const issue = raw as LooseIssue;
  const path = formatPath(issue.path);
  const got = `, got ${describeValue(issue.input)}`;
  switch (issue.code) {
    case "unrecognized_keys":
      return (issue.keys ?? []).map((key) => ({
        path: formatPath([...issue.path, key]),
        message: "unknown field (check the spelling; see the example config)",
      }));
    case "invalid_type":
      if (issue.input === undefined)
        return [{ path, message: `is required (expected ${issue.expected ?? "a value"})` }];
      return [{ path, message: `expected ${issue.expected ?? "another type"}${got}` }];
    case "invalid_value":
      return [
        { path, message: `expected one of ${(issue.values ?? []).map((v) => JSON.stringify(v)).join(", ")}${got}` },
      ];
    case "invalid_union": {
      // Report the branch that got furthest: its issues say more than "no branch matched".
      const branches = issue.errors ?? [];
      const best = branches.reduce<LooseIssue[] | undefined>(
        (a, b) => (a === undefined || b.length < a.length ? b : a),
        undefined,
      );
      if (best && best.length > 0 && !issue.message.startsWith("expected")) {
        return best.flatMap((inner) => toIssues({ ...inner, path: [...issue.path, ...inner.path] }));
      }
      return [{ path, message: `${issue.message}${got}` }];
    }
    default: {
      const custom = issue.message.startsWith("expected") || issue.code === "custom";
      const message = custom ? issue.message : defaultMessage(issue);
      return [{ path, message: message.includes(", got ") || issue.code === "custom" ? message : `${message}${got}` }];
    }
  }
}

function defaultMessage(issue: LooseIssue): string {
  if (issue.code === "too_small") {
    if (issue.origin === "array") return `expected at least ${String(issue.minimum)} item(s)`;
    if (issue.origin === "string") return `expected at least ${String(issue.minimum)} character(s)`;
    return `expected a number of at least ${String(issue.minimum)}`;
  }
  if (issue.code === "too_big") {
    if (issue.origin === "array") return `expected at most ${String(issue.maximum)} item(s)`;
    if (issue.origin === "string") return `expected at most ${String(issue.maximum)} character(s)`;
    return `expected a number of at most ${String(issue.maximum)}`;
  }
  if (issue.code === "invalid_format")
    return `expected ${issue.format === "url" ? "a URL" : `a valid ${issue.format ?? "value"}`}`;
  return issue.message;
}
