"""Writes a scripted model with a BatchNorm layer whose running statistics have
moved (one forward in training mode) to <dir>/net.pt, for the nn.pretrained
tests, and a scripted model with tied weights (decoder.weight =
embedding.weight) to <dir>/tied.pt with its PyTorch state_dict, both paths of
the tied tensor included, to <dir>/tied-both.safetensors.
Request (JSON on stdin): {"dir": ...}. Prints {"running_var_sum": ...}."""
import json
import sys

import os

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(__file__))
from safetensors_io import save  # noqa: E402
from tied_model import Tied  # noqa: E402


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 6)
        self.bn = nn.BatchNorm1d(6)
        self.head = nn.Linear(6, 3)

    def forward(self, x):
        return self.head(torch.relu(self.bn(self.fc(x))))


def main():
    req = json.load(sys.stdin)
    torch.manual_seed(0)
    net = Net().train()
    net(torch.randn(16, 4))
    torch.jit.script(net).save(f"{req['dir']}/net.pt")
    tied = Tied()
    torch.jit.script(tied).save(f"{req['dir']}/tied.pt")
    state = tied.state_dict()
    assert set(state) == {"embedding.weight", "mix.weight", "mix.bias", "decoder.weight", "decoder.bias"}
    save(f"{req['dir']}/tied-both.safetensors", {k: v.detach().clone() for k, v in state.items()})
    print(json.dumps({"running_var_sum": float(net.bn.running_var.sum())}))


main()
