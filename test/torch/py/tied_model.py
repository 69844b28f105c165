"""A model with tied weights (decoder.weight = embedding.weight), shared by the
TorchScript and nn.pretrained reference scripts."""
import torch
from torch import nn


class Tied(nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(10, 8)
        self.mix = nn.Linear(8, 8)
        self.decoder = nn.Linear(8, 10)
        self.decoder.weight = self.embedding.weight

    def forward(self, tokens):
        return self.decoder(torch.tanh(self.mix(self.embedding(tokens).mean(1))))
