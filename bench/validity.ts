// Validity of twin's verdicts when seeds misbehave (issue 11), by simulation:
//
//   npm run bench:validity            # full: 1,000 simulated studies per setting (Monte Carlo sd ≈ 0.7 points at 5% or 95%)
//   npm run bench:validity -- --quick # 300 per setting, for a smoke check
//
// Writes bench/results/validity.json and prints the tables of docs/statistics.md.
// Sections:
//   verdict   — type-I error, "p < 0.05 with no warning" and t-interval coverage of the paired (paired t)
//               and unpaired (Welch) verdict under normal, t3, lognormal and black-swan-mixture seeds, n = 3, 5, 10, 20
//   unseen    — the swan null's samples without a swan against the world "B better on every seed, no swans":
//               the share of studies no rule can flag without flagging real improvements
//   skewAware — the skew-aware check of the warning (skewness-corrected t; bootstrap-t in its place): the paired lognormal
//               gap with and without it, and what it costs on normal nulls and on real improvements (bench/skew-aware-tests.ts)
//   detector  — false alarms of the calibrated black-swan detector (and the old |z| > 3.5 rule) on normal
//               seeds, detection of planted swans
//   improvement — coverage of the P(B > A) intervals, paired and unpaired, n = 5, 10, 20, true 0.5–0.98
//   pairing   — coverage of the pairing-gain interval and bias of its estimates, ρ = 0, 0.5, 0.9, n = 5, 10, 20
//   planning  — plans from 5-seed pilots (planSeeds vs the plain pilot sd): power reached, range coverage;
//               "test the pilot, then extend to the plan" vs group-sequential designs (type I, power, seeds)
import { mkdirSync, writeFileSync } from "node:fs";
import * as s from "../src/stats/index.ts";
import { skewAwareRow, type SkewAwareRow } from "./skew-aware-tests.ts";

const quick = process.argv.includes("--quick");
const STUDIES = quick ? 300 : 1000;
const ALPHA = 0.05;
const t0 = Date.now();
const pct = (x: number): number => Math.round(x * 1000) / 10;
const log = (line: string): void => { process.stdout.write(line + "\n"); };

// ---------- seed distributions (a difference per seed, mean exactly 0 under the null) ----------
type Dist = "normal" | "t3" | "lognormal" | "swans";
const DISTS: Dist[] = ["normal", "t3", "lognormal", "swans"];
/** A black swan: a seed of B that diverged to K = 10 sd below its usual value, with probability 10%. */
const SWAN_RATE = 0.1, SWAN_SIZE = 10;
const SWAN_SHIFT = (SWAN_RATE * SWAN_SIZE) / (1 - SWAN_RATE); // normal seeds of B better by this, so the mean difference is 0

function draw(r: s.Xoshiro128, dist: Dist): { x: number; swan: boolean } {
  const z = r.nextNormal();
  if (dist === "normal") return { x: z, swan: false };
  if (dist === "t3") {
    const a = r.nextNormal(), b = r.nextNormal(), c = r.nextNormal();
    return { x: z / Math.sqrt((a * a + b * b + c * c) / 3), swan: false };
  }
  if (dist === "lognormal") return { x: Math.exp(z) - Math.exp(0.5), swan: false };
  const swan = r.nextFloat() < SWAN_RATE;
  return { x: swan ? z - SWAN_SIZE : z + SWAN_SHIFT, swan };
}

// ---------- verdict ----------
interface VerdictRow {
  design: "paired" | "unpaired"; dist: Dist; n: number; studies: number;
  /** Plain test p < 0.05 (true mean difference 0). */
  typeI: number;
  /** Plain p < 0.05 and robustVerdict gives no warning. */
  typeINoWarning: number;
  /** Warning on any study. */
  warned: number;
  /** Studies whose sample holds at least one black swan (swan mixture only). */
  withSwan: number;
  /** Plain p < 0.05 and no warning, among studies whose sample holds a swan. */
  typeINoWarningGivenSwan: number | null;
  /** Plain p < 0.05 and no warning, among studies whose sample holds no swan (swan mixture only). */
  typeINoWarningGivenNoSwan: number | null;
  /** The skew check fired. */
  skewed: number;
  /** A significant plain p came with the caveat on what the seeds cannot rule out. */
  caveat: number;
  /** t interval (paired t / Welch) covers the true mean difference 0. */
  coverage: number;
}

