import { describe, expect, it } from "vitest";
import { decodeTxtJson, decodeTxtStrings, encodeTxtJson } from "../../../functions/lib/records/txt.ts";

describe("TXT JSON encoding", () => {
  it("round-trips JSON with quotes, backslashes and non-ASCII through 255-character strings", () => {
    const value = { reason: 'said "drain" \\ now', who: "Zoë", long: "x".repeat(600) };

    const encoded = encodeTxtJson(value);
    const strings = encoded.match(/"(?:[^"\\]|\\.)*"/g) ?? [];

    expect(decodeTxtJson(encoded)).toEqual(value);
    expect(strings.length).toBe(3);
    expect(strings.every((s) => decodeTxtStrings(s).length <= 255)).toBe(true);
    expect(encoded).not.toMatch(/[^\x20-\x7e]/);
  });

  it("decodes Route 53's \\ddd octal escapes", () => {
    expect(decodeTxtStrings('"a\\052b" "c"')).toBe("a*bc");
  });

  it("names a malformed value instead of guessing", () => {
    expect(() => decodeTxtJson('"{unterminated')).toThrow(/unterminated quoted string/);
    expect(() => decodeTxtJson('"not json"')).toThrow(/not JSON/);
  });

  it("refuses a document too large for one TXT record", () => {
    expect(() => encodeTxtJson({ big: "y".repeat(5000) })).toThrow(/too large/);
  });
});
