"""Scripted PyTorch models for twin's TorchScript tests, and their training in PyTorch.

Request (JSON on stdin): {"dir": ..., "steps": S, "batch": B, "dropoutSeed": D}.
Writes into dir:
  <case>.pt          the scripted model with its initial weights (torch.jit.script(...).save)
  <case>-trained.pt  the same module after S training steps in PyTorch
  x.bin, y.bin       the batches (float32 [S*B, 1, 12, 12], int64 [S*B])
  or, with "fixtures": true, the files of fixtures() instead.
Prints {case: [loss per step], "<case>-eager": [loss per step]}: the second
trains the same model unscripted (eager mode) from the same weights.

Training loads <case>.pt with torch.jit.load (the file twin loads), seeds the
global generator with the dropout seed (twin gives the module a generator
seeded with it), and steps SGD with momentum (Adam for the ResNet block).
"""
import json
import sys
import warnings
import zipfile

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
SIZE = 12


class CNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 8, 3, padding=1)
        self.bn = nn.BatchNorm2d(8)
        self.head = nn.Linear(8 * 6 * 6, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn(self.conv(x))), 2)
        return self.head(torch.flatten(x, 1))


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv1 = nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(c)
        self.conv2 = nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(c)

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return F.relu(x + y)


class ResNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8), nn.ReLU())
        self.layer1 = Block(8)
        self.drop = nn.Dropout(0.2)
        self.fc = nn.Linear(8, 10)

    def forward(self, x):
        x = self.layer1(self.stem(x))
        x = F.adaptive_avg_pool2d(x, 1).flatten(1)
        return self.fc(self.drop(x))


class Tied(nn.Module):
    """Weight tying: one Parameter held by two modules (as a language model's embedding and decoder)."""
    def __init__(self):
        super().__init__()
        self.encoder = nn.Linear(SIZE * SIZE, 32)
        self.hidden = nn.Linear(32, 32)
        self.mix = nn.Linear(32, 32)
        self.mix.weight = self.hidden.weight
        self.drop = nn.Dropout(0.2)
        self.head = nn.Linear(32, 10)

    def forward(self, x):
        h = F.relu(self.hidden(F.relu(self.encoder(x))))
        return self.head(self.drop(F.relu(self.mix(h))))


class BlobTied(nn.Module):
    """Tied weights for the 16-feature, 4-class blobs of the CLI tests."""
    def __init__(self):
        super().__init__()
        self.encoder = nn.Linear(16, 32)
        self.mix = nn.Linear(32, 32)
        self.remix = nn.Linear(32, 32)
        self.remix.weight = self.mix.weight
        self.head = nn.Linear(32, 4)

    def forward(self, x):
        h = F.relu(self.mix(F.relu(self.encoder(x))))
        return self.head(F.relu(self.remix(h)))


# mlp has the paths of twin's nn.mlp([144, 32, 10], { dropout: 0.3 }): 0.*, 3.*
CASES = {
    "mlp": (lambda: nn.Sequential(nn.Linear(SIZE * SIZE, 32), nn.ReLU(), nn.Dropout(0.3), nn.Linear(32, 10)), "sgd", 1),
    "cnn": (CNN, "sgd", 2),
    "resnet": (ResNet, "adam", 3),
    "tied": (Tied, "sgd", 4),
}
FLAT = {"mlp", "tied"}  # cases that take the batch flattened to [B, 144]


class Pair(nn.Module):
    def forward(self, x, y):
        return x + y


