/**
 * Free text (a lease reason, an actor, anything read back from a record or
 * an SNS message) made safe to show: every control character (C0, DEL, C1,
 * so no terminal escape sequence or carriage return survives) and every
 * bidirectional override (which can make text read backwards) becomes a
 * space. Newlines and tabs are kept when `multiline` is set.
 */
export function printable(text: string, options: { multiline?: boolean } = {}): string {
  let out = "";
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    const control = code < 0x20 || (code >= 0x7f && code <= 0x9f);
    const bidi = (code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069);
    const kept = options.multiline === true && (char === "\n" || char === "\t");
    out += (control || bidi) && !kept ? " " : char;
  }
  return out;
}