function verdictRow(design: "paired" | "unpaired", dist: Dist, n: number): VerdictRow {
  const r = s.rng(1000 * DISTS.indexOf(dist) + n + (design === "paired" ? 0 : 500));
  let rej = 0, rejQuiet = 0, warned = 0, withSwan = 0, rejQuietSwan = 0, rejQuietNoSwan = 0, cover = 0, skewed = 0, caveat = 0;
  for (let k = 0; k < STUDIES; k++) {
    let a: number[], b: number[], swan = false;
    if (design === "paired") {
      // a seed effect shared by both variants, so pairing matters; the difference follows `dist`
      a = []; b = [];
      for (let i = 0; i < n; i++) {
        const seedEffect = 2 * r.nextNormal();
        const d = draw(r, dist);
        swan ||= d.swan;
        a.push(seedEffect); b.push(seedEffect + d.x);
      }
    } else {
      a = Array.from({ length: n }, () => (dist === "swans" ? r.nextNormal() : draw(r, dist).x));
      b = [];
      for (let i = 0; i < n; i++) { const d = draw(r, dist); swan ||= d.swan; b.push(d.x); }
    }
    let p: number, lo: number, hi: number;
    try {
      const t = design === "paired" ? s.pairedTTest(a, b) : s.welchTTest(a, b);
      const iv = design === "paired" ? s.pairedTInterval(a, b) : s.welchInterval(a, b);
      p = t.p; lo = iv.lo; hi = iv.hi;
    } catch { p = 1; lo = hi = NaN; }
    const v = s.robustVerdict(a, b, { paired: design === "paired", seed: k });
    if (p < ALPHA) rej++;
    if (p < ALPHA && !v.warning) rejQuiet++;
    if (v.warning) warned++;
    if (swan) { withSwan++; if (p < ALPHA && !v.warning) rejQuietSwan++; } else if (p < ALPHA && !v.warning) rejQuietNoSwan++;
    if (v.skewed) skewed++;
    if (v.caveat) caveat++;
    if (lo <= 0 && 0 <= hi) cover++;
  }
  return {
    design, dist, n, studies: STUDIES, typeI: rej / STUDIES, typeINoWarning: rejQuiet / STUDIES, warned: warned / STUDIES,
    withSwan: withSwan / STUDIES, typeINoWarningGivenSwan: withSwan ? rejQuietSwan / withSwan : null,
    typeINoWarningGivenNoSwan: dist === "swans" && withSwan < STUDIES ? rejQuietNoSwan / (STUDIES - withSwan) : null,
    skewed: skewed / STUDIES, caveat: caveat / STUDIES, coverage: cover / STUDIES,
  };
}

const verdict: VerdictRow[] = [];
for (const design of ["paired", "unpaired"] as const) {
  for (const dist of DISTS) for (const n of [3, 5, 10, 20]) verdict.push(verdictRow(design, dist, n));
}
log(`\n### Verdict under the null (${STUDIES} studies per row; true mean difference 0)\n`);
log("| design | seeds | n | p < 0.05 (plain) | p < 0.05, no warning | warned | skew flagged | t-interval coverage | studies with a swan | p < 0.05, no warning, given a swan |");
log("|---|---|---|---|---|---|---|---|---|---|");
for (const v of verdict) {
  log(`| ${v.design} | ${v.dist} | ${v.n} | ${pct(v.typeI)}% | ${pct(v.typeINoWarning)}% | ${pct(v.warned)}% | ${pct(v.skewed)}% | ${pct(v.coverage)}% | ${v.dist === "swans" ? `${pct(v.withSwan)}%` : "–"} | ${v.typeINoWarningGivenSwan === null ? "–" : `${pct(v.typeINoWarningGivenSwan)}%`} |`);
}

