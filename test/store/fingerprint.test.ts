/** Fingerprints: git state, file and dataset hashes (cached), environment, diffs. */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { cpus, platform } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import {
  checkStudyFingerprint,
  collectFingerprint,
  diffFingerprints,
  FingerprintChangedError,
  fingerprintHash,
  gitState,
  hashDatasetFiles,
  openStore,
  sha256,
} from "../../src/store/index.ts";
import { removeTempDirs, REPO, tempDir } from "./helpers.ts";

after(removeTempDirs);

function gitIn(cwd: string, ...args: string[]): string {
  return execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", ...args], { cwd }).toString().trim();
}

function repoWith(files: Record<string, string>): string {
  const dir = tempDir("twin-fp-");
  gitIn(dir, "init", "-q", "-b", "main");
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  gitIn(dir, "add", ".");
  gitIn(dir, "commit", "-q", "-m", "first");
  return dir;
}

describe("fingerprints", () => {
  it("of this repository: commit, branch, dirty flag, diff hash, versions, environment", async () => {
    const fp = await collectFingerprint({
      cwd: REPO,
      files: ["src/store/index.ts", "src/store/fingerprint.ts"],
      libtorchVersion: "2.1.2",
      threads: 4,
      gpu: null,
      argv: ["study", "examples/mnist.ts", "--seeds", "5"],
      splitIndices: new Int32Array([3, 1, 2]),
    });
    assert.match(fp.git.commit!, /^[0-9a-f]{40}$/);
    assert.equal(fp.git.commit, execFileSync("git", ["rev-parse", "HEAD"], { cwd: REPO }).toString().trim());
    assert.equal(typeof fp.git.dirty, "boolean");
    assert.match(fp.git.diffHash!, /^[0-9a-f]{64}$/);
    assert.deepEqual(Object.keys(fp.files), ["src/store/fingerprint.ts", "src/store/index.ts"]);
    assert.equal(fp.files["src/store/index.ts"], sha256(readFileSync(join(REPO, "src/store/index.ts"))));
    assert.equal(fp.lockfile, sha256(readFileSync(join(REPO, "package-lock.json"))));
    assert.equal(fp.versions.twin, JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")).version);
    assert.equal(fp.versions.node, process.version);
    assert.equal(fp.versions.libtorch, "2.1.2");
    assert.equal(fp.threads, 4);
    assert.equal(fp.cpu, cpus()[0]!.model);
    assert.equal(fp.gpu, null);
    assert.equal(fp.os.platform, platform());
    assert.equal(fp.split, sha256(new Uint8Array(new Int32Array([3, 1, 2]).buffer)));
    assert.deepEqual(fp.argv, ["study", "examples/mnist.ts", "--seeds", "5"]);
    assert.deepEqual(fp.datasets, {});
    // JSON-able and hashed stably.
    assert.equal(fingerprintHash(JSON.parse(JSON.stringify(fp))), fingerprintHash(fp));
  });

  it("follows a work tree from clean to dirty; diffFingerprints names what changed", async () => {
    const dir = repoWith({ "study.ts": "export default 1;\n", "model.ts": "export const width = 64;\n" });
    const clean = await collectFingerprint({ cwd: dir, files: ["study.ts", "model.ts"], argv: [] });
    assert.equal(clean.git.branch, "main");
    assert.equal(clean.git.dirty, false);
    assert.equal(clean.git.diffHash, sha256(""));
    assert.equal(clean.lockfile, null);
    assert.deepEqual(diffFingerprints(clean, await collectFingerprint({ cwd: dir, files: ["study.ts", "model.ts"], argv: [] })), []);

    writeFileSync(join(dir, "model.ts"), "export const width = 128;\n");
    const dirty = await collectFingerprint({ cwd: dir, files: ["study.ts", "model.ts"], argv: ["--fast"] });
    assert.equal(dirty.git.dirty, true);
    assert.notEqual(dirty.git.diffHash, clean.git.diffHash);
    const diff = diffFingerprints(clean, dirty);
    assert.deepEqual(diff.map((d) => d.key), ["argv", "files.model.ts", "git.diffHash", "git.dirty"]);
    assert.deepEqual(diff.find((d) => d.key === "git.dirty"), { key: "git.dirty", a: false, b: true });
    assert.deepEqual(diff.find((d) => d.key === "argv"), { key: "argv", a: [], b: ["--fast"] });
    assert.deepEqual(diffFingerprints(clean, dirty, { ignore: ["argv", "git"] }).map((d) => d.key), ["files.model.ts"]);

    gitIn(dir, "commit", "-q", "-am", "wider");
    const committed = await collectFingerprint({ cwd: dir, files: ["study.ts", "model.ts"], argv: [] });
    assert.equal(committed.git.dirty, false);
    assert.deepEqual(diffFingerprints(clean, committed).map((d) => d.key), ["files.model.ts", "git.commit"]);

    // Keys on one side only.
    assert.deepEqual(diffFingerprints({ a: 1, gpu: "H100" }, { a: 1, threads: 8 }), [
      { key: "gpu", a: "H100", b: undefined },
      { key: "threads", a: undefined, b: 8 },
    ]);
    assert.deepEqual(diffFingerprints({ gpu: null }, {}), [{ key: "gpu", a: null, b: undefined }]);
  });

  it("without git (or outside a repository) the git fields are null, without a crash", async () => {
    const outside = tempDir("twin-nogit-");
    // tmpdir might be inside some repository on a developer machine; make sure it is not.
    if (gitState(outside).commit === null) assert.deepEqual(gitState(outside), { commit: null, branch: null, dirty: null, diffHash: null });
    const saved = process.env.PATH;
    process.env.PATH = "/nonexistent";
    try {
      const fp = await collectFingerprint({ cwd: REPO, argv: [] });
      assert.deepEqual(fp.git, { commit: null, branch: null, dirty: null, diffHash: null });
      assert.equal(fp.versions.node, process.version);
    } finally {
      process.env.PATH = saved;
    }
    // A repository without commits yet.
    const fresh = tempDir("twin-nocommit-");
    gitIn(fresh, "init", "-q", "-b", "dev");
    assert.deepEqual(gitState(fresh), { commit: null, branch: "dev", dirty: false, diffHash: null });
  });

  it("hashes dataset files by content, from the cache when unchanged", async () => {
    const cwd = tempDir("twin-data-");
    mkdirSync(join(cwd, "data", "images"), { recursive: true });
    writeFileSync(join(cwd, "data", "train.csv"), "x,y\n1,2\n");
    writeFileSync(join(cwd, "data", "images", "a.png"), Buffer.from([1, 2, 3]));
    writeFileSync(join(cwd, "data", "images", "b.png"), Buffer.alloc(3 << 20, 7)); // several read chunks

    const first = hashDatasetFiles(["data/train.csv", "data/images"], { cwd });
    assert.deepEqual(Object.keys(first.hashes), ["data/images/a.png", "data/images/b.png", "data/train.csv"]);
    assert.equal(first.hashes["data/train.csv"], sha256("x,y\n1,2\n"));
    assert.equal(first.hashes["data/images/b.png"], sha256(Buffer.alloc(3 << 20, 7)));
    assert.deepEqual([first.hits, first.misses], [0, 3]);
    assert.ok(existsSync(join(cwd, ".twin", "hash-cache.json")));

    const second = hashDatasetFiles(["data/train.csv", "data/images"], { cwd });
    assert.deepEqual([second.hits, second.misses], [3, 0]);
    assert.deepEqual(second.hashes, first.hashes);

    // A changed file (new size and mtime) is read again; the others still come from the cache.
    writeFileSync(join(cwd, "data", "train.csv"), "x,y\n1,3\n");
    utimesSync(join(cwd, "data", "train.csv"), new Date(2001, 1, 1), new Date(2001, 1, 1));
    const third = hashDatasetFiles(["data/train.csv", "data/images"], { cwd });
    assert.deepEqual([third.hits, third.misses], [2, 1]);
    assert.equal(third.hashes["data/train.csv"], sha256("x,y\n1,3\n"));

    // Through collectFingerprint, and with a corrupt cache file (ignored, then rewritten).
    writeFileSync(join(cwd, ".twin", "hash-cache.json"), "{not json");
    const fp = await collectFingerprint({ cwd, datasets: ["data"], argv: [] });
    assert.deepEqual(fp.datasets, third.hashes);
    assert.deepEqual(hashDatasetFiles(["data"], { cwd }).misses, 0);

    assert.throws(() => hashDatasetFiles(["data/missing.csv"], { cwd }), /dataset file not found: .*missing\.csv/);
  });

  it("refuses to continue a study whose fingerprint changed, naming the difference, unless allowed", async () => {
    const dir = repoWith({ "model.ts": "export const width = 64;\n" });
    const store = await openStore(undefined, { cwd: dir });
    try {
      await store.putStudy({ name: "s", specHash: "h" });
      const fp1 = await collectFingerprint({ cwd: dir, files: ["model.ts"], argv: ["study", "s.ts"] });
      const first = await checkStudyFingerprint(store, "s", fp1);
      assert.deepEqual(first.differences, []);
      assert.equal((await store.getStudy("s"))!.fingerprintHash, first.hash);
      // Same code, other argv: fine.
      const again = await checkStudyFingerprint(store, "s", { ...fp1, argv: ["study", "s.ts", "--store", "x"] });
      assert.deepEqual(again.differences, []);

      writeFileSync(join(dir, "model.ts"), "export const width = 65;\n");
      const fp2 = await collectFingerprint({ cwd: dir, files: ["model.ts"], argv: ["study", "s.ts"] });
      await assert.rejects(checkStudyFingerprint(store, "s", fp2), (err: unknown) => {
        assert.ok(err instanceof FingerprintChangedError);
        assert.deepEqual(err.differences.map((d) => d.key), ["files.model.ts", "git.diffHash", "git.dirty"]);
        assert.match(err.message, /study 's' began with another fingerprint/);
        assert.match(err.message, /its code changed since its runs were made/);
        assert.match(err.message, /  code · files\.model\.ts: "[0-9a-f]+\.\.\. → "[0-9a-f]+\.\.\.\n  code · git\.diffHash: .*\n  code · git\.dirty: false → true\n/);
        assert.match(err.message, /--allow-changed continues the study anyway: runs made before and after the change then belong to one study\.$/);
        return true;
      });
      // The study layer says what the flag would do; the parts are named by fingerprint key.
      await assert.rejects(checkStudyFingerprint(store, "s", { ...fp2, versions: { ...fp2.versions, node: "v0" }, datasets: { "d.bin": "00" } }, { allowChangedEffect: (d) => `effect of ${d.length}` }), (err: unknown) => {
        assert.match((err as Error).message, /its code, data and environment changed since its runs were made:/);
        assert.match((err as Error).message, /  data · datasets\.d\.bin: \(absent\) → "00"/);
        assert.match((err as Error).message, /  environment · versions\.node: ".*" → "v0"/);
        assert.match((err as Error).message, /effect of 6\.$/);
        return true;
      });
      assert.equal(await store.getFingerprint(fingerprintHash(fp2)), undefined, "nothing stored by the refused check");
      const allowed = await checkStudyFingerprint(store, "s", fp2, { allowChanged: true });
      assert.deepEqual(allowed.differences.map((d) => d.key), ["files.model.ts", "git.diffHash", "git.dirty"]);
      assert.equal((await store.getStudy("s"))!.fingerprintHash, first.hash, "the study keeps the fingerprint it began with");
      await assert.rejects(checkStudyFingerprint(store, "nope", fp2), /unknown study 'nope'/);
    } finally {
      await store.close();
    }
  });
});
