import { test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../../src/torch/index.ts";
import { optim } from "../../src/torch/index.ts";
import { runPython } from "./py/python.ts";

type Ref = { shape: number[]; data: number[] };
const asRef = (t: torch.Tensor): Ref => torch.scope(() => ({ shape: t.shape, data: t.double().toNumbers() }));
const fromRef = (r: Ref) => torch.scope(() => torch.tensor(Float64Array.from(r.data), { shape: r.shape }).float());

// A small regression problem: loss_t = mean((x wᵀ + b - y (1 + 0.1 t))²).
const g0 = new torch.Generator(123);
const data = torch.scope(() => ({
  w: asRef(torch.randn([3, 5], { generator: g0 })),
  b: asRef(torch.randn([3], { generator: g0 })),
  x: asRef(torch.randn([8, 5], { generator: g0 })),
  y: asRef(torch.randn([8, 3], { generator: g0 })),
}));
g0.dispose();
const STEPS = 6;

type Cfg = { kind: "sgd" | "adam" | "adamw"; hp: Record<string, unknown>; lr2?: number };
const configs: Record<string, Cfg> = {
  sgd: { kind: "sgd", hp: { lr: 0.05 } },
  sgd_momentum: { kind: "sgd", hp: { lr: 0.05, momentum: 0.9 } },
  sgd_dampening_wd: { kind: "sgd", hp: { lr: 0.05, momentum: 0.8, dampening: 0.3, weight_decay: 0.01 } },
  sgd_nesterov: { kind: "sgd", hp: { lr: 0.05, momentum: 0.9, nesterov: true, weight_decay: 1e-3 } },
  sgd_maximize_groups: { kind: "sgd", hp: { lr: 0.01, momentum: 0.5, maximize: true }, lr2: 0.002 },
  adam: { kind: "adam", hp: { lr: 0.01 } },
  adam_wd_amsgrad: { kind: "adam", hp: { lr: 0.02, betas: [0.8, 0.99], eps: 1e-6, weight_decay: 0.05, amsgrad: true } },
  adam_groups: { kind: "adam", hp: { lr: 0.01 }, lr2: 0.1 },
  adamw: { kind: "adamw", hp: { lr: 0.01 } },
  adamw_amsgrad: { kind: "adamw", hp: { lr: 0.03, weight_decay: 0.1, amsgrad: true } },
};

function camel(hp: Record<string, unknown>): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(hp)) o[k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())] = v;
  return o;
}

function build(cfg: Cfg, params: torch.Tensor[]): optim.Optimizer<optim.GroupBase> {
  const [w, b, unused] = params;
  const groups = cfg.lr2 !== undefined ? [{ params: [w] }, { params: [b, unused], lr: cfg.lr2 }] : params;
  const hp = camel(cfg.hp);
  if (cfg.kind === "sgd") return optim.sgd(groups as torch.Tensor[], hp as { lr: number });
  if (cfg.kind === "adam") return optim.adam(groups as torch.Tensor[], hp);
  return optim.adamw(groups as torch.Tensor[], hp);
}

function lossAt(w: torch.Tensor, b: torch.Tensor, x: torch.Tensor, y: torch.Tensor, step: number): torch.Tensor {
  return x.matmul(w.t()).add(b).sub(y.mul(1 + 0.1 * step)).pow(2).mean();
}

function run(cfg: Cfg, steps: number, resumeAt?: number) {
  const w = fromRef(data.w).requiresGrad_(true).keep();
  const b = fromRef(data.b).requiresGrad_(true).keep();
  const unused = fromRef(data.b).requiresGrad_(true).keep();
  const x = fromRef(data.x).keep(), y = fromRef(data.y).keep();
  let opt = build(cfg, [w, b, unused]);
  const losses: number[] = [];
  for (let step = 0; step < steps; step++) {
    if (step === resumeAt) {
      // Checkpoint round trip: state out, a fresh optimizer, state in.
      torch.scope(() => {
        const sd = opt.stateDict();
        const json = JSON.parse(JSON.stringify(sd, (_k, v) => (v instanceof torch.Tensor ? { $t: asRef(v) } : v)));
        const revived = JSON.parse(JSON.stringify(json), (_k, v) => (v && v.$t ? fromRef(v.$t) : v));
        opt.dispose();
        opt = build(cfg, [w, b, unused]);
        opt.loadStateDict(revived);
      });
    }
    opt.zeroGrad();
    torch.scope(() => {
      const loss = lossAt(w, b, x, y, step);
      loss.backward();
      losses.push(loss.item());
    });
    opt.step();
  }
  const res = { w: asRef(w), b: asRef(b), losses, unusedGrad: torch.scope(() => unused.grad === null) };
  opt.dispose();
  for (const t of [w, b, unused, x, y]) t.dispose();
  return res;
}

