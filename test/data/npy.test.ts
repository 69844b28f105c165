/**
 * NPY/NPZ cross-checks against NumPy. NumPy writes files of every supported
 * dtype, byte order, memory order and header version; twin reads them. Then twin
 * writes and NumPy reads. Values travel through JSON (int64 as strings).
 * Needs /usr/bin/python3 with numpy; the cross-checks are skipped otherwise.
 */
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  encodeNpy,
  parseNpy,
  parseNpz,
  parsePyLiteral,
  readNpy,
  readNpz,
  writeNpy,
  writeNpz,
} from "../../src/data/host/npy.ts";
import { hostArray, type HostArray, type HostDType } from "../../src/data/host/array.ts";

const PY = "/usr/bin/python3";
const dir = mkdtempSync(join(tmpdir(), "twin-npy-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function hasNumpy(): boolean {
  if (!existsSync(PY)) return false;
  return spawnSync(PY, ["-c", "import numpy"], { encoding: "utf8" }).status === 0;
}
const skip = hasNumpy() ? false : `${PY} with numpy is not available; NumPy cross-checks skipped`;

function python(script: string): string {
  const r = spawnSync(PY, ["-c", script], { encoding: "utf8", cwd: dir, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`python failed:\n${r.stderr}`);
  return r.stdout;
}

const PY_DTYPES: Record<string, HostDType> = {
  f4: "float32",
  f8: "float64",
  i4: "int32",
  i8: "int64",
  u1: "uint8",
  i1: "int8",
  i2: "int16",
  u2: "uint16",
  b1: "bool",
  u4: "uint32",
};

/** JSON-friendly flat values of a HostArray (int64 as strings, bool as 0/1). */
function flat(a: HostArray): (number | string)[] {
  if (a.data instanceof BigInt64Array) return [...a.data].map(String);
  return [...(a.data as Float64Array)];
}

// Python helper shared by the scripts below.
const PY_PRELUDE = `
import numpy as np, json, os
def vals(a, kind):
    a = np.ascontiguousarray(a)
    if kind == 'i8': return [str(int(v)) for v in a.ravel()]
    if kind == 'b1': return [int(v) for v in a.ravel()]
    return [float(v) if kind in ('f4','f8') else int(v) for v in a.ravel()]
def sample(kind, shape):
    n = int(np.prod(shape))
    base = {
      'f4': np.array([1.5, -2.25, 3.4e38, 1e-30, 0.0, -7.0], np.float32),
      'f8': np.array([np.pi, -1e300, 5e-324, 0.0, 2.0**60, -3.5]),
      'i4': np.array([-2**31, 2**31-1, 0, -1, 12345, 7], np.int32),
      'i8': np.array([-2**63, 2**63-1, 2**53+1, -1, 0, 42], np.int64),
      'u1': np.array([0, 255, 1, 128, 7, 9], np.uint8),
      'i1': np.array([-128, 127, 0, -1, 5, 6], np.int8),
      'i2': np.array([-32768, 32767, 0, -1, 300, 4], np.int16),
      'u2': np.array([0, 65535, 1, 256, 3, 2], np.uint16),
      'b1': np.array([True, False, True, True, False, False]),
      'u4': np.array([0, 2**32-1, 1, 65536, 3, 5], np.uint32),
    }[kind]
    return np.resize(base, n).reshape(shape)
`;

test("twin reads NumPy-written .npy files: all dtypes, both byte orders, C and Fortran order, versions 1/2/3", { skip }, () => {
  const manifest = JSON.parse(
    python(`${PY_PRELUDE}
out = []
kinds = ['f4','f8','i4','i8','u1','i1','i2','u2','b1','u4']
for k in kinds:
    for endian in ('<', '>'):
        for order in ('C', 'F'):
            for shape in [(2, 3, 4), (5,), (0, 3), ()]:
                a = sample(k, shape).astype(np.dtype(k).newbyteorder(endian) if k not in ('u1','i1','b1') else k)
                if order == 'F': a = np.asfortranarray(a)
                name = f'{k}-{"le" if endian == "<" else "be"}-{order}-{len(shape)}d.npy'
                np.save(name, a)
                out.append(dict(file=name, kind=k, shape=list(a.shape), values=vals(a, k), fortran=bool(a.flags.f_contiguous and not a.flags.c_contiguous)))
for v in [(1,0), (2,0), (3,0)]:
    a = sample('f4', (3, 2))
    name = f'v{v[0]}.npy'
    with open(name, 'wb') as f: np.lib.format.write_array(f, np.asfortranarray(a), version=v)
    out.append(dict(file=name, kind='f4', shape=[3,2], values=vals(a,'f4'), fortran=True))
print(json.dumps(out))
`),
  ) as { file: string; kind: string; shape: number[]; values: (number | string)[]; fortran: boolean }[];
  assert.equal(manifest.length, 10 * 2 * 2 * 4 + 3);
  assert.ok(manifest.some((m) => m.fortran), "some files really are Fortran-ordered");
  for (const m of manifest) {
    const a = readNpy(join(dir, m.file));
    assert.equal(a.dtype, PY_DTYPES[m.kind], m.file);
    assert.deepEqual(a.shape, m.shape, m.file);
    const got = flat(a);
    const want = m.kind === "f4" ? m.values.map((v) => Math.fround(v as number)) : m.values;
    assert.deepEqual(got, want, m.file);
  }
  // Versions really differ on disk.
  assert.equal(readFileSync(join(dir, "v2.npy"))[6], 2);
  assert.equal(readFileSync(join(dir, "v3.npy"))[6], 3);
});

test("twin reads NumPy .npz files (np.savez stored and np.savez_compressed deflated)", { skip }, () => {
  const expect = JSON.parse(
    python(`${PY_PRELUDE}
x = sample('f4', (4, 3)); y = sample('i8', (4,)); m = sample('b1', (2, 2))
np.savez('stored.npz', x=x, labels=y, mask=m)
np.savez_compressed('deflated.npz', x=x, labels=y, mask=np.asfortranarray(sample('u1', (3, 4))))
print(json.dumps(dict(x=vals(x,'f4'), labels=vals(y,'i8'), mask=vals(m,'b1'), u1=vals(sample('u1',(3,4)),'u1'))))
`),
  ) as Record<string, (number | string)[]>;
  for (const file of ["stored.npz", "deflated.npz"]) {
    const z = readNpz(join(dir, file));
    assert.deepEqual([...z.keys()].sort(), ["labels", "mask", "x"], file);
    assert.deepEqual(z.get("x")!.shape, [4, 3]);
    assert.deepEqual(flat(z.get("x")!), expect["x"]!.map((v) => Math.fround(v as number)));
    assert.deepEqual(flat(z.get("labels")!), expect["labels"]);
    assert.equal(z.get("labels")!.dtype, "int64");
  }
  assert.deepEqual(flat(readNpz(join(dir, "stored.npz")).get("mask")!), expect["mask"]);
  assert.deepEqual(flat(readNpz(join(dir, "deflated.npz")).get("mask")!), expect["u1"]);
});

test("NumPy reads twin-written .npy and .npz files", { skip }, () => {
  const arrays: Record<string, HostArray> = {
    f4: hostArray(new Float32Array([1.5, -2, 3.25, 1e-20, 0, 7]), [2, 3]),
    f8: hostArray(new Float64Array([Math.PI, -1e300, 0, 2]), [2, 1, 2]),
    i4: hostArray(new Int32Array([-(2 ** 31), 2 ** 31 - 1, 0]), [3]),
    i8: hostArray(new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n, 2n ** 53n + 1n]), [3]),
    u1: hostArray(new Uint8Array([0, 255, 7, 8]), [2, 2]),
    i1: hostArray(new Int8Array([-128, 127]), [2]),
    i2: hostArray(new Int16Array([-32768, 32767]), [2]),
    u2: hostArray(new Uint16Array([0, 65535]), [2]),
    b1: { data: new Uint8Array([1, 0, 1]), shape: [3], dtype: "bool" },
    u4: hostArray(new Uint32Array([0, 2 ** 32 - 1]), [1, 2]),
    scalar: hostArray(new Float64Array([2.5]), []),
    empty: hostArray(new Float32Array(0), [0, 4]),
  };
  for (const [name, a] of Object.entries(arrays)) writeNpy(join(dir, `tw-${name}.npy`), a);
  writeNpz(join(dir, "tw-stored.npz"), arrays);
  writeNpz(join(dir, "tw-deflated.npz"), new Map(Object.entries(arrays)), { compress: true });
  const got = JSON.parse(
    python(`${PY_PRELUDE}
names = ${JSON.stringify(Object.keys(arrays))}
def desc(a): return dict(dtype=a.dtype.str, shape=list(a.shape), values=[str(v) for v in a.ravel().tolist()])
out = dict(npy={n: desc(np.load(f'tw-{n}.npy')) for n in names})
for f in ('stored', 'deflated'):
    with np.load(f'tw-{f}.npz') as z: out[f] = {n: desc(z[n]) for n in z.files}
print(json.dumps(out))
`),
  ) as Record<string, Record<string, { dtype: string; shape: number[]; values: string[] }>>;
  const pyStr = (a: HostArray): string[] => {
    if (a.dtype === "bool") return [...a.data].map((v) => (v ? "True" : "False"));
    if (a.dtype === "float32" || a.dtype === "float64") return [...(a.data as Float64Array)].map((v) => pyFloat(v));
    return [...(a.data as Float64Array)].map(String);
  };
  for (const where of ["npy", "stored", "deflated"]) {
    assert.deepEqual(Object.keys(got[where]!).sort(), Object.keys(arrays).sort(), where);
    for (const [name, a] of Object.entries(arrays)) {
      const g = got[where]![name]!;
      const kind = name in PY_DTYPES ? name : a.dtype === "float64" ? "f8" : "f4";
      assert.equal(g.dtype.slice(1), kind, `${where}/${name}`);
      assert.deepEqual(g.shape, a.shape, `${where}/${name}`);
      assert.deepEqual(g.values, pyStr(a), `${where}/${name}`);
    }
  }
});

