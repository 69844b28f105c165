"""PyTorch side of bench/engine.ts, run as a small server so that the two
sides can be measured in alternation (fair on a busy machine).

  OPENBLAS_NUM_THREADS=T /usr/bin/python3 bench/engine_ref.py T
  /usr/bin/python3 bench/engine_ref.py --export-cnn PATH   (the CNN, scripted, for twin's scripted_cnn case)

Reads one JSON request per line: {"case": name, "warmup": w, "reps": r, "inner": k}
and answers one JSON line: {"wall": [ms per step]*r, "cpu": [ms per step]*r}.
torch.set_num_threads does not limit a pthreads OpenBLAS, hence the env variable.
"""
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

g = torch.Generator().manual_seed(0)


class Block(nn.Module):
    """torchvision's BasicBlock, as twin's nn.ResidualBlock."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        identity = self.downsample(x) if self.downsample is not None else x
        out += identity
        return F.relu_(out)


def cnn():
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10))


def make_step(case):
    if case == "mlp":
        model = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 10))
        x = torch.rand(128, 784, generator=g)
        y = torch.randint(0, 10, (128,), generator=g)
        loss_fn = F.cross_entropy
    elif case in ("cnn", "scripted_cnn"):
        # scripted_cnn: twin runs this CNN scripted (torch.jit.script, exported by --export-cnn), Python in eager mode.
        model = cnn()
        x = torch.rand(64, 1, 28, 28, generator=g)
        y = torch.randint(0, 10, (64,), generator=g)
        loss_fn = F.cross_entropy
    elif case == "resblock":
        model = Block(32, 64, 2)
        x = torch.rand(32, 32, 16, 16, generator=g)
        y = None
        loss_fn = lambda out, y: out.mean()  # noqa: E731
    else:
        a = torch.rand(16, generator=g)
        b = torch.rand(16, generator=g)

        def chain():
            x = a
            for _ in range(1000):
                x = x.add(b)

        def chain_kept():
            # Every intermediate kept until the chain ends, as inside one twin scope.
            x, kept = a, []
            for _ in range(1000):
                x = x.add(b)
                kept.append(x)
        return chain_kept if case == "op_chain_kept" else chain
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, foreach=False)

    def step():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
    return step


if sys.argv[1] == "--export-cnn":
    torch.jit.script(cnn()).save(sys.argv[2])
    sys.exit(0)
threads = int(sys.argv[1])
torch.set_num_threads(threads)
steps = {}
for line in sys.stdin:
    req = json.loads(line)
    name = req["case"]
    if name not in steps:
        steps[name] = make_step(name)
    fn = steps[name]
    for _ in range(req["warmup"]):
        fn()
    wall, cpu = [], []
    for _ in range(req["reps"]):
        w0, c0 = time.perf_counter(), time.process_time()
        for _ in range(req["inner"]):
            fn()
        wall.append((time.perf_counter() - w0) * 1000 / req["inner"])
        cpu.append((time.process_time() - c0) * 1000 / req["inner"])
    print(json.dumps({"wall": wall, "cpu": cpu}), flush=True)
