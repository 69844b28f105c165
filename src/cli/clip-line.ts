/** Shortening one line of a failure message for a progress line or a table cell. */

const OPEN = "([{<", CLOSE = ")]}>";

/**
 * `line` cut to at most `max` characters (ellipsis included) at a space outside
 * brackets, ending in "…", so a shape such as Tensor[16, 3, 32, 32] is shown
 * whole or not at all; a line with no such space in reach is cut before its
 * first unclosed bracket, else at `max`.
 */
export function clipLine(line: string, max: number): string {
  if (line.length <= max) return line;
  const room = max - 1;
  let depth = 0, lastSpace = -1, lastOpen = -1;
  for (let i = 0; i < room; i++) {
    const c = line[i]!;
    if (OPEN.includes(c)) { if (depth === 0) lastOpen = i; depth++; }
    else if (CLOSE.includes(c)) depth = Math.max(0, depth - 1);
    else if (c === " " && depth === 0) lastSpace = i;
  }
  // A space right after room is a clean cut too.
  if (depth === 0 && line[room] === " ") lastSpace = room;
  const cut = lastSpace > 0 ? lastSpace : depth > 0 && lastOpen > 0 ? lastOpen : room;
  return `${line.slice(0, cut).trimEnd()}…`;
}