test("SGD, Adam and AdamW follow PyTorch 1.13 bit for bit (momentum, dampening, Nesterov, weight decay, amsgrad, maximize, groups)", () => {
  const start = torch.memory().tensors;
  const ref = runPython<{ traj: Record<string, { w: Ref; b: Ref; losses: number[] }> }>("optim_ref.py", { ...data, configs, steps: STEPS }).traj;
  for (const [name, cfg] of Object.entries(configs)) {
    const r = run(cfg, STEPS);
    assert.deepEqual(r.losses, ref[name].losses, `${name}: losses`);
    assert.deepEqual(r.w.data, ref[name].w.data, `${name}: w`);
    assert.deepEqual(r.b.data, ref[name].b.data, `${name}: b`);
    assert.equal(r.unusedGrad, true, "a parameter without a gradient is skipped");
  }
  assert.equal(torch.memory().tensors, start, "optimizer steps leave no tensors behind");
});

test("stateDict/loadStateDict resumes exactly (JSON + tensors round trip)", () => {
  for (const name of ["sgd_nesterov", "adam_wd_amsgrad", "adamw", "sgd_maximize_groups"]) {
    const straight = run(configs[name], STEPS);
    const resumed = run(configs[name], STEPS, 3);
    assert.deepEqual(resumed.w, straight.w, name);
    assert.deepEqual(resumed.losses, straight.losses, name);
  }
});

test("optimizer state layout, validation, lr setter, dispose", () => {
  const p = torch.zeros([2], { requiresGrad: true }).keep();
  const opt = optim.adam([p], { lr: 0.1 });
  torch.scope(() => p.mul(3).sum().backward());
  opt.step();
  torch.scope(() => {
    const sd = opt.stateDict();
    assert.deepEqual(Object.keys(sd.state), ["0"]);
    assert.equal(sd.state["0"].step, 1);
    assert.deepEqual((sd.state["0"].exp_avg as torch.Tensor).shape, [2]);
    assert.deepEqual(sd.param_groups[0].params, [0]);
    assert.deepEqual(sd.param_groups[0].betas, [0.9, 0.999]);
  });
  opt.lr = 0.5;
  assert.equal(opt.paramGroups[0].lr, 0.5);
  const before = torch.memory().tensors;
  opt.dispose();
  assert.equal(torch.memory().tensors, before - 2);
  assert.throws(() => opt.step(), /disposed/);
  assert.throws(() => optim.sgd([p], { lr: -1 }), /invalid learning rate/);
  assert.throws(() => optim.adam([p], { betas: [1.5, 0.9] }), /invalid beta parameter at index 0/);
  assert.throws(() => optim.sgd([p], { lr: 0.1, nesterov: true }), /Nesterov/);
  assert.throws(() => optim.sgd([{ params: [p] }, { params: [p] }], { lr: 0.1 }), /more than one parameter group/);
  assert.throws(() => optim.sgd([], { lr: 0.1 }), /empty parameter list/);
  const o2 = optim.sgd([p], { lr: 0.1, momentum: 0.9 });
  torch.scope(() => p.sum().backward());
  o2.step();
  o2.zeroGrad();
  assert.equal(torch.scope(() => p.grad), null);
  torch.scope(() => assert.throws(() => o2.loadStateDict({ state: { 0: { momentum_buffer: torch.zeros([3]) } }, param_groups: [{ lr: 0.1, params: [0] }] }), /shape \[3\], the parameter \[2\]/));
  o2.dispose();
  p.dispose();
});

