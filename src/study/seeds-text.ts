/** How a list of seeds is named in one line of a note: "seed 2", "seeds 0, 1, 3", or the first eight and how many in all. */
export function seedsText(seeds: readonly string[]): string {
  const shown = seeds.length <= 8 ? seeds.join(", ") : `${seeds.slice(0, 8).join(", ")}, … (${seeds.length} in all)`;
  return `seed${seeds.length === 1 ? "" : "s"} ${shown}`;
}
