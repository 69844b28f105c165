"""Exports two PyTorch CNNs for Fashion-MNIST as TorchScript files, for
examples/fmnist-torchscript.study.ts (twin trains them side by side):

    /usr/bin/python3 examples/torchscript/export.py

Any nn.Module that torch.jit.script accepts can be a twin variant. What twin
needs from it: forward(x) takes the batch's inputs as one tensor (here
[batch, 1, 28, 28]) and returns the logits [batch, classes]; layers that draw
random numbers (dropout) are fine: twin gives them each variant's dropout stream.
Save with the PyTorch twin's libtorch was built from (Debian's python3-torch
here); a newer PyTorch may write files this libtorch cannot read.
"""
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = Path(__file__).resolve().parent


class SmallCNN(nn.Module):
    """conv-BN-relu-pool twice, then a linear head; optionally dropout before the head."""

    def __init__(self, dropout: float = 0.0):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(32)
        self.drop = nn.Dropout(dropout)
        self.head = nn.Linear(32 * 7 * 7, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2)
        x = F.max_pool2d(F.relu(self.bn2(self.conv2(x))), 2)
        return self.head(self.drop(torch.flatten(x, 1)))


if __name__ == "__main__":
    torch.manual_seed(0)
    for name, model in {"cnn.pt": SmallCNN(), "cnn-dropout.pt": SmallCNN(dropout=0.3)}.items():
        torch.jit.script(model).save(str(HERE / name))
        print(f"wrote {HERE / name}")
