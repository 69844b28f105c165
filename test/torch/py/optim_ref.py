"""Reference trajectories for test/torch/optim.test.ts from Debian's PyTorch 1.13."""
import json
import math
import sys

import torch

torch.set_num_threads(1)


def T(d):
    return torch.tensor(d["data"], dtype=torch.float64).reshape(d["shape"]).float()


def out(t):
    return {"shape": list(t.shape), "data": t.detach().double().flatten().tolist()}


def make_opt(kind, params, hp):
    hp = dict(hp)
    if kind == "sgd":
        return torch.optim.SGD(params, foreach=False, **hp)
    if kind == "adam":
        return torch.optim.Adam(params, foreach=False, **hp)
    if kind == "adamw":
        return torch.optim.AdamW(params, foreach=False, **hp)
    raise ValueError(kind)


def trajectories(req):
    res = {}
    for name, cfg in req["configs"].items():
        w = T(req["w"]).requires_grad_(True)
        b = T(req["b"]).requires_grad_(True)
        unused = T(req["b"]).requires_grad_(True)
        groups = [{"params": [w]}, {"params": [b, unused], "lr": cfg["lr2"]}] if "lr2" in cfg else [w, b, unused]
        opt = make_opt(cfg["kind"], groups, cfg["hp"])
        x, y = T(req["x"]), T(req["y"])
        losses = []
        for step in range(req["steps"]):
            opt.zero_grad(set_to_none=True)
            loss = ((x @ w.t() + b - y * (1 + 0.1 * step)) ** 2).mean()
            loss.backward()
            opt.step()
            losses.append(loss.item())
        res[name] = {"w": out(w), "b": out(b), "losses": losses}
    return res


def schedules(req):
    res = {}
    for name, cfg in req["schedules"].items():
        p = torch.zeros(1, requires_grad=True)
        kind = cfg["opt"]
        opt = torch.optim.SGD([p], lr=cfg["lr"], momentum=0.9) if kind == "sgd" else torch.optim.Adam([p], lr=cfg["lr"])
        S = torch.optim.lr_scheduler
        k = cfg["kind"]
        if k == "step":
            s = S.StepLR(opt, step_size=3, gamma=0.5)
        elif k == "multistep":
            s = S.MultiStepLR(opt, milestones=[2, 5, 9], gamma=0.3)
        elif k == "cosine":
            s = S.CosineAnnealingLR(opt, T_max=cfg["tmax"], eta_min=cfg.get("eta_min", 0))
        elif k == "onecycle":
            s = S.OneCycleLR(opt, max_lr=cfg["max_lr"], total_steps=cfg["total"], **cfg.get("extra", {}))
        elif k == "warmup_cosine":
            s = S.SequentialLR(opt, [S.LinearLR(opt, start_factor=0.1, total_iters=5), S.CosineAnnealingLR(opt, T_max=20)], milestones=[5])
        lrs, moms = [], []
        for i in range(cfg["n"]):
            g = opt.param_groups[0]
            lrs.append(g["lr"])
            moms.append(g["momentum"] if "momentum" in g else g["betas"][0])
            opt.step()
            s.step()
        res[name] = {"lr": lrs, "momentum": moms}
    return res


def clip(req):
    res = {}
    for name, nt in (("l2", 2.0), ("inf", math.inf), ("l1", 1.0)):
        gs = [T(g) for g in req["grads"]]
        ps = [torch.zeros_like(g, requires_grad=True) for g in gs]
        for p, g in zip(ps, gs):
            p.grad = g.clone()
        total = torch.nn.utils.clip_grad_norm_(ps, req["max_norm"], norm_type=nt)
        res[name] = {"total": total.item(), "grads": [out(p.grad) for p in ps]}
    return res


req = json.load(sys.stdin)
res = {}
if "configs" in req:
    res["traj"] = trajectories(req)
if "schedules" in req:
    res["sched"] = schedules(req)
if "grads" in req:
    res["clip"] = clip(req)
json.dump(res, sys.stdout)
