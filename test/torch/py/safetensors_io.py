"""An independent safetensors reader/writer (json + struct + torch.frombuffer),
because Debian has no python3-safetensors. Used by test/torch/safetensors.test.ts
and test/torch/equivalence.test.ts.

  safetensors_io.py read FILE          -> JSON {tensors: {name: {dtype, shape, data}}, metadata}
  safetensors_io.py write FILE < JSON  -> writes the tensors in the JSON request
"""
import json
import struct
import sys

import torch

DTYPES = {
    "F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16,
    "I64": torch.int64, "I32": torch.int32, "I16": torch.int16, "I8": torch.int8,
    "U8": torch.uint8, "BOOL": torch.bool,
}
CODES = {v: k for k, v in DTYPES.items()}


def load(path):
    """{name: tensor}, metadata. Checks the format strictly."""
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    data = raw[8 + n:]
    metadata = header.pop("__metadata__", {})
    tensors = {}
    end_max = 0
    for name, info in header.items():
        begin, end = info["data_offsets"]
        dtype = DTYPES[info["dtype"]]
        numel = 1
        for s in info["shape"]:
            numel *= s
        assert end - begin == numel * torch.empty((), dtype=dtype).element_size(), name
        end_max = max(end_max, end)
        buf = bytearray(data[begin:end])
        t = torch.frombuffer(buf, dtype=dtype, count=numel) if numel else torch.empty(0, dtype=dtype)
        tensors[name] = t.reshape(info["shape"]).clone()
    assert end_max == len(data), "trailing bytes after the tensors"
    return tensors, metadata


def save(path, tensors, metadata=None, order=None, pad_header=True):
    """Writes a safetensors file; order (a list of names) may differ from the reference sorting."""
    names = order or sorted(tensors)
    header = {}
    if metadata:
        header["__metadata__"] = metadata
    chunks = []
    offset = 0
    for name in names:
        t = tensors[name].contiguous()
        b = t.reshape(-1).view(torch.uint8).numpy().tobytes() if t.numel() else b""
        header[name] = {"dtype": CODES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(b)]}
        chunks.append(b)
        offset += len(b)
    h = json.dumps(header).encode("utf-8")
    if pad_header:
        h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for c in chunks:
            f.write(c)


def as_json(t):
    return {"dtype": CODES[t.dtype], "shape": list(t.shape), "data": t.double().reshape(-1).tolist()}


if __name__ == "__main__":
    mode, path = sys.argv[1], sys.argv[2]
    if mode == "read":
        ts, md = load(path)
        json.dump({"tensors": {k: as_json(v) for k, v in ts.items()}, "metadata": md}, sys.stdout)
    elif mode == "write":
        req = json.load(sys.stdin)
        ts = {}
        for k, v in req["tensors"].items():
            ts[k] = torch.tensor(v["data"], dtype=torch.float64).reshape(v["shape"]).to(DTYPES[v["dtype"]])
        save(path, ts, req.get("metadata"), order=req.get("order"), pad_header=req.get("pad_header", True))
        json.dump({"ok": True}, sys.stdout)