// ---------- what no rule can see ----------
// Under the swan null a sample without a swan is n draws of "B better by SWAN_SHIFT sd", exactly what a world with
// a true improvement of SWAN_SHIFT sd and no swans produces. Any rule's "p < 0.05, no warning" on those samples is
// therefore its rate in that world: warning there is warning on real improvements.
interface UnseenRow {
  design: "paired" | "unpaired"; n: number;
  /** P(no swan among the n seeds of B) = 0.9^n. */
  noSwan: number;
  /** Measured under the null: p < 0.05, no warning, among samples without a swan. */
  quietGivenNoSwan: number;
  /** Measured in the world "B better by SWAN_SHIFT sd on every seed, no swans": p < 0.05 (power), and p < 0.05 with no warning. */
  power: number; quietInShiftedWorld: number; warnedInShiftedWorld: number;
  /** noSwan × quietInShiftedWorld: the share of null studies no rule with this behaviour on real improvements can flag. */
  floor: number;
  /** Largest rate of badly wrong seeds n swan-free seeds cannot rule out at 95%: 1 − 0.05^{1/n}. */
  unseenRate: number;
}
const unseen: UnseenRow[] = [];
for (const design of ["paired", "unpaired"] as const) {
  for (const n of [5, 10, 20]) {
    const r = s.rng(21000 + n + (design === "paired" ? 0 : 500));
    let sig = 0, quiet = 0, warnedSig = 0;
    for (let k = 0; k < STUDIES; k++) {
      let a: number[], b: number[];
      if (design === "paired") {
        a = []; b = [];
        for (let i = 0; i < n; i++) { const e = 2 * r.nextNormal(); a.push(e); b.push(e + r.nextNormal() + SWAN_SHIFT); }
      } else {
        a = Array.from({ length: n }, () => r.nextNormal());
        b = Array.from({ length: n }, () => r.nextNormal() + SWAN_SHIFT);
      }
      const p = design === "paired" ? s.pairedTTest(a, b).p : s.welchTTest(a, b).p;
      const v = s.robustVerdict(a, b, { paired: design === "paired", seed: k });
      if (p < ALPHA) { sig++; if (v.warning) warnedSig++; else quiet++; }
    }
    const row = verdict.find((x) => x.design === design && x.dist === "swans" && x.n === n)!;
    const noSwan = Math.pow(1 - SWAN_RATE, n);
    unseen.push({
      design, n, noSwan, quietGivenNoSwan: row.typeINoWarningGivenNoSwan ?? NaN, power: sig / STUDIES, quietInShiftedWorld: quiet / STUDIES,
      warnedInShiftedWorld: sig ? warnedSig / sig : 0, floor: noSwan * (quiet / STUDIES), unseenRate: 1 - Math.pow(0.05, 1 / n),
    });
  }
}
log(`\n### What no rule can see: swan-free samples of the swan null (${STUDIES} studies per row)\n`);
log("| design | n | P(no swan in the sample) | null: p < 0.05, no warning, given no swan | shifted world: p < 0.05 | shifted world: p < 0.05, no warning | shifted world: warned when p < 0.05 | P(no swan) × shifted quiet rate | rate of bad seeds n clean seeds cannot rule out |");
log("|---|---|---|---|---|---|---|---|---|");
for (const u of unseen) {
  log(`| ${u.design} | ${u.n} | ${pct(u.noSwan)}% | ${pct(u.quietGivenNoSwan)}% | ${pct(u.power)}% | ${pct(u.quietInShiftedWorld)}% | ${pct(u.warnedInShiftedWorld)}% | ${pct(u.floor)}% | ${pct(u.unseenRate)}% |`);
}

