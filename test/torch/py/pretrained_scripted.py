"""Writes a scripted model with a BatchNorm layer whose running statistics have
moved (one forward in training mode) to <dir>/net.pt, for the nn.pretrained
tests. Request (JSON on stdin): {"dir": ...}. Prints {"running_var_sum": ...}."""
import json
import sys

import torch
from torch import nn


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
    print(json.dumps({"running_var_sum": float(net.bn.running_var.sum())}))


main()
