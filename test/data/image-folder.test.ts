/**
 * Image-folder datasets: PNGs written with pngjs, JPEGs with jpeg-js, palette
 * PNGs written by hand (pngjs cannot write them), into temp folders and read
 * back. An optional cross-check decodes PIL-written files (grayscale JPEG,
 * palette, gray+alpha) and compares pixels with PIL's own decoding.
 */
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { deflateSync } from "node:zlib";
import { PNG } from "pngjs";
import jpeg from "jpeg-js";
import { imageFolder, listImageFolder } from "../../src/data/datasets/image-folder.ts";
import { convertChannels, readImage, resizeNearest } from "../../src/data/host/image.ts";

const root = mkdtempSync(join(tmpdir(), "twin-imgfolder-"));
after(() => rmSync(root, { recursive: true, force: true }));

function put(path: string, bytes: Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes);
}

/** RGBA pixel function → PNG of the given colour type (0 gray, 2 RGB, 4 gray+alpha, 6 RGBA). */
function png(w: number, h: number, px: (x: number, y: number) => [number, number, number, number], colorType: 0 | 2 | 4 | 6 = 2): Uint8Array {
  const p = new PNG({ width: w, height: h });
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const [r, g, b, a] = px(x, y);
      p.data.set([r, g, b, a], 4 * (y * w + x));
    }
  return PNG.sync.write(p, { colorType, inputColorType: 6 });
}

/** Single-channel gray PNG from gray values. */
function grayPng(w: number, h: number, v: (x: number, y: number) => number): Uint8Array {
  const p = new PNG({ width: w, height: h, colorType: 0, inputColorType: 0 });
  p.data = Buffer.from(Array.from({ length: w * h }, (_, i) => v(i % w, Math.floor(i / w))));
  return PNG.sync.write(p, { colorType: 0, inputColorType: 0 });
}

function jpg(w: number, h: number, rgb: [number, number, number]): Uint8Array {
  const data = Buffer.alloc(w * h * 4);
  for (let i = 0; i < w * h; i++) data.set([...rgb, 255], 4 * i);
  return jpeg.encode({ width: w, height: h, data }, 95).data;
}

