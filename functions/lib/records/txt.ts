import { describeError, FailoverError } from "../errors.ts";
import type { RecordSetData } from "./record-set.ts";

/**
 * Documents in Route 53 TXT record values. A TXT value is a sequence of
 * quoted character strings, each at most 255 bytes; `"` and `\` need a
 * backslash and Route 53 shows other special characters as `\ddd`. These
 * records are public DNS, so what is written is only what the deciders need
 * (no free text: reasons and actors are in the private audit trail,
 * ../audit-trail.ts), and it is written as `rf2:` + base64url(JSON), cut into
 * 255-character strings: every character is in [A-Za-z0-9_:-], so nothing
 * ever needs escaping, by us or by a resolver.
 *
 * Records written before (plain JSON with escapes, "v1") are still read,
 * and rewritten in this format by the next write.
 */

/** Longest character string in a TXT value (RFC 1035). */
export const TXT_STRING_MAX = 255;
/** Longest TXT value Route 53 accepts, in characters, quotes included. */
export const TXT_VALUE_MAX = 4000;
/** Marks the current encoding; anything else starting with `{` is the older plain-JSON encoding. */
export const TXT_DOCUMENT_PREFIX = "rf2:";

/** Encodes a JSON-serialisable value as one TXT record value: `"rf2:eyJ2IjoxLC..." "...rest"`. */
export function encodeTxtDocument(value: unknown): string {
  const json = JSON.stringify(value);
  if (json === undefined)
    throw new FailoverError("TXT_NOT_JSON", "cannot store a value that is not JSON-serialisable in a TXT record");
  const text = TXT_DOCUMENT_PREFIX + Buffer.from(json, "utf8").toString("base64url");
  const strings: string[] = [];
  for (let offset = 0; offset < text.length; offset += TXT_STRING_MAX)
    strings.push(`"${text.slice(offset, offset + TXT_STRING_MAX)}"`);
  const encoded = strings.join(" ");
  if (encoded.length > TXT_VALUE_MAX) {
    throw new FailoverError(
      "TXT_TOO_LARGE",
      `the document is too large for a TXT record: ${encoded.length} characters encoded, at most ${TXT_VALUE_MAX}`,
      { hint: "Keep fewer switch events in the state document." },
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

/**
 * Decodes a TXT value written by {@link encodeTxtDocument}, or by the older
 * plain-JSON encoding. Throws FailoverError (TXT_MALFORMED) naming what is
 * wrong when it is neither.
 */
export function decodeTxtDocument(value: string): unknown {
  const text = decodeTxtStrings(value);
  let json = text;
  if (text.startsWith(TXT_DOCUMENT_PREFIX)) {
    const body = text.slice(TXT_DOCUMENT_PREFIX.length);
    if (!/^[A-Za-z0-9_-]*$/.test(body))
      throw new FailoverError("TXT_MALFORMED", `TXT value is not ${TXT_DOCUMENT_PREFIX} followed by base64url`);
    json = Buffer.from(body, "base64url").toString("utf8");
  } else if (!text.startsWith("{")) {
    throw new FailoverError(
      "TXT_MALFORMED",
      `TXT value is neither ${TXT_DOCUMENT_PREFIX}<base64url> nor an older JSON document (starts with ${JSON.stringify(text.slice(0, 8))})`,
    );
  }
  try {
    return JSON.parse(json);
  } catch (cause) {
    throw new FailoverError("TXT_MALFORMED", `TXT value is not JSON: ${(cause as Error).message}`, { cause });
  }
}

/** What {@link readJsonTxtRecord} found: the decoded document, or why the record was ignored. */
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
    return { value: decodeTxtDocument(record.ResourceRecords[0]?.Value ?? ""), problem: undefined, record };
  } catch (error) {
    return { value: undefined, problem: `${what} record ${name} ignored: ${describeError(error)}`, record };
  }
}