/**
 * Python's repr of a float for the values used here (both languages print the
 * shortest round-tripping digits): integers print as "2.0", and Python pads a
 * one-digit exponent to two ("1e-07").
 */
function pyFloat(v: number): string {
  if (Number.isInteger(v) && Math.abs(v) < 1e16) return v.toFixed(1);
  return String(v).replace(/e([+-])(\d)$/, "e$10$2");
}

test("object arrays, pickles, structured and float16 arrays are refused with a hint", { skip }, () => {
  python(`
import numpy as np, pickle
np.save('obj.npy', np.array([{'a': 1}, None], dtype=object), allow_pickle=True)
with open('pickled.npy', 'wb') as f: pickle.dump([1, 2, 3], f)
np.save('rec.npy', np.zeros(3, dtype=[('a', '<f4'), ('b', '<i4')]))
np.save('half.npy', np.zeros(3, dtype=np.float16))
np.save('u8.npy', np.zeros(3, dtype=np.uint64))
np.save('str.npy', np.array(['ab', 'c']))
np.savez('with-obj.npz', ok=np.zeros(2), bad=np.array([None, 1], dtype=object))
`);
  assert.throws(() => readNpy(join(dir, "obj.npy")), (e: Error) => /obj\.npy: object arrays \(dtype "\|O"\) hold pickled Python objects; twin never unpickles/.test(e.message));
  assert.throws(() => readNpy(join(dir, "pickled.npy")), /pickled\.npy: this is a Python pickle, not an NPY file/);
  assert.throws(() => readNpy(join(dir, "rec.npy")), /rec\.npy: structured \(record\) arrays are not supported/);
  assert.throws(() => readNpy(join(dir, "half.npy")), /half\.npy: unsupported NPY dtype "<f2"; float16 is not supported: save with a.astype\(np.float32\)/);
  assert.throws(() => readNpy(join(dir, "u8.npy")), /unsupported NPY dtype "<u8"; uint64/);
  assert.throws(() => readNpy(join(dir, "str.npy")), /unsupported NPY dtype "<U2"; string arrays/);
  assert.throws(() => readNpz(join(dir, "with-obj.npz")), /with-obj\.npz\[bad\.npy\]: object arrays/);
});

