#!/usr/bin/env python3
"""A small PyTorch training script, ready for `twin sweep`.

    twin sweep --seeds 5 -- python3 examples/pytorch_train.py
    twin sweep --seeds 5 --variant dropout -- python3 examples/pytorch_train.py --dropout 0.3

twin runs it once per seed with these environment variables:

    TWIN_SEED            the run's root seed
    TWIN_SEED_INIT       weight initialisation          TWIN_SEED_ORDER    data order
    TWIN_SEED_AUGMENT    augmentation                   TWIN_SEED_DROPOUT  dropout masks
    TWIN_SEED_SPLIT      train/validation split         TWIN_SEED_EVAL     evaluation sampling
    TWIN_RUN_DIR         a fresh folder for this run's files
    TWIN_VARIANT         the variant's name

The right way to use them: one `torch.Generator` per source of randomness,
handed explicitly to every op that draws random numbers, and no global seed
(`torch.manual_seed`) at all. Then `twin sweep --vary order` changes the data
order and nothing else. Each factor's seed is mixed with the factor's name
before seeding its generator, so that equal numbers (all factors get the root
seed by default) still give unrelated streams.

Metrics go to stdout as JSON lines ({"step": 100, "val_accuracy": 0.87}); the
last value of each metric is the run's result. The script writes nothing
outside TWIN_RUN_DIR. It trains on a subset of Fashion-MNIST when
/usr/share/datasets/fashion-mnist (or $FASHION_MNIST) holds the IDX files, and
on a fixed synthetic data set otherwise. A run takes a few seconds on a CPU.
"""
import argparse
import gzip
import hashlib
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

FACTORS = ("init", "order", "augment", "dropout", "split", "eval")


def factor_seed(factor: str) -> int:
    """The seed of one factor's generator: (factor name, factor seed) hashed to 63 bits."""
    raw = os.environ.get(f"TWIN_SEED_{factor.upper()}", os.environ.get("TWIN_SEED", "0"))
    digest = hashlib.sha256(f"twin-example:{factor}:{int(raw)}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def generators() -> dict:
    return {f: torch.Generator().manual_seed(factor_seed(f)) for f in FACTORS}


# ---------------------------------------------------------------- data

def read_idx_gz(path: str) -> np.ndarray:
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load_data(pool_size: int):
    """(x, y) as float32 [n, 784] and int64 [n]: the first pool_size Fashion-MNIST training images, or synthetic data."""
    root = os.environ.get("FASHION_MNIST", "/usr/share/datasets/fashion-mnist")
    images = os.path.join(root, "train-images-idx3-ubyte.gz")
    labels = os.path.join(root, "train-labels-idx1-ubyte.gz")
    if os.path.exists(images) and os.path.exists(labels):
        x = read_idx_gz(images)[:pool_size].reshape(-1, 784).astype(np.float32) / 255.0
        y = read_idx_gz(labels)[:pool_size].astype(np.int64)
        x = (x - 0.2860) / 0.3530
        return torch.from_numpy(x), torch.from_numpy(y), "fashion-mnist"
    # A fixed synthetic problem: the data set is not a random factor of the run.
    g = torch.Generator().manual_seed(20240501)
    centers = torch.randn(10, 784, generator=g)
    y = torch.randint(0, 10, (pool_size,), generator=g)
    x = centers[y] * 0.35 + torch.randn(pool_size, 784, generator=g)
    return x, y, "synthetic"


# ---------------------------------------------------------------- model

class MLP(nn.Module):
    """784 → hidden → 10 with dropout. Parameters start empty and are filled from the init generator."""

    def __init__(self, hidden: int, dropout: float, init: torch.Generator):
        super().__init__()
        self.dropout = dropout
        self.w1 = nn.Parameter(torch.empty(hidden, 784))
        self.b1 = nn.Parameter(torch.empty(hidden))
        self.w2 = nn.Parameter(torch.empty(10, hidden))
        self.b2 = nn.Parameter(torch.empty(10))
        with torch.no_grad():
            # PyTorch's default nn.Linear init (uniform ±1/sqrt(fan_in)), drawn from our generator.
            for w, b in ((self.w1, self.b1), (self.w2, self.b2)):
                bound = 1.0 / w.shape[1] ** 0.5
                w.uniform_(-bound, bound, generator=init)
                b.uniform_(-bound, bound, generator=init)

    def forward(self, x: torch.Tensor, dropout_gen: torch.Generator = None) -> torch.Tensor:
        h = F.relu(F.linear(x, self.w1, self.b1))
        if self.training and self.dropout > 0:
            # F.dropout would draw from the global generator; draw the mask from ours.
            keep = torch.rand(h.shape, generator=dropout_gen) >= self.dropout
            h = h * keep / (1.0 - self.dropout)
        return F.linear(h, self.w2, self.b2)


def evaluate(model: MLP, x: torch.Tensor, y: torch.Tensor) -> dict:
    model.eval()
    with torch.no_grad():
        logits = model(x)
        loss = F.cross_entropy(logits, y).item()
        acc = (logits.argmax(1) == y).float().mean().item()
    model.train()
    return {"val_loss": loss, "val_accuracy": acc}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--hidden", type=int, default=128)
    p.add_argument("--dropout", type=float, default=0.0)
    p.add_argument("--lr", type=float, default=0.05)
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--train-size", type=int, default=4000, help="training examples drawn by the split seed")
    p.add_argument("--val-size", type=int, default=2000)
    p.add_argument("--flip", type=float, default=0.0, help="probability of a horizontal flip (augmentation)")
    p.add_argument("--log-every", type=int, default=50)
    args = p.parse_args()

    torch.set_num_threads(1)  # small model: one thread is fastest and keeps parallel sweeps fair
    gen = generators()
    t0 = time.time()

    x, y, source = load_data(args.train_size + args.val_size)
    # Which examples train and which validate: the split stream.
    perm = torch.randperm(len(y), generator=gen["split"])
    train_idx, val_idx = perm[: args.train_size], perm[args.train_size: args.train_size + args.val_size]
    x_train, y_train, x_val, y_val = x[train_idx], y[train_idx], x[val_idx], y[val_idx]

    model = MLP(args.hidden, args.dropout, gen["init"])
    opt = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)

    step = 0
    for epoch in range(args.epochs):
        order = torch.randperm(len(y_train), generator=gen["order"])
        for start in range(0, len(order), args.batch_size):
            idx = order[start: start + args.batch_size]
            xb, yb = x_train[idx], y_train[idx]
            if args.flip > 0:
                flip = torch.rand(len(idx), generator=gen["augment"]) < args.flip
                xb = torch.where(flip[:, None], xb.view(-1, 28, 28).flip(2).reshape(-1, 784), xb)
            loss = F.cross_entropy(model(xb, gen["dropout"]), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            step += 1
            if step % args.log_every == 0:
                print(json.dumps({"step": step, "epoch": epoch, "train_loss": loss.item()}), flush=True)
        print(json.dumps({"step": step, "epoch": epoch, **evaluate(model, x_val, y_val)}), flush=True)

    print(f"trained on {source} for {time.time() - t0:.1f}s", file=sys.stderr)
    run_dir = os.environ.get("TWIN_RUN_DIR")
    if run_dir:
        torch.save(model.state_dict(), os.path.join(run_dir, "model.pt"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