class Twice(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(SIZE * SIZE, 10)

    def forward(self, x):
        return self.fc(x), x


class OnCuda(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(SIZE * SIZE, 10)

    def forward(self, x):
        return self.fc(x) + torch.zeros(10, device="cuda")


class Gate(nn.Module):
    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(torch.ones(10))
        self.fc = nn.Linear(SIZE * SIZE, 10)

    def forward(self, x):
        return self.fc(x) * self.scale


class Branch(nn.Module):
    """An if on the input's values: torch.jit.trace freezes it to the branch the example input took."""
    def __init__(self):
        super().__init__()
        self.up = nn.Linear(SIZE * SIZE, 10)
        self.down = nn.Linear(SIZE * SIZE, 10)

    def forward(self, x):
        if x.sum() > 0:
            return self.up(x)
        return self.down(x)


class Noisy(nn.Module):
    def forward(self, x):
        return x + torch.rand_like(x)


def rewrite_zip(src, dst, change):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_STORED) as zout:
        for item in zin.infolist():
            zout.writestr(item, change(item.filename, zin.read(item.filename)))


def fixtures(d):
    """Files for the error and twin-training tests."""
    torch.manual_seed(0)
    net = torch.jit.script(nn.Sequential(nn.Linear(SIZE * SIZE, 10)))
    net.save(f"{d}/linear.pt")
    with open(f"{d}/junk.pt", "wb") as f:
        f.write(b"this is not a model\n")
    torch.save(nn.Linear(4, 2).state_dict(), f"{d}/state_dict.pt")
    rewrite_zip(f"{d}/linear.pt", f"{d}/newer.pt", lambda name, data: b"99\n" if name.endswith("/version") else data)
    # Storages saved on a CUDA device: the pickle names the location "cuda:0" instead of "cpu".
    rewrite_zip(f"{d}/linear.pt", f"{d}/cuda.pt",
                lambda name, data: data.replace(b"X\x03\x00\x00\x00cpu", b"X\x06\x00\x00\x00cuda:0") if name.endswith("data.pkl") else data)
    torch.jit.script(Pair()).save(f"{d}/pair.pt")
    torch.jit.script(Twice()).save(f"{d}/twice.pt")
    torch.jit.script(OnCuda()).save(f"{d}/oncuda.pt")
    torch.jit.script(Gate()).save(f"{d}/gate.pt")
    torch.jit.script(Noisy()).save(f"{d}/noisy.pt")
    emb = nn.Sequential(nn.Embedding(7, 4, padding_idx=2), nn.Flatten(), nn.LayerNorm(12), nn.Linear(12, 10))
    torch.jit.script(emb).save(f"{d}/embedding.pt")
    layers = nn.Sequential(nn.ConvTranspose2d(2, 4, 3, stride=2), nn.GroupNorm(2, 4), nn.Flatten(), nn.Linear(4 * 9 * 9, 6), nn.LayerNorm(6))
    torch.jit.script(layers).save(f"{d}/layers.pt")
    torch.jit.trace(nn.Sequential(nn.Linear(SIZE * SIZE, 8), nn.ReLU(), nn.Linear(8, 10)), torch.ones(2, SIZE * SIZE)).save(f"{d}/traced.pt")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", torch.jit.TracerWarning)  # the frozen if, which is the point
        torch.jit.trace(Branch(), torch.ones(2, SIZE * SIZE)).save(f"{d}/traced-if.pt")
    torch.jit.script(Branch()).save(f"{d}/scripted-if.pt")
    torch.manual_seed(4)
    # twin's nn.mlp([16, 32, 4], { dropout: 0.3 }), scripted: the blobs of test/twin/fixtures/blobs.ts
    torch.jit.script(nn.Sequential(nn.Linear(16, 32), nn.ReLU(), nn.Dropout(0.3), nn.Linear(32, 4))).save(f"{d}/blob-mlp.pt")
    torch.jit.script(BlobTied()).save(f"{d}/blob-tied.pt")
    torch.jit.trace(nn.Sequential(nn.Linear(16, 8), nn.ReLU(), nn.Linear(8, 4)), torch.ones(2, 16)).save(f"{d}/blob-traced.pt")


def train_eager(build, opt_name, seed, x, y, steps, batch, dropout_seed, flat):
    """The same model, weights, batches and dropout seed in eager mode (not scripted)."""
    torch.manual_seed(seed)
    model = build()
    model.train()
    opt = (torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9) if opt_name == "sgd"
           else torch.optim.Adam(model.parameters(), lr=1e-3))
    torch.manual_seed(dropout_seed)
    losses = []
    for step in range(steps):
        xb = x[step * batch:(step + 1) * batch]
        loss = F.cross_entropy(model(xb.flatten(1) if flat else xb), y[step * batch:(step + 1) * batch])
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


def main():
    req = json.load(sys.stdin)
    d, steps, batch = req["dir"], req["steps"], req["batch"]
    if req.get("fixtures"):
        fixtures(d)
        print("{}")
        return
    g = torch.Generator().manual_seed(7)
    n = steps * batch
    y = torch.randint(0, 10, (n,), generator=g)
    prototypes = (torch.rand(10, SIZE * SIZE, generator=g) > 0.5).float()
    x = (torch.rand(n, SIZE * SIZE, generator=g) * 0.5 + prototypes[y] * 0.5).reshape(n, 1, SIZE, SIZE)
    x.numpy().tofile(f"{d}/x.bin")
    y.numpy().tofile(f"{d}/y.bin")
    out = {}
    for name, (build, opt_name, seed) in CASES.items():
        torch.manual_seed(seed)
        torch.jit.script(build()).save(f"{d}/{name}.pt")
        model = torch.jit.load(f"{d}/{name}.pt")
        model.train()
        opt = (torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9) if opt_name == "sgd"
               else torch.optim.Adam(model.parameters(), lr=1e-3))
        torch.manual_seed(req["dropoutSeed"])
        losses = []
        for step in range(steps):
            xb = x[step * batch:(step + 1) * batch]
            if name in FLAT:
                xb = xb.flatten(1)
            loss = F.cross_entropy(model(xb), y[step * batch:(step + 1) * batch])
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
        model.save(f"{d}/{name}-trained.pt")
        out[name] = losses
        out[f"{name}-eager"] = train_eager(build, opt_name, seed, x, y, steps, batch, req["dropoutSeed"], name in FLAT)
    print(json.dumps(out))


main()