test("schedules give PyTorch's lr (and OneCycle momentum) sequences", () => {
  const schedules: Record<string, Record<string, unknown>> = {
    step: { kind: "step", opt: "sgd", lr: 0.1, n: 12 },
    multistep: { kind: "multistep", opt: "sgd", lr: 0.1, n: 12 },
    cosine: { kind: "cosine", opt: "sgd", lr: 0.1, tmax: 10, eta_min: 0.001, n: 25 },
    onecycle_sgd: { kind: "onecycle", opt: "sgd", lr: 0.1, max_lr: 0.5, total: 30, n: 30 },
    onecycle_adam: { kind: "onecycle", opt: "adam", lr: 0.1, max_lr: 0.01, total: 20, n: 20 },
    onecycle_linear3: { kind: "onecycle", opt: "sgd", lr: 0.1, max_lr: 0.2, total: 40, n: 40, extra: { anneal_strategy: "linear", three_phase: true, pct_start: 0.25 } },
    warmup_cosine: { kind: "warmup_cosine", opt: "sgd", lr: 0.1, n: 25 },
  };
  const ref = runPython<{ sched: Record<string, { lr: number[]; momentum: number[] }> }>("optim_ref.py", { schedules }).sched;
  const make: Record<string, () => optim.Schedule> = {
    step: () => optim.stepLR({ stepSize: 3, gamma: 0.5 }),
    multistep: () => optim.multiStepLR({ milestones: [2, 5, 9], gamma: 0.3 }),
    cosine: () => optim.cosineAnnealing({ tMax: 10, etaMin: 0.001 }),
    onecycle_sgd: () => optim.oneCycle({ maxLr: 0.5, totalSteps: 30 }),
    onecycle_adam: () => optim.oneCycle({ maxLr: 0.01, totalSteps: 20 }),
    onecycle_linear3: () => optim.oneCycle({ maxLr: 0.2, totalSteps: 40, annealStrategy: "linear", threePhase: true, pctStart: 0.25 }),
    warmup_cosine: () => optim.warmup({ steps: 5, startFactor: 0.1 }, optim.cosineAnnealing({ tMax: 20 })),
  };
  const p = torch.zeros([1], { requiresGrad: true }).keep();
  for (const [name, cfg] of Object.entries(schedules)) {
    const opt = cfg.opt === "sgd" ? optim.sgd([p], { lr: cfg.lr as number, momentum: 0.9 }) : optim.adam([p], { lr: cfg.lr as number });
    const sched = new optim.LRScheduler(opt, make[name]());
    const lrs: number[] = [], moms: number[] = [];
    for (let i = 0; i < (cfg.n as number); i++) {
      const g = opt.paramGroups[0] as { lr: number; momentum?: number; betas?: [number, number] };
      lrs.push(g.lr);
      moms.push(g.momentum ?? g.betas![0]);
      sched.step();
    }
    const r = ref[name];
    for (let i = 0; i < lrs.length; i++) {
      assert.ok(Math.abs(lrs[i] - r.lr[i]) <= 1e-12 * Math.abs(r.lr[i]) + 1e-18, `${name} lr[${i}]: ${lrs[i]} vs PyTorch ${r.lr[i]}`);
      assert.ok(Math.abs(moms[i] - r.momentum[i]) <= 1e-12, `${name} momentum[${i}]: ${moms[i]} vs PyTorch ${r.momentum[i]}`);
    }
    // Pure and checkpointable: a scheduler restored from its state continues identically.
    const again = new optim.LRScheduler(opt, make[name]());
    again.loadStateDict(JSON.parse(JSON.stringify(sched.stateDict())));
    assert.equal(again.lastStep, cfg.n as number);
    opt.dispose();
  }
  assert.throws(() => optim.oneCycle({ totalSteps: 5 }).lrAt(6, 0.1), /totalSteps=5/);
  p.dispose();
});

test("clipGradNorm matches torch.nn.utils.clip_grad_norm_ (2, inf and 1 norms)", () => {
  const g = new torch.Generator(5);
  const grads = torch.scope(() => [asRef(torch.randn([4, 3], { generator: g })), asRef(torch.randn([5], { generator: g }))]);
  const ref = runPython<{ clip: Record<string, { total: number; grads: Ref[] }> }>("optim_ref.py", { grads, max_norm: 1.5 }).clip;
  for (const [name, normType] of [["l2", 2], ["inf", Infinity], ["l1", 1]] as const) {
    const ps = grads.map((r) => torch.zerosLike(fromRef(r)).requiresGrad_(true).keep());
    torch.scope(() => ps.forEach((p, i) => (p.grad = fromRef(grads[i]))));
    const total = optim.clipGradNorm(ps, 1.5, { normType });
    assert.equal(total, ref[name].total, `${name} total norm`);
    torch.scope(() => ps.forEach((p, i) => assert.deepEqual(p.grad!.double().toNumbers(), ref[name].grads[i].data, `${name} grad ${i}`)));
    ps.forEach((p) => p.dispose());
  }
  g.dispose();
});

test("LRScheduler accepts any twin optimizer without a cast and refuses other objects", () => {
  const p = torch.zeros([1], { requiresGrad: true }).keep();
  const asTwinOptimizer: { step(): void; zeroGrad(): void } = optim.adamw([p], { lr: 0.1 });
  const s = optim.scheduler(asTwinOptimizer, optim.warmup({ steps: 2 }, optim.cosineAnnealing({ tMax: 4 })));
  assert.deepEqual(s.lastLr(), [0]);
  s.step();
  assert.deepEqual(s.lastLr(), [0.05]);
  assert.throws(() => optim.scheduler({ step() {} }, optim.constant()), /has no paramGroups/);
  const sgd = optim.sgd([p], { lr: 0.1 });
  optim.scheduler(sgd, optim.oneCycle({ totalSteps: 100 }));
  assert.equal(sgd.paramGroups[0].momentum, 0.95, "OneCycle cycles momentum from its maximum, as PyTorch does");
  p.dispose();
});