test("NPY errors without NumPy: truncation, wrong container, header parsing", () => {
  const bytes = encodeNpy(hostArray(new Float32Array([1, 2, 3, 4]), [2, 2]));
  assert.equal(bytes.length % 64, 16); // 64-byte aligned header + 16 data bytes
  assert.deepEqual(flat(parseNpy(bytes)), [1, 2, 3, 4]);
  assert.throws(() => parseNpy(bytes.subarray(0, bytes.length - 1), "t.npy"), /t\.npy: truncated NPY data: shape \[2, 2\] of <f4 needs 16 bytes, file has 15/);
  assert.throws(() => parseNpy(bytes.subarray(0, 20), "t.npy"), /truncated NPY header/);
  assert.throws(() => parseNpy(new TextEncoder().encode("hello world"), "t.npy"), /not an NPY file/);
  const zip = writeAndRead();
  assert.throws(() => parseNpy(zip, "z.npz"), /zip archive \(an \.npz file\?\)/);
  assert.throws(() => parseNpz(bytes, "a.npy"), /this is an \.npy file, not an \.npz archive/);
  assert.throws(() => parseNpz(zip.subarray(0, zip.length - 30), "cut.npz"), /cut\.npz: cannot unzip NPZ archive/);
  assert.deepEqual(parsePyLiteral("{'descr': '<f4', 'fortran_order': True, 'shape': (3L, 4), }"), {
    descr: "<f4",
    fortran_order: true,
    shape: [3, 4],
  });
  assert.deepEqual(parsePyLiteral("{'shape': (), 'x': [('a', '<f4')], \"q\": None}"), { shape: [], x: [["a", "<f4"]], q: null });
  assert.throws(() => parsePyLiteral("{'a': 1"), /expected/);
});

function writeAndRead(): Uint8Array {
  const p = join(dir, "tiny.npz");
  writeNpz(p, { a: hostArray(new Int32Array([1, 2]), [2]) }, { compress: true });
  const z = readNpz(p);
  assert.deepEqual(flat(z.get("a")!), [1, 2]);
  writeFileSync(join(dir, "copy.npz"), readFileSync(p));
  return new Uint8Array(readFileSync(p));
}
