/**
 * The gunzip cache (src/data/host/gunzip-cache.ts): a .gz data file is
 * inflated once per machine; later processes read the entry keyed by the
 * compressed bytes' SHA-256. Entries are whole or absent, a damaged one is
 * replaced, and a cache that cannot be written changes nothing but speed.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createHash, randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { gunzipCached, gunzipCacheDir } from "../../src/data/host/gunzip-cache.ts";
import { encodeIdx, readIdx } from "../../src/data/host/idx.ts";

const root = mkdtempSync(join(tmpdir(), "twin-gunzip-cache-"));
process.on("exit", () => rmSync(root, { recursive: true, force: true }));

/** 2 MiB of half-compressible bytes, gzipped: above the size worth caching. */
function sample(): { raw: Uint8Array; gz: Uint8Array } {
  const raw = new Uint8Array(2 << 20);
  raw.set(randomBytes(1 << 20));
  return { raw, gz: new Uint8Array(gzipSync(raw)) };
}

test("the first call inflates and stores the entry under the compressed bytes' SHA-256; the next reads it", () => {
  const dir = join(root, "a");
  const { raw, gz } = sample();
  assert.deepEqual(gunzipCached(gz, dir), raw);
  const key = createHash("sha256").update(gz).digest("hex");
  assert.deepEqual(readdirSync(dir), [key], "one entry, no temporary file left");
  assert.deepEqual(new Uint8Array(readFileSync(join(dir, key))), raw);
  // Proof that the second call reads the entry: an entry changed in place (same length) is what it returns.
  const marked = Uint8Array.from(raw);
  marked[0] = marked[0]! ^ 0xff;
  writeFileSync(join(dir, key), marked);
  assert.deepEqual(gunzipCached(gz, dir), marked);
});

test("an entry of the wrong length (cut short) is not used and is written again", () => {
  const dir = join(root, "b");
  const { raw, gz } = sample();
  gunzipCached(gz, dir);
  const [key] = readdirSync(dir);
  writeFileSync(join(dir, key!), raw.subarray(0, 1000));
  assert.deepEqual(gunzipCached(gz, dir), raw);
  assert.equal(readFileSync(join(dir, key!)).length, raw.length);
});

test("a file where the cache folder should be: the bytes are inflated as before, nothing thrown", () => {
  const blocker = join(root, "blocker");
  writeFileSync(blocker, "");
  const { raw, gz } = sample();
  assert.deepEqual(gunzipCached(gz, join(blocker, "gunzip")), raw);
});

test("readIdx of a gzipped IDX file goes through the cache ($TWIN_CACHE_DIR); small files do not", () => {
  const saved = process.env.TWIN_CACHE_DIR;
  process.env.TWIN_CACHE_DIR = join(root, "env");
  try {
    const big = { data: new Uint8Array(randomBytes(2000 * 28 * 28)), shape: [2000, 28, 28], dtype: "uint8" as const };
    const small = { data: Uint8Array.from([1, 2, 3]), shape: [3], dtype: "uint8" as const };
    writeFileSync(join(root, "big.gz"), gzipSync(encodeIdx(big)));
    writeFileSync(join(root, "small.gz"), gzipSync(encodeIdx(small)));
    assert.deepEqual(readIdx(join(root, "big.gz")), big);
    assert.deepEqual(readIdx(join(root, "small.gz")), small);
    assert.equal(gunzipCacheDir(), join(root, "env", "gunzip"));
    assert.equal(readdirSync(gunzipCacheDir()).length, 1, "the big file's entry only");
  } finally {
    if (saved === undefined) delete process.env.TWIN_CACHE_DIR;
    else process.env.TWIN_CACHE_DIR = saved;
  }
});

test("the default folder: $XDG_CACHE_HOME/twin, else ~/.cache/twin", () => {
  assert.equal(gunzipCacheDir({ XDG_CACHE_HOME: "/x" }), "/x/twin/gunzip");
  assert.equal(gunzipCacheDir({ TWIN_CACHE_DIR: "/y", XDG_CACHE_HOME: "/x" }), "/y/gunzip");
  assert.match(gunzipCacheDir({}), /\/\.cache\/twin\/gunzip$/);
});
