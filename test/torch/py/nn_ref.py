"""Reference values for test/torch/nn.test.ts, from Debian's PyTorch.

Reads a JSON request on stdin, writes JSON on stdout. Tensors travel as
{"shape": [...], "data": [...]} (float32 values as exact doubles).
"""
import json
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)


def out(t):
    t = t.detach()
    return {"shape": list(t.shape), "data": t.double().flatten().tolist()}


def inp(d, dtype=torch.float32):
    return torch.tensor(d["data"], dtype=torch.float64).reshape(d["shape"]).to(dtype)


def build(kind):
    if kind == "linear":
        return nn.Linear(5, 3)
    if kind == "linear_nobias":
        return nn.Linear(7, 4, bias=False)
    if kind == "conv2d":
        return nn.Conv2d(3, 4, 3, padding=1)
    if kind == "conv_transpose2d":
        return nn.ConvTranspose2d(4, 2, 3, stride=2)
    if kind == "embedding":
        return nn.Embedding(10, 4, padding_idx=2)
    if kind == "mlp":
        return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
    if kind == "cnn":
        return nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(64 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10))
    raise ValueError(kind)


def main():
    req = json.load(sys.stdin)
    res = {}
    for name, spec in req.get("init", {}).items():
        torch.manual_seed(spec["seed"])
        m = build(spec["kind"])
        res[name] = {k: out(v) for k, v in m.state_dict().items()}
    if "losses" in req:
        L = req["losses"]
        logits = inp(L["logits"])
        target = inp(L["target"], torch.int64)
        w = inp(L["weight"])
        soft = inp(L["soft"])
        r = {}
        r["ce"] = F.cross_entropy(logits, target).item()
        r["ce_sum"] = F.cross_entropy(logits, target, reduction="sum").item()
        r["ce_none"] = out(F.cross_entropy(logits, target, reduction="none"))
        r["ce_ls"] = F.cross_entropy(logits, target, label_smoothing=0.1).item()
        r["ce_w"] = F.cross_entropy(logits, target, weight=w).item()
        r["ce_ignore"] = F.cross_entropy(logits, target, ignore_index=1).item()
        r["ce_all"] = F.cross_entropy(logits, target, weight=w, ignore_index=1, label_smoothing=0.2).item()
        r["ce_soft"] = F.cross_entropy(logits, soft).item()
        r["nll"] = F.nll_loss(F.log_softmax(logits, 1), target).item()
        r["nll_w"] = F.nll_loss(F.log_softmax(logits, 1), target, weight=w, reduction="sum").item()
        r["mse"] = F.mse_loss(logits, soft).item()
        r["mse_sum"] = F.mse_loss(logits, soft, reduction="sum").item()
        r["bce"] = F.binary_cross_entropy_with_logits(logits, soft).item()
        r["bce_pw"] = F.binary_cross_entropy_with_logits(logits, soft, pos_weight=w).item()
        r["acc"] = (logits.argmax(1) == target).float().mean().item()
        r["top2"] = (logits.topk(2, 1).indices == target[:, None]).any(1).float().mean().item()
        res["losses"] = r
    if "bn" in req:
        x = inp(req["bn"]["x"])
        bn = nn.BatchNorm2d(x.shape[1])
        y1 = bn(x)
        y2 = bn(x * 2 + 1)
        bn.eval()
        y3 = bn(x)
        res["bn"] = {"y1": out(y1), "y2": out(y2), "y3": out(y3), **{k: out(v) for k, v in bn.state_dict().items()}}
    if "layers" in req:
        x = inp(req["layers"]["x"])
        torch.manual_seed(0)
        r = {}
        r["layer_norm"] = out(F.layer_norm(x, [x.shape[-1]]))
        r["group_norm"] = out(F.group_norm(x, 2))
        r["max_pool"] = out(F.max_pool2d(x, 2))
        r["avg_pool"] = out(F.avg_pool2d(x, 2))
        r["adaptive"] = out(F.adaptive_avg_pool2d(x, 3))
        r["up_nearest"] = out(F.interpolate(x, scale_factor=2, mode="nearest"))
        r["up_bilinear"] = out(F.interpolate(x, size=(5, 7), mode="bilinear", align_corners=False))
        r["up_bilinear_ac"] = out(F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=True))
        r["gelu"] = out(F.gelu(x))
        r["gelu_tanh"] = out(F.gelu(x, approximate="tanh"))
        r["silu"] = out(F.silu(x))
        res["layers"] = r
    json.dump(res, sys.stdout)


main()