// ---------- skew-aware tests ----------
const skewAware: SkewAwareRow[] = [];
for (const world of ["normal null", "lognormal null", "normal, real improvement"] as const) {
  for (const n of [10, 20]) skewAware.push(skewAwareRow(world, n, STUDIES, 15000 + 100 * skewAware.length));
}
log(`\n### Skew-aware checks in the warning (paired, ${STUDIES} studies per row; twin uses the Johnson–Hall skewness-corrected t)\n`);
log("| seeds | n | p < 0.05 | p < 0.05, no warning: without a skew-aware check | with the skewness-corrected t (twin) | with bootstrap-t instead | warned: without | skewness-corrected t (twin) | bootstrap-t | significant and warned: without | skewness-corrected t (twin) | bootstrap-t |");
log("|---|---|---|---|---|---|---|---|---|---|---|---|");
for (const w of skewAware) {
  const ofSig = (quiet: number): string => (w.significant > 0 ? `${pct(1 - quiet / w.significant)}%` : "–");
  log(`| ${w.world} | ${w.n} | ${pct(w.significant)}% | ${pct(w.quietWithout)}% | ${pct(w.quietCorrected)}% | ${pct(w.quietBootT)}% | ${pct(w.warnedWithout)}% | ${pct(w.warnedCorrected)}% | ${pct(w.warnedBootT)}% | ${ofSig(w.quietWithout)} | ${ofSig(w.quietCorrected)} | ${ofSig(w.quietBootT)} |`);
}

// ---------- detector ----------
interface DetectorRow { n: number; falseAlarm: number; oldFalseAlarm: number; detect: Record<string, number>; mixtureDetect: number }
const detector: DetectorRow[] = [];
/** Seeds beyond the calibrated cut-off: what the detector flags, and below SWAN_MIN_SEEDS what it would flag if it flagged there. */
const beyondCutoff = (x: number[]): number[] => {
  const d = s.detectBlackSwans(x);
  return x.length >= s.SWAN_MIN_SEEDS ? d.flagged : d.z.flatMap((z, i) => (Math.abs(z) > d.threshold ? [i] : []));
};
for (const n of [3, 4, 5, 6, 8, 10, 12, 15, 20]) {
  const r = s.rng(5000 + n);
  let fa = 0, old = 0;
  for (let k = 0; k < STUDIES; k++) {
    const x = Array.from({ length: n }, () => r.nextNormal());
    if (beyondCutoff(x).length) fa++;
    if (s.blackSwans(x).flagged.length) old++;
  }
  const detect: Record<string, number> = {};
  for (const K of [3, 5, 10, 20]) {
    let hit = 0;
    for (let k = 0; k < STUDIES; k++) {
      const x = Array.from({ length: n }, () => r.nextNormal());
      x[0] = x[0]! - K;
      if (beyondCutoff(x).includes(0)) hit++;
    }
    detect[`${K}sd`] = hit / STUDIES;
  }
  // 10% mixture with swans 10 sd away: among samples with ≥ 1 swan, share where some swan is flagged
  let with1 = 0, found = 0;
  for (let k = 0; k < STUDIES; k++) {
    const swans: number[] = [];
    const x = Array.from({ length: n }, (_, i) => { const d = draw(r, "swans"); if (d.swan) swans.push(i); return d.x; });
    if (!swans.length) continue;
    with1++;
    if (beyondCutoff(x).some((i) => swans.includes(i))) found++;
  }
  detector.push({ n, falseAlarm: fa / STUDIES, oldFalseAlarm: old / STUDIES, detect, mixtureDetect: with1 ? found / with1 : NaN });
}
log(`\n### Black-swan detector (${STUDIES} samples per cell)\n`);
log(`n < ${s.SWAN_MIN_SEEDS}: twin flags nothing ("too few seeds to detect a black swan"); the row shows what the calibrated cut-off would flag.\n`);
log("| n | false alarms (normal seeds) | old rule \\|z\\| > 3.5 | one swan 3 sd away found | 5 sd | 10 sd | 20 sd | 10% mixture (10 sd): a swan found |");
log("|---|---|---|---|---|---|---|---|");
for (const d of detector) {
  log(`| ${d.n} | ${pct(d.falseAlarm)}% | ${pct(d.oldFalseAlarm)}% | ${pct(d.detect["3sd"]!)}% | ${pct(d.detect["5sd"]!)}% | ${pct(d.detect["10sd"]!)}% | ${pct(d.detect["20sd"]!)}% | ${pct(d.mixtureDetect)}% |`);
}

