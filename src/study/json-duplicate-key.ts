/**
 * The first key written twice in one object of a JSON text (at any depth), or
 * undefined. JSON.parse keeps the last value of a repeated key without a word
 * (ECMA-404 leaves repeated names to the reader); a results record with a
 * metric twice is a mistake to report, not a value to pick.
 *
 * `json` must be valid JSON (parse it first): the scan only tracks strings,
 * nesting and which strings are keys.
 */
export function duplicateJsonKey(json: string): string | undefined {
  // One set of seen keys per open object; arrays push null.
  const open: (Set<string> | null)[] = [];
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (c === "{") open.push(new Set());
    else if (c === "[") open.push(null);
    else if (c === "}" || c === "]") open.pop();
    else if (c === '"') {
      let end = i + 1;
      while (json[end] !== '"') end += json[end] === "\\" ? 2 : 1;
      const keys = open[open.length - 1];
      let next = end + 1;
      while (next < json.length && /\s/.test(json[next]!)) next++;
      if (keys && json[next] === ":") {
        const key = JSON.parse(json.slice(i, end + 1)) as string;
        if (keys.has(key)) return key;
        keys.add(key);
      }
      i = end;
    }
  }
  return undefined;
}