/** Hand-built 8-bit palette PNG (colour type 3): indices per pixel, palette of RGB triples. */
function palettePng(w: number, h: number, indices: number[], palette: [number, number, number][]): Uint8Array {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc32 = (b: Uint8Array) => {
    let c = 0xffffffff;
    for (const x of b) c = crcTable[(c ^ x) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Uint8Array) => {
    const out = new Uint8Array(12 + data.length);
    const v = new DataView(out.buffer);
    v.setUint32(0, data.length);
    for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
    out.set(data, 8);
    v.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
    return out;
  };
  const ihdr = new Uint8Array(13);
  const iv = new DataView(ihdr.buffer);
  iv.setUint32(0, w);
  iv.setUint32(4, h);
  ihdr.set([8, 3, 0, 0, 0], 8);
  const raw = new Uint8Array(h * (w + 1));
  for (let y = 0; y < h; y++) raw.set(indices.slice(y * w, y * w + w), y * (w + 1) + 1);
  const parts = [
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("PLTE", new Uint8Array(palette.flat())),
    chunk("IDAT", new Uint8Array(deflateSync(raw))),
    chunk("IEND", new Uint8Array(0)),
  ];
  return Buffer.concat(parts);
}

test("classes sorted, files sorted within a class (recursively), CHW layout, RGBA alpha dropped", () => {
  const d = join(root, "basic");
  // value encodes (class, file, x, y, channel) so any mix-up shows.
  // (Alpha 255 for RGB files: pngjs composites alpha onto white when writing RGB.)
  const px = (k: number, a = 255) => (x: number, y: number): [number, number, number, number] => [k * 10 + x, k * 10 + y + 100, k * 10 + 200, a];
  put(join(d, "cat", "b.png"), png(3, 2, px(2, 77), 6)); // RGBA, half transparent: alpha is dropped, not composited
  put(join(d, "cat", "a.png"), png(3, 2, px(1)));
  put(join(d, "cat", "sub", "c.png"), png(3, 2, px(3)));
  put(join(d, "bird", "z.PNG"), png(3, 2, px(0)));
  put(join(d, "bird", "readme.txt"), new TextEncoder().encode("not an image"));
  put(join(d, "bird", ".hidden.png"), new Uint8Array([1, 2, 3]));
  put(join(d, "dog", "x.jpg"), jpg(3, 2, [250, 20, 130]));
  put(join(d, ".git", "ignored.png"), new Uint8Array([1]));

  const listed = listImageFolder(d);
  assert.deepEqual(listed.classes, ["bird", "cat", "dog"]);
  assert.deepEqual(listed.entries.map((e) => e.relPath), ["bird/z.PNG", "cat/a.png", "cat/b.png", "cat/sub/c.png", "dog/x.jpg"]);

  const ds = imageFolder(d);
  assert.deepEqual(ds.classes, ["bird", "cat", "dog"]);
  assert.deepEqual(ds.inputs.shape, [5, 3, 2, 3]);
  assert.equal(ds.inputs.dtype, "uint8");
  assert.deepEqual([...ds.targets.data], [0n, 1n, 1n, 1n, 2n]);
  assert.equal(ds.targets.dtype, "int64");
  const x = ds.inputs.data as Uint8Array;
  const at = (n: number, c: number, y: number, xx: number) => x[((n * 3 + c) * 2 + y) * 3 + xx]!;
  for (const [n, k] of [[0, 0], [1, 1], [2, 2], [3, 3]] as const) {
    for (let y = 0; y < 2; y++)
      for (let xx = 0; xx < 3; xx++) {
        const [r, g, b] = px(k)(xx, y);
        assert.deepEqual([at(n, 0, y, xx), at(n, 1, y, xx), at(n, 2, y, xx)], [r, g, b], `image ${n} (${xx},${y})`);
      }
  }
  // JPEG is lossy: a flat colour comes back within a few levels.
  for (let c = 0; c < 3; c++) assert.ok(Math.abs(at(4, c, 1, 1) - [250, 20, 130][c]!) <= 3, `jpeg channel ${c}: ${at(4, c, 1, 1)}`);
});

test("all-grayscale folders give C = 1; a mix gives C = 3 (gray replicated); channels forces", () => {
  const d = join(root, "gray");
  put(join(d, "a", "1.png"), grayPng(2, 2, (x, y) => 10 * x + 100 * y));
  put(join(d, "b", "1.png"), png(2, 2, () => [30, 30, 30, 128], 4)); // gray + alpha
  const g = imageFolder(d);
  assert.deepEqual(g.inputs.shape, [2, 1, 2, 2]);
  assert.deepEqual([...g.inputs.data], [0, 10, 100, 110, 30, 30, 30, 30]);

  put(join(d, "c", "rgb.png"), png(2, 2, () => [255, 0, 0, 255]));
  const mixed = imageFolder(d);
  assert.deepEqual(mixed.inputs.shape, [3, 3, 2, 2]);
  assert.deepEqual([...mixed.inputs.data.subarray(0, 12)], [0, 10, 100, 110, 0, 10, 100, 110, 0, 10, 100, 110]);
  assert.deepEqual([...mixed.inputs.data.subarray(24)], [255, 255, 255, 255, 0, 0, 0, 0, 0, 0, 0, 0]);

  const forced = imageFolder(d, { channels: 1 });
  assert.deepEqual(forced.inputs.shape, [3, 1, 2, 2]);
  // PIL's convert("L") of pure red: (255 * 19595 + 32768) >> 16 = 76.
  assert.deepEqual([...forced.inputs.data.subarray(8)], [76, 76, 76, 76]);
});

test("images of different sizes: an error naming the file, unless resize is given", () => {
  const d = join(root, "sizes");
  put(join(d, "a", "big.png"), png(4, 4, (x, y) => [x * 50, y * 50, 0, 255]));
  put(join(d, "a", "small.png"), png(2, 2, (x, y) => [x, y, 9, 255]));
  assert.throws(
    () => imageFolder(d),
    (e: Error) =>
      e.message.startsWith(join(d, "a", "small.png")) &&
      e.message.includes("is 2×2 (width×height)") &&
      e.message.includes("big.png is 4×4") &&
      e.message.includes("pass resize: [height, width]"),
  );
  const r = imageFolder(d, { resize: [4, 4] });
  assert.deepEqual(r.inputs.shape, [2, 3, 4, 4]);
  // Nearest-neighbour 2×2 → 4×4: every source pixel becomes a 2×2 block (red channel = x).
  assert.deepEqual([...r.inputs.data.subarray(48, 64)], [0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1]);
  assert.throws(() => imageFolder(d, { resize: [0, 4] }), /resize must be \[height, width\] positive integers/);
});

test("nearest-neighbour resize samples pixel centres (PyTorch's nearest-exact)", () => {
  const img = { width: 4, height: 1, channels: 1 as const, data: new Uint8Array([0, 1, 2, 3]) };
  assert.deepEqual([...resizeNearest(img, 1, 2).data], [1, 3]);
  // floor((x + 0.5) * 4 / 3) for x = 0, 1, 2 → 0, 2, 3
  assert.deepEqual([...resizeNearest(img, 1, 3).data], [0, 2, 3]);
  const rgb = convertChannels(img, 3);
  assert.deepEqual([...rgb.data], [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3]);
});

test("masks: gray and palette PNGs by relative path (a .jpg image takes a .png mask)", () => {
  const d = join(root, "seg");
  const m = join(root, "seg-masks");
  put(join(d, "scene", "a.png"), png(3, 2, () => [1, 2, 3, 255]));
  put(join(d, "scene", "b.jpg"), jpg(3, 2, [9, 9, 9]));
  put(join(m, "scene", "a.png"), grayPng(3, 2, (x, y) => x + 3 * y));
  // Palette: index 2 is white and index 0 black, so the mask must hold indices, not colours.
  put(join(m, "scene", "b.png"), palettePng(3, 2, [0, 2, 2, 1, 0, 255], [...Array(256)].map((_, k) => (k === 2 ? [255, 255, 255] : k === 1 ? [128, 0, 0] : [0, 0, k]) as [number, number, number])));
  const ds = imageFolder(d, { masks: m });
  assert.deepEqual(ds.masks!.shape, [2, 2, 3]);
  assert.equal(ds.masks!.dtype, "uint8");
  assert.deepEqual([...ds.masks!.data], [0, 1, 2, 3, 4, 5, 0, 2, 2, 1, 0, 255]);

  const r = imageFolder(d, { masks: m, resize: [4, 6] });
  assert.deepEqual(r.masks!.shape, [2, 4, 6]);
  assert.deepEqual([...r.masks!.data.subarray(0, 6)], [0, 0, 1, 1, 2, 2]);
});

test("masks: missing, JPEG, RGB and wrongly sized masks are refused with the file named", () => {
  const d = join(root, "seg2");
  const m = join(root, "seg2-masks");
  put(join(d, "k", "a.png"), png(2, 2, () => [1, 2, 3, 255]));
  assert.throws(() => imageFolder(d, { masks: join(root, "nowhere") }), /mask folder .*nowhere does not exist/);
  mkdirSync(m, { recursive: true });
  assert.throws(() => imageFolder(d, { masks: m }), (e: Error) => e.message.includes(`no mask for image ${join(d, "k", "a.png")}: expected ${join(m, "k", "a.png")}`));
  put(join(m, "k", "a.png"), jpg(2, 2, [1, 1, 1]));
  assert.throws(() => imageFolder(d, { masks: m }), /a\.png: masks must be PNG, not JPEG/);
  put(join(m, "k", "a.png"), png(2, 2, () => [1, 2, 3, 255]));
  assert.throws(() => imageFolder(d, { masks: m }), /a\.png: a mask must be a single-channel PNG .* RGB PNG/);
  put(join(m, "k", "a.png"), grayPng(3, 2, () => 1));
  assert.throws(() => imageFolder(d, { masks: m }), /mask is 3×2 \(width×height\) but its image .* is 2×2/);
});

test("folder errors: missing root, no classes, empty class, corrupt image", () => {
  assert.throws(() => imageFolder(join(root, "absent")), /absent does not exist or is not a directory/);
  const e1 = join(root, "noclasses");
  put(join(e1, "loose.png"), png(1, 1, () => [0, 0, 0, 255]));
  assert.throws(() => imageFolder(e1), /has no class sub-folders/);
  const e2 = join(root, "emptyclass");
  put(join(e2, "a", "1.png"), png(1, 1, () => [0, 0, 0, 255]));
  mkdirSync(join(e2, "b"));
  assert.throws(() => imageFolder(e2), /class folder "b" has no \.png\/\.jpg\/\.jpeg images/);
  const e3 = join(root, "corrupt");
  const good = png(2, 2, () => [0, 0, 0, 255]);
  put(join(e3, "a", "1.png"), good.subarray(0, good.length - 20));
  assert.throws(() => imageFolder(e3), (e: Error) => e.message.startsWith(join(e3, "a", "1.png")) && /cannot decode PNG/.test(e.message));
  put(join(e3, "a", "1.png"), new TextEncoder().encode("GIF89a..."));
  assert.throws(() => imageFolder(e3), /1\.png: not a PNG or JPEG image/);
});

const PY = "/usr/bin/python3";
const hasPil = spawnSync(PY, ["-c", "import PIL, numpy"]).status === 0;

test("decoding matches PIL (palette, gray+alpha, 16-bit gray, grayscale and RGB JPEG)", { skip: hasPil ? false : `${PY} with PIL and numpy is not available` }, () => {
  const d = join(root, "pil");
  mkdirSync(d, { recursive: true });
  const r = spawnSync(
    PY,
    [
      "-c",
      `
import numpy as np, json
from PIL import Image
rng = np.random.default_rng(0)
rgb = rng.integers(0, 256, (5, 7, 3), dtype=np.uint8)
out = {}
def save(name, img, mode, expect=None):
    img.save(name)
    a = np.asarray(Image.open(name).convert(mode)) if expect is None else expect
    out[name] = dict(mode=mode, shape=list(a.shape), values=a.ravel().tolist())
save('p.png', Image.fromarray(rgb).quantize(16), 'RGB')
save('la.png', Image.fromarray(rgb[..., 0]).convert('LA'), 'L')
save('rgba.png', Image.fromarray(rgb).convert('RGBA'), 'RGB')
# 16-bit gray: PIL's convert('L') clips instead of scaling, so the reference is v for v * 257.
save('g16.png', Image.fromarray((rgb[..., 1].astype(np.uint16) * 257)), 'L', rgb[..., 1])
# Nearest resize, compared with PIL's NEAREST (pixel-centre sampling) in both directions.
for (h, w) in [(3, 4), (11, 13), (2, 9)]:
    a = np.asarray(Image.fromarray(rgb).resize((w, h), Image.NEAREST))
    out[f'resize-{h}x{w}'] = dict(mode='RGB', shape=list(a.shape), values=a.ravel().tolist())
save('g.jpg', Image.fromarray(rgb[..., 2]), 'L')
# 4:4:4 chroma: with PIL's default 4:2:0, jpeg-js upsamples chroma by replication
# where libjpeg interpolates, which differs a lot on noise (and slightly on photos).
Image.fromarray(rgb).save('c.jpg', subsampling=0, quality=95)
a = np.asarray(Image.open('c.jpg').convert('RGB'))
out['c.jpg'] = dict(mode='RGB', shape=list(a.shape), values=a.ravel().tolist())
yy, xx = np.mgrid[0:32, 0:48]
smooth = np.stack([xx * 5, yy * 7, (xx + yy) * 3], -1).astype(np.uint8)
Image.fromarray(smooth).save('s420.jpg', quality=95)
a = np.asarray(Image.open('s420.jpg').convert('RGB'))
out['s420.jpg'] = dict(mode='RGB', shape=list(a.shape), values=a.ravel().tolist())
print(json.dumps(out))
`,
    ],
    { cwd: d, encoding: "utf8" },
  );
  assert.equal(r.status, 0, r.stderr);
  const ref = JSON.parse(r.stdout) as Record<string, { mode: string; shape: number[]; values: number[] }>;
  for (const [name, want] of Object.entries(ref)) {
    if (name.startsWith("resize-")) {
      const got = resizeNearest(readImage(join(d, "rgba.png")), want.shape[0]!, want.shape[1]!);
      assert.deepEqual([...got.data], want.values, name);
      continue;
    }
    const img = readImage(join(d, name));
    assert.equal(img.channels, want.mode === "L" ? 1 : 3, name);
    assert.deepEqual([img.height, img.width], want.shape.slice(0, 2), name);
    // PNG is lossless: exact. JPEG decoders (libjpeg vs jpeg-js) may differ by a few levels.
    const tol = name === "s420.jpg" ? 8 : name.endsWith(".jpg") ? 4 : 0;
    let worst = 0;
    want.values.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - img.data[i]!))));
    assert.ok(worst <= tol, `${name}: max difference ${worst} > ${tol}`);
    if (process.env["TWIN_TEST_VERBOSE"]) console.log(`${name}: max |twin - PIL| = ${worst}`);
  }
});