// ---------- P(B > A) ----------
interface ImprovementRow { design: "paired" | "unpaired"; n: number; theta: number; coverage: number; meanWidth: number }
const improvement: ImprovementRow[] = [];
const THETAS = [0.5, 0.6, 0.7, 0.84, 0.9, 0.95, 0.98];
for (const design of ["paired", "unpaired"] as const) {
  for (const n of [5, 10, 20]) {
    for (const theta of THETAS) {
      const r = s.rng(7000 + n * 100 + Math.round(theta * 100) + (design === "paired" ? 0 : 50000));
      // paired: D ~ N(Φ⁻¹(θ), 1) so P(D > 0) = θ; unpaired: B − A ~ N(√2 Φ⁻¹(θ), 2)
      const shift = design === "paired" ? s.normalQuantile(theta) : Math.SQRT2 * s.normalQuantile(theta);
      let cover = 0, width = 0;
      for (let k = 0; k < STUDIES; k++) {
        const a = Array.from({ length: n }, () => r.nextNormal());
        const b = design === "paired" ? a.map((v) => v + shift + r.nextNormal()) : Array.from({ length: n }, () => shift + r.nextNormal());
        const iv = design === "paired" ? s.pairedImprovementInterval(a, b) : s.improvementInterval(a, b);
        if (iv.lo <= theta && theta <= iv.hi) cover++;
        width += iv.hi - iv.lo;
      }
      improvement.push({ design, n, theta, coverage: cover / STUDIES, meanWidth: width / STUDIES });
    }
  }
}
log(`\n### P(B > A) interval coverage, nominal 95% (${STUDIES} studies per cell; normal seeds)\n`);
log(`| design | n | ${THETAS.map((t) => `θ = ${t}`).join(" | ")} |`);
log(`|---|---|${THETAS.map(() => "---").join("|")}|`);
for (const design of ["paired", "unpaired"] as const) {
  for (const n of [5, 10, 20]) {
    const rows = improvement.filter((x) => x.design === design && x.n === n);
    log(`| ${design} | ${n} | ${rows.map((x) => `${pct(x.coverage)}% (width ${x.meanWidth.toFixed(2)})`).join(" | ")} |`);
  }
}

