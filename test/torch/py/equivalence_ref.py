"""PyTorch side of test/torch/equivalence.test.ts: trains the same models from
the same initial weights on the same batches (all written by twin as
safetensors, read with the independent reader) and prints the losses."""
import json
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
from safetensors_io import load  # noqa: E402

torch.set_num_threads(1)


def build(kind):
    if kind == "mlp":
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10))


def main():
    req = json.load(sys.stdin)
    d = req["dir"]
    data, _ = load(os.path.join(d, "data.safetensors"))
    x_all, y_all = data["x"], data["y"]
    out = {}
    for run in req["runs"]:
        kind = run["model"]
        weights, _ = load(os.path.join(d, f"init-{kind}.safetensors"))
        model = build(kind)
        if kind == "mlp":  # twin's mlp flattens in forward: its paths have no Flatten module
            weights = {f"{int(k.split('.')[0]) + 1}.{k.split('.', 1)[1]}": v for k, v in weights.items()}
        model.load_state_dict(weights, strict=True)
        if run["optim"] == "sgd":
            opt = torch.optim.SGD(model.parameters(), lr=run["lr"], momentum=0.9, foreach=False)
        else:
            opt = torch.optim.Adam(model.parameters(), lr=run["lr"], foreach=False)
        losses = []
        B = req["batch"]
        for step in range(req["steps"]):
            x = x_all[step * B:(step + 1) * B]
            y = y_all[step * B:(step + 1) * B]
            if kind == "cnn":
                x = x.reshape(-1, 1, 28, 28)
            opt.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            losses.append(loss.item())
        out[f"{kind}-{run['optim']}"] = losses
    json.dump(out, sys.stdout)


main()
