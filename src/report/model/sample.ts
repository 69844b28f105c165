/**
 * Which runs a summarised chart draws individually: a fixed sample chosen by a
 * hash of the seed (FNV-1a, 32 bit), so the same seeds are drawn for every
 * variant and in every rebuild, whatever order the runs are read in.
 */

/** FNV-1a hash of a seed's text, as an unsigned 32-bit number. */
export function seedHash(seed: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Orders seeds by hash (ties by text): the first k of this order are the sample of size k. */
export function bySeedHash(a: string, b: string): number {
  return seedHash(a) - seedHash(b) || (a < b ? -1 : a > b ? 1 : 0);
}

/** Up to this many seeds, firstBySeedHash keeps them by insertion (k² moves at worst); more, by sorting every seed. */
const KEPT_BY_INSERTION = 64;

/**
 * The first `k` seeds in {@link bySeedHash} order, each seed's hash computed
 * once. A few (the 20 per-run lines of a summarised curve) are kept in order
 * as the seeds go by, a seed after the k-th skipped by one comparison, instead
 * of sorting every seed (5,000 a variant, for each curve): the same seeds, as
 * (hash, text) orders every seed strictly.
 */
export function firstBySeedHash(seeds: Iterable<string>, k: number): string[] {
  if (k <= 0) return [];
  if (k > KEPT_BY_INSERTION) {
    const keyed = Array.from(seeds, (seed) => ({ seed, hash: seedHash(seed) }));
    keyed.sort((a, b) => a.hash - b.hash || (a.seed < b.seed ? -1 : a.seed > b.seed ? 1 : 0));
    return keyed.slice(0, k).map((x) => x.seed);
  }
  const kept: { seed: string; hash: number }[] = [];
  const before = (hash: number, seed: string, x: { seed: string; hash: number }): boolean => hash < x.hash || (hash === x.hash && seed < x.seed);
  for (const seed of seeds) {
    const hash = seedHash(seed);
    if (kept.length === k && !before(hash, seed, kept[k - 1]!)) continue;
    let at = kept.length === k ? k - 1 : kept.length;
    while (at > 0 && before(hash, seed, kept[at - 1]!)) {
      kept[at] = kept[at - 1]!;
      at--;
    }
    kept[at] = { seed, hash };
  }
  return kept.map((x) => x.seed);
}

/**
 * Keeps the k items of smallest seed hash seen so far (a bottom-k sample):
 * memory k whatever the number of items added.
 */
export class BottomK<T> {
  private items: { seed: string; item: T }[] = [];
  constructor(readonly k: number) {}

  add(seed: string, item: T): void {
    if (this.items.length < this.k) {
      this.items.push({ seed, item });
      return;
    }
    const worst = this.worst();
    if (bySeedHash(seed, this.items[worst]!.seed) < 0) this.items[worst] = { seed, item };
  }

  /** Whether an item of `seed` added now would be kept (its item need not be made otherwise). */
  admits(seed: string): boolean {
    return this.items.length < this.k || bySeedHash(seed, this.items[this.worst()]!.seed) < 0;
  }

  /** The index of the item of largest hash (k is a few dozen: a scan is cheap). */
  private worst(): number {
    let worst = 0;
    for (let i = 1; i < this.items.length; i++) if (bySeedHash(this.items[i]!.seed, this.items[worst]!.seed) > 0) worst = i;
    return worst;
  }

  /** A copy holding the same items (the items themselves are shared). */
  clone(): BottomK<T> {
    const c = new BottomK<T>(this.k);
    c.items = [...this.items];
    return c;
  }

  /** The first `n` (default all kept) items in seed-hash order. */
  take(n = this.k): { seed: string; item: T }[] {
    return [...this.items].sort((a, b) => bySeedHash(a.seed, b.seed)).slice(0, n);
  }
}