// ---------- pairing gain ----------
interface PairingRow { rho: number; gain: number; n: number; coverage: number; meanRatio: number; meanEstimate: number; medianRatio: number; saysNoisier: number; oldSaysNoisier: number }
const pairing: PairingRow[] = [];
for (const rho of [0, 0.5, 0.9]) {
  const gain = 1 / (1 - rho);
  for (const n of [5, 10, 20]) {
    const r = s.rng(9000 + n + Math.round(rho * 1000));
    let cover = 0, sr = 0, se = 0, noisier = 0, oldNoisier = 0;
    const ratios: number[] = [];
    for (let k = 0; k < STUDIES; k++) {
      const z = Array.from({ length: n }, () => r.nextNormal());
      const a = z.map((v) => 5 + v);
      const b = z.map((v) => 5 + rho * v + Math.sqrt(1 - rho * rho) * r.nextNormal());
      const g = s.pairingGainInterval(a, b);
      if (g.ci && g.ci[0] <= gain && gain <= g.ci[1]) cover++;
      sr += g.ratio; se += g.estimate; ratios.push(g.ratio);
      if (g.reading === "noisier") noisier++;
      if (g.ratio < 1) oldNoisier++;
    }
    ratios.sort((x, y) => x - y);
    pairing.push({ rho, gain, n, coverage: cover / STUDIES, meanRatio: sr / STUDIES, meanEstimate: se / STUDIES, medianRatio: ratios[Math.floor(STUDIES / 2)]!, saysNoisier: noisier / STUDIES, oldSaysNoisier: oldNoisier / STUDIES });
  }
}
log(`\n### Pairing gain (${STUDIES} studies per row; bivariate normal seeds, equal variances)\n`);
log("| ρ | true gain | n | interval coverage | mean of plain ratio | mean of estimate | median of plain ratio | says \"noisier\" (interval below 1) | plain ratio < 1 |");
log("|---|---|---|---|---|---|---|---|---|");
for (const p of pairing) {
  log(`| ${p.rho} | ${p.gain.toFixed(1)} | ${p.n} | ${pct(p.coverage)}% | ${p.meanRatio.toFixed(2)} | ${p.meanEstimate.toFixed(2)} | ${p.medianRatio.toFixed(2)} | ${pct(p.saysNoisier)}% | ${pct(p.oldSaysNoisier)}% |`);
}

// ---------- planning ----------
// True sd of the differences 1; the difference that matters δ is chosen so that the true need is `trueNeed` seeds.
interface PlanRow {
  pilot: number; effect: number; trueNeed: number; method: string;
  /** Share of pilots whose plan reaches ≥ 80% true power. */
  reach80: number; medianPlan: number; medianPower: number;
  /** Share of pilots whose range contains the true need. */
  rangeCovers: number | null; capped: number;
}
const planning: PlanRow[] = [];
for (const pilotN of [5, 10]) {
  for (const effect of [0.5, 1.0]) {
    const trueNeed = s.sampleSize(effect, 1).n;
    const r = s.rng(11000 + pilotN * 10 + effect * 100);
    const rec: Record<string, { reach: number; plans: number[]; powers: number[]; covers: number; capped: number }> = {};
    for (const m of ["planSeeds (80% upper bound)", "planSeeds median sd", "plain pilot sd (seedsNeeded)"]) rec[m] = { reach: 0, plans: [], powers: [], covers: 0, capped: 0 };
    for (let k = 0; k < STUDIES; k++) {
      const a = Array.from({ length: pilotN }, () => r.nextNormal());
      const b = a.map((v) => v + effect + r.nextNormal());
      const p = s.planSeeds({ a, b }, effect);
      const plain = s.seedsNeeded({ a, b }, effect, { maxN: 10000 }).n;
      for (const [m, n, covers] of [["planSeeds (80% upper bound)", p.n, p.range[0] <= trueNeed && trueNeed <= p.range[1]], ["planSeeds median sd", p.nMedian, null], ["plain pilot sd (seedsNeeded)", plain, null]] as const) {
        const x = rec[m]!;
        const pw = Number.isFinite(n) ? s.tTestPower(n, effect, 1) : 1;
        if (pw >= 0.8) x.reach++;
        x.plans.push(n); x.powers.push(pw);
        if (covers) x.covers++;
        if (!Number.isFinite(n)) x.capped++;
      }
    }
    for (const [m, x] of Object.entries(rec)) {
      x.plans.sort((u, v) => u - v); x.powers.sort((u, v) => u - v);
      planning.push({
        pilot: pilotN, effect, trueNeed, method: m, reach80: x.reach / STUDIES, medianPlan: x.plans[Math.floor(STUDIES / 2)]!,
        medianPower: x.powers[Math.floor(STUDIES / 2)]!, rangeCovers: m.startsWith("planSeeds (") ? x.covers / STUDIES : null, capped: x.capped / STUDIES,
      });
    }
  }
}
log(`\n### Plans from pilots (${STUDIES} pilots per row; true sd of differences 1)\n`);
log("| pilot seeds | difference that matters | true need | plan from | plans reaching ≥ 80% power | median plan | median true power | range contains the true need |");
log("|---|---|---|---|---|---|---|---|");
for (const p of planning) log(`| ${p.pilot} | ${p.effect} | ${p.trueNeed} | ${p.method} | ${pct(p.reach80)}% | ${p.medianPlan} | ${pct(p.medianPower)}% | ${p.rangeCovers === null ? "–" : `${pct(p.rangeCovers)}%`} |`);

