// The dashboard's view while the runs the verdict sets aside change as run
// folders come and go (a run that makes a factor vary sets the others aside;
// taking it out brings them back): every updated view is exactly the view a
// fresh build of the same folder gives, curves included, in either order.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LogDirSource } from "../../src/report/index.ts";
import { ViewBuilder, type ViewBody } from "../../src/serve/view-builder.ts";

const root = mkdtempSync(join(tmpdir(), "twin-set-aside-update-"));
after(() => rmSync(root, { recursive: true, force: true }));
const VARIANTS = ["base", "wide"];

/** A finished run of 20 steps whose factor seeds are init, order, split. */
function writeRun(study: string, variant: string, label: number, factors: [number, number, number]): void {
  const dir = join(root, study, variant, `seed-${label}`);
  mkdirSync(dir, { recursive: true });
  const hparams = { variant, seed: String(factors[0]), "seeds.init": String(factors[0]), "seeds.order": String(factors[1]), "seeds.split": String(factors[2]) };
  let text = JSON.stringify({ kind: "hparams", wall_time: 0, hparams, metrics: ["val/accuracy"] }) + "\n";
  for (let step = 1; step <= 20; step++) {
    const noise = Math.sin(label * 3.7 + step * 1.1 + (variant === "wide" ? 0.4 : 0));
    const values: Record<string, number> = { "train/loss": 2 * Math.exp(-step / 6) + 0.2 + 0.03 * noise };
    if (step % 5 === 0) values["val/accuracy"] = 0.85 - 0.5 * Math.exp(-step / 5) + (variant === "wide" ? 0.01 : 0) + 0.01 * noise;
    text += JSON.stringify({ kind: "scalars", step, wall_time: step, values }) + "\n";
  }
  writeFileSync(join(dir, "metrics.jsonl"), text + JSON.stringify({ kind: "end", wall_time: 21, status: "success" }) + "\n");
}

function writeSeed(study: string, label: number, factors: [number, number, number]): void {
  for (const v of VARIANTS) writeRun(study, v, label, factors);
}

function removeSeed(study: string, label: number): void {
  for (const v of VARIANTS) rmSync(join(root, study, v, `seed-${label}`), { recursive: true, force: true });
}

function comparable(v: ViewBody | undefined): unknown {
  assert.ok(v && v.error === undefined, v?.error);
  const { updatedAt: _u, seedsRead: _s, chartsChanged: _c, ...rest } = v!;
  return rest;
}

async function fresh(study: string): Promise<ViewBody | undefined> {
  const b = new ViewBuilder(new LogDirSource(root));
  try {
    return await b.view(study, {});
  } finally {
    await b.close();
  }
}

const CURVES_NOTE = /id="curves-set-aside">The curves, their bands and the paired differences over steps rest on the 2 seeds the verdict counts: the 8 runs it sets aside \(seeds 1, 2, 3, 4\) are left out of them\./;

test("the all-varied run arrives last, leaves and comes back: each view equals a fresh build", async () => {
  for (let k = 0; k < 5; k++) writeSeed("last", k, [k, 0, 0]);
  const live = new ViewBuilder(new LogDirSource(root));
  try {
    const before = await live.view("last", {});
    assert.deepEqual(comparable(before), comparable(await fresh("last")));
    assert.doesNotMatch(before!.html, /curves-set-aside/);
    writeSeed("last", 7, [7, 7, 7]);
    const withAll = await live.view("last", {});
    assert.equal(withAll?.seedsRead, 1, "an update, not a rebuild");
    assert.match(withAll!.html, CURVES_NOTE);
    assert.deepEqual(comparable(withAll), comparable(await fresh("last")));
    removeSeed("last", 7);
    const without = await live.view("last", {});
    assert.equal(without?.seedsRead, 0, "an update, not a rebuild");
    assert.doesNotMatch(without!.html, /curves-set-aside/);
    assert.deepEqual(comparable(without), comparable(before));
    assert.deepEqual(comparable(without), comparable(await fresh("last")));
    writeSeed("last", 7, [7, 7, 7]);
    assert.deepEqual(comparable(await live.view("last", {})), comparable(withAll));
  } finally {
    await live.close();
  }
});

test("the all-varied run first, the one-factor runs after, one set aside taken out and put back: each view equals a fresh build", async () => {
  writeSeed("first", 7, [7, 7, 7]);
  writeSeed("first", 0, [0, 0, 0]);
  const live = new ViewBuilder(new LogDirSource(root));
  try {
    assert.deepEqual(comparable(await live.view("first", {})), comparable(await fresh("first")));
    for (let k = 1; k < 5; k++) {
      writeSeed("first", k, [k, 0, 0]);
      assert.deepEqual(comparable(await live.view("first", {})), comparable(await fresh("first")), `after init run ${k}`);
    }
    assert.match((await live.view("first", {}))!.html, CURVES_NOTE);
    removeSeed("first", 3);
    assert.deepEqual(comparable(await live.view("first", {})), comparable(await fresh("first")), "init run 3 taken out");
    writeSeed("first", 3, [3, 0, 0]);
    assert.deepEqual(comparable(await live.view("first", {})), comparable(await fresh("first")), "and put back");
  } finally {
    await live.close();
  }
});
