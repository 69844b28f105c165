"""Per-example probabilities of a real model for bench/prediction-size.ts.

Trains the README's Fashion-MNIST MLP (784-256-10, Adam 1e-3, batch 128,
3 epochs) from 3 seeds in PyTorch, holding out the first 5,000 training
images as validation, and writes to OUT (argv[1]): v<seed>.npy / t<seed>.npy
(float32 softmax outputs on validation / t10k), val_labels.npy, test_labels.npy,
and f16.json: the half-precision encoding's sizes (byte planes, raw DEFLATE
level 9, what twin stored before) and each array rounded to float16 (f<k><seed>.npy).
"""
import gzip, json, os, sys, zlib
import numpy as np
import torch

out = sys.argv[1]
torch.set_num_threads(1)
root = os.environ.get("TWIN_FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist")
def idx(name, offset):
    return np.frombuffer(gzip.open(os.path.join(root, name)).read(), np.uint8, offset=offset)
x = idx("train-images-idx3-ubyte.gz", 16).reshape(-1, 784).astype(np.float32) / 255
y = idx("train-labels-idx1-ubyte.gz", 8).astype(np.int64)
xt = idx("t10k-images-idx3-ubyte.gz", 16).reshape(-1, 784).astype(np.float32) / 255
yt = idx("t10k-labels-idx1-ubyte.gz", 8).astype(np.int64)
xv, yv, xtr, ytr = x[:5000], y[:5000], x[5000:], y[5000:]
np.save(os.path.join(out, "val_labels.npy"), yv)
np.save(os.path.join(out, "test_labels.npy"), yt)

def deflate(b):
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return len(c.compress(b) + c.flush())

sizes = {}
for seed in range(3):
    torch.manual_seed(seed)
    m = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 10))
    opt = torch.optim.Adam(m.parameters(), 1e-3)
    for epoch in range(3):
        perm = torch.randperm(len(xtr)).numpy()
        for i in range(0, len(xtr), 128):
            b = perm[i:i + 128]
            opt.zero_grad()
            torch.nn.functional.cross_entropy(m(torch.from_numpy(xtr[b])), torch.from_numpy(ytr[b])).backward()
            opt.step()
    with torch.no_grad():
        for k, data in (("v", xv), ("t", xt)):
            p = torch.softmax(m(torch.from_numpy(data)), 1).numpy().astype(np.float32)
            np.save(os.path.join(out, f"{k}{seed}.npy"), p)
            h = p.astype(np.float16)
            np.save(os.path.join(out, f"f{k}{seed}.npy"), h.astype(np.float32))
            bits = h.view(np.uint16).ravel()
            sizes[f"{k}{seed}"] = deflate((bits >> 8).astype(np.uint8).tobytes() + (bits & 255).astype(np.uint8).tobytes())
json.dump(sizes, open(os.path.join(out, "f16.json"), "w"))