// Following the advice: "test the 5-seed pilot; if not significant, run up to the plan and test again" (two looks,
// no correction) vs group-sequential designs with planned looks.
interface FollowRow { strategy: string; effect: number; rejectRate: number; meanSeeds: number }
const follow: FollowRow[] = [];
{
  const effectMatters = 0.5; // true need 34 seeds at sd 1
  for (const trueEffect of [0, effectMatters]) {
    const r = s.rng(13000 + trueEffect * 10);
    let rej = 0, seeds = 0;
    for (let k = 0; k < STUDIES; k++) {
      const d = Array.from({ length: 5 }, () => trueEffect + r.nextNormal());
      const zeros = new Array(5).fill(0);
      if (s.pairedTTest(zeros, d).p < ALPHA) { rej++; seeds += 5; continue; }
      const plan = s.planSeeds({ a: zeros, b: d }, effectMatters);
      const N = Math.min(Number.isFinite(plan.n) ? plan.n : 200, 200);
      while (d.length < N) d.push(trueEffect + r.nextNormal());
      seeds += d.length;
      if (s.pairedTTest(new Array(d.length).fill(0), d).p < ALPHA) rej++;
    }
    follow.push({ strategy: "test the 5-seed pilot, then again at planSeeds' n", effect: trueEffect, rejectRate: rej / STUDIES, meanSeeds: seeds / STUDIES });
  }
  for (const [name, looks, spending] of [
    ["sequential O'Brien–Fleming, looks 5/15/25/35/45", [5, 15, 25, 35, 45], "obrien-fleming"],
    ["sequential Pocock, looks 5/15/25/35/45", [5, 15, 25, 35, 45], "pocock"],
    ["sequential O'Brien–Fleming, looks 3/5/8/10", [3, 5, 8, 10], "obrien-fleming"],
  ] as const) {
    const design = s.sequentialDesign({ looks: [...looks], spending });
    for (const trueEffect of [0, effectMatters]) {
      const res = s.sequentialRejectionRate(design, { studies: quick ? 4000 : 20000, seed: 17, effect: trueEffect });
      follow.push({ strategy: name, effect: trueEffect, rejectRate: res.rate, meanSeeds: res.meanSeeds });
    }
  }
}
log(`\n### Following the advice (true sd 1; the difference that matters 0.5, true need 34 seeds)\n`);
log("| strategy | true difference | rejects | mean seeds |");
log("|---|---|---|---|");
for (const f of follow) log(`| ${f.strategy} | ${f.effect} | ${pct(f.rejectRate)}% | ${f.meanSeeds.toFixed(1)} |`);

const seconds = (Date.now() - t0) / 1000;
log(`\n${quick ? "quick" : "full"} run, ${STUDIES} studies per setting, ${seconds.toFixed(0)} s`);
mkdirSync(new URL("./results/", import.meta.url), { recursive: true });
writeFileSync(
  new URL("./results/validity.json", import.meta.url),
  JSON.stringify({ command: `npm run bench:validity${quick ? " -- --quick" : ""}`, studies: STUDIES, seconds, swan: { rate: SWAN_RATE, size: SWAN_SIZE }, verdict, unseen, skewAware, detector, improvement, pairing, planning, follow }, null, 1) + "\n",
);
