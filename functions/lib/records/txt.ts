import { describeError, FailoverError } from "../errors.ts";
import type { RecordSetData } from "./record-set.ts";

/**
 * JSON in a Route 53 TXT record value. A TXT value is a sequence of quoted
 * character strings, each at most 255 bytes, with `"` and `\` escaped by a
 * backslash; Route 53 returns other special characters as `\ddd` (octal).
 * The JSON is kept ASCII (non-ASCII as `\uXXXX`) so characters and bytes
 * agree, then cut into 255-character strings before escaping, so an escape
 * sequence is never split.
 */

/** Longest character string in a TXT value (RFC 1035). */
export const TXT_STRING_MAX = 255;
/** Longest TXT value Route 53 accepts, in characters, quotes and escapes included. */
export const TXT_VALUE_MAX = 4000;

/** Encodes a JSON-serialisable value as one TXT record value: `"{\"v\":1,..." "...rest"`. */
export function encodeTxtJson(value: unknown): string {
  const json = JSON.stringify(value);
  if (json === undefined)
    throw new FailoverError("TXT_NOT_JSON", "cannot store a value that is not JSON-serialisable in a TXT record");
  const ascii = json.replace(/[\u007f-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`);
  const strings: string[] = [];
  for (let offset = 0; offset < ascii.length; offset += TXT_STRING_MAX) {
    strings.push(`"${ascii.slice(offset, offset + TXT_STRING_MAX).replace(/[\\"]/g, (char) => `\\${char}`)}"`);
  }
  const encoded = strings.length === 0 ? '""' : strings.join(" ");
  if (encoded.length > TXT_VALUE_MAX) {
    throw new FailoverError(
      "TXT_TOO_LARGE",
      `the JSON document is too large for a TXT record: ${encoded.length} characters encoded, at most ${TXT_VALUE_MAX}`,
      {
        hint: "Keep fewer switch events or shorter reasons in the state document.",
      },
    );
  }
  return encoded;
}

/** Joins the character strings of a TXT value (undoing escapes). Throws on a malformed value. */
export function decodeTxtStrings(value: string): string {
  let text = "";
  let index = 0;
  const fail = (why: string) => new FailoverError("TXT_MALFORMED", `malformed TXT value at character ${index}: ${why}`);
  while (index < value.length) {
    const char = value[index];
    if (char === " " || char === "\t") {
      index++;
      continue;
    }
    if (char !== '"') throw fail('expected a quoted string (")');
    index++;
    let closed = false;
    while (index < value.length) {
      const inner = value[index] ?? "";
      if (inner === '"') {
        closed = true;
        index++;
        break;
      }
      if (inner === "\\") {
        const octal = /^[0-7]{3}/.exec(value.slice(index + 1, index + 4));
        if (octal) {
          text += String.fromCharCode(Number.parseInt(octal[0], 8));
          index += 4;
        } else if (index + 1 < value.length) {
          text += value[index + 1];
          index += 2;
        } else {
          throw fail("dangling backslash");
        }
        continue;
      }
      text += inner;
      index++;
    }
    if (!closed) throw fail("unterminated quoted string");
  }
  return text;
}

/** Decodes a TXT value written by {@link encodeTxtJson}. Throws FailoverError (TXT_MALFORMED) when it is not JSON. */
export function decodeTxtJson(value: string): unknown {
  const text = decodeTxtStrings(value);
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new FailoverError("TXT_MALFORMED", `TXT value is not JSON: ${(cause as Error).message}`, { cause });
  }
}

/** What {@link readJsonTxtRecord} found: the decoded JSON, or why the record was ignored. */
export interface JsonTxtRead {
  /** Decoded JSON; undefined when the record is absent or was ignored. */
  value: unknown;
  /** Why a present record was ignored; undefined when fine or absent. */
  problem: string | undefined;
  /** The exact current record (what a compare-and-swap DELETE carries); undefined when absent or ambiguous. */
  record: RecordSetData | undefined;
}

/** Reads the one plain TXT record holding JSON named `name` (`what` names it in problems) from the sets listed under it. */
export function readJsonTxtRecord(sets: RecordSetData[], what: string, name: string): JsonTxtRead {
  if (sets.length === 0) return { value: undefined, problem: undefined, record: undefined };
  const record = sets[0] as RecordSetData;
  if (sets.length > 1 || record.SetIdentifier !== undefined || record.ResourceRecords?.length !== 1) {
    return {
      value: undefined,
      problem: `${what} record ${name} ignored: expected one plain TXT record with one value`,
      record: sets.length === 1 ? record : undefined,
    };
  }
  try {
    return { value: decodeTxtJson(record.ResourceRecords[0]?.Value ?? ""), problem: undefined, record };
  } catch (error) {
    return { value: undefined, problem: `${what} record ${name} ignored: ${describeError(error)}`, record };
  }
}
