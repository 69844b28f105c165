import { test } from "node:test";
import assert from "node:assert/strict";
import { crc32c, maskCrc, maskedCrc32c, unmaskCrc } from "../../src/log/index.ts";

const ascii = (s: string) => new TextEncoder().encode(s);

test("crc32c: check value of '123456789'", () => {
  assert.equal(crc32c(ascii("123456789")), 0xe3069283);
});

test("crc32c: RFC 3720 B.4 vectors", () => {
  assert.equal(crc32c(new Uint8Array(32)), 0x8a9136aa);
  assert.equal(crc32c(new Uint8Array(32).fill(0xff)), 0x62a8ab43);
  assert.equal(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i)), 0x46dd794e);
  assert.equal(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i)), 0x113fdb5c);
});

test("crc32c: empty input is 0; every length and alignment agrees with a bitwise reference", () => {
  assert.equal(crc32c(new Uint8Array(0)), 0);
  const bitwise = (d: Uint8Array) => {
    let c = 0xffffffff;
    for (const b of d) {
      c ^= b;
      for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    }
    return (c ^ 0xffffffff) >>> 0;
  };
  const data = Uint8Array.from({ length: 67 }, (_, i) => (i * 131 + 7) & 0xff);
  for (let start = 0; start < 4; start++) {
    for (let end = start; end <= data.length; end++) {
      const part = data.subarray(start, end);
      assert.equal(crc32c(part), bitwise(part), `bytes [${start}, ${end})`);
    }
  }
});

test("crc32c: incremental equals one-shot", () => {
  const data = ascii("the quick brown fox jumps over the lazy dog");
  for (let cut = 0; cut <= data.length; cut++) {
    assert.equal(crc32c(data.subarray(cut), crc32c(data.subarray(0, cut))), crc32c(data));
  }
});

test("masked crc: formula and inverse", () => {
  for (const c of [0, 1, 0xe3069283, 0xffffffff, 0x80000000, 0x12345678]) {
    const m = maskCrc(c);
    assert.ok(m >= 0 && m <= 0xffffffff);
    assert.equal(m, ((((c >>> 15) | (c << 17)) >>> 0) + 0xa282ead8) % 2 ** 32);
    assert.equal(unmaskCrc(m), c);
  }
  assert.equal(maskedCrc32c(ascii("123456789")), maskCrc(0xe3069283));
});
