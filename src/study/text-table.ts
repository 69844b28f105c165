/**
 * A plain-text table whose column widths come from the printed strings, so a
 * wide cell (a value near 1e300, a long variant name) widens its column
 * instead of running into the next one. Each column keeps a minimum width,
 * so ordinary tables print as they always did.
 */

/** One column: its alignment, its least width, and the text printed before it (after the first). */
export interface TextColumn {
  align: "left" | "right";
  min?: number;
  gap?: string;
}

/** The rows (header first, if any) as lines, each cell padded to its column's width; trailing spaces trimmed. */
export function textTable(rows: readonly (readonly string[])[], columns: readonly TextColumn[]): string[] {
  const widths = columns.map((c, i) => Math.max(c.min ?? 0, ...rows.map((r) => (r[i] ?? "").length)));
  return rows.map((r) =>
    columns
      .map((c, i) => {
        const cell = r[i] ?? "";
        const padded = c.align === "left" ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!);
        return i === 0 ? padded : `${c.gap ?? "  "}${padded}`;
      })
      .join("")
      .trimEnd(),
  );
}
