/**
 * Names and messages from files twin did not write (results tables, log
 * folder names, error columns) are shown on a terminal: control characters
 * there are terminal commands (ANSI colours, OSC window titles and hyperlinks,
 * cursor moves that overwrite earlier lines) and bidirectional overrides
 * reorder what is shown. They are written out as visible escapes instead.
 */

/** C0 and C1 controls, DEL, and the Unicode bidirectional embedding/override/isolate characters. */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/gu;

/** The text with every control character written as a visible \xNN or \u{NNNN} escape (tabs and newlines too). */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (c) => {
    const code = c.codePointAt(0)!;
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u{${code.toString(16)}}`;
  });
}
