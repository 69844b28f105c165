/**
 * Selecting parameters by glob patterns over their paths ("fc2.*",
 * "features.*.weight"), with picomatch. Paths use "." between modules and
 * picomatch's "*" does not stop at ".", so "fc*" matches "fc2.weight" too.
 * A pattern that matches nothing is an error listing the paths there are.
 */
import picomatch from "picomatch";

/** The paths matched by any of the patterns; throws naming the patterns that match none. */
export function matchPaths(patterns: readonly string[], paths: readonly string[], what: string, noun = "parameter", nouns = `${noun}s`): Set<string> {
  const selected = new Set<string>();
  const unmatched: string[] = [];
  for (const pattern of patterns) {
    if (typeof pattern !== "string" || pattern === "") throw new Error(`${what}: patterns must be non-empty strings, got ${JSON.stringify(pattern)}`);
    const match = picomatch(pattern);
    const hits = paths.filter((p) => match(p));
    if (hits.length === 0) unmatched.push(pattern);
    for (const p of hits) selected.add(p);
  }
  if (unmatched.length) {
    throw new Error(`${what}: pattern${unmatched.length > 1 ? "s" : ""} ${unmatched.map((u) => `"${u}"`).join(", ")} match${unmatched.length > 1 ? "" : "es"} no ${noun}; the ${nouns} are: ${paths.join(", ")}`);
  }
  return selected;
}
