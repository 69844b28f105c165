#!/usr/bin/env python3
"""Independent reader of TensorBoard event files, used by twin's tests.

Shares no code with twin: its own CRC32C (bitwise, no table), its own
protobuf varint / wire-format decoder. Parses the TFRecord framing, checks
every CRC, decodes Event / Summary / Value / TensorProto / SummaryMetadata and
the HParams plugin data, and prints JSON:

  {"file_version": str, "scalars": [{tag, step, value, wall_time}],
   "texts": [{tag, step, text}], "plugins": {tag: plugin_name},
   "session_start": {"hparams": {...}, "group_name": str} | null,
   "session_end_status": int | null, "experiment": {...} | null}

Non-finite floats are printed as the strings "NaN", "Infinity", "-Infinity".
Usage: parse_events.py FILE
"""
import json
import math
import struct
import sys


def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
    return crc ^ 0xFFFFFFFF


def masked(crc):
    return ((((crc >> 15) | (crc << 17)) & 0xFFFFFFFF) + 0xA282EAD8) & 0xFFFFFFFF


def varint(buf, pos):
    result = 0
    shift = 0
    while True:
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
        shift += 7


def fields(buf):
    """Yields (field_number, wire_type, value) for a serialized message."""
    pos = 0
    while pos < len(buf):
        key, pos = varint(buf, pos)
        field, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = varint(buf, pos)
        elif wire == 1:
            value = buf[pos:pos + 8]
            pos += 8
        elif wire == 2:
            length, pos = varint(buf, pos)
            value = buf[pos:pos + length]
            pos += length
        elif wire == 5:
            value = buf[pos:pos + 4]
            pos += 4
        else:
            raise ValueError("unsupported wire type %d" % wire)
        yield field, wire, value


def jnum(x):
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    return x


def int64(v):
    return v - (1 << 64) if v >= (1 << 63) else v


def records(data):
    pos = 0
    while pos < len(data):
        if len(data) - pos < 12:
            return
        header = data[pos:pos + 8]
        (length,) = struct.unpack("<Q", header)
        (lcrc,) = struct.unpack("<I", data[pos + 8:pos + 12])
        if masked(crc32c(header)) != lcrc:
            raise ValueError("length crc mismatch at %d" % pos)
        if len(data) - pos < 16 + length:
            return
        body = data[pos + 12:pos + 12 + length]
        (dcrc,) = struct.unpack("<I", data[pos + 12 + length:pos + 16 + length])
        if masked(crc32c(body)) != dcrc:
            raise ValueError("data crc mismatch at %d" % pos)
        yield body
        pos += 16 + length


def proto_value(buf):
    for f, w, v in fields(buf):
        if f == 2:
            return jnum(struct.unpack("<d", v)[0])
        if f == 3:
            return v.decode("utf-8")
        if f == 4:
            return bool(v)
    return None


def hparams_data(content):
    out = {"version": 0}
    for f, w, v in fields(content):
        if f == 1:
            out["version"] = v
        elif f == 2:
            exp = {"hparam_infos": [], "metric_infos": []}
            for ef, ew, ev in fields(v):
                if ef == 4:
                    info = {}
                    for hf, hw, hv in fields(ev):
                        if hf == 1:
                            info["name"] = hv.decode()
                        elif hf == 4:
                            info["type"] = hv
                        elif hf == 5:
                            info["domain_discrete"] = [proto_value(x) for lf, lw, x in fields(hv) if lf == 1]
                        elif hf == 6:
                            iv = {}
                            for inf, iw, ix in fields(hv):
                                iv["min" if inf == 1 else "max"] = struct.unpack("<d", ix)[0]
                            info["domain_interval"] = iv
                    exp["hparam_infos"].append(info)
                elif ef == 5:
                    m = {}
                    for mf, mw, mv in fields(ev):
                        if mf == 1:
                            for nf, nw, nv in fields(mv):
                                m["group" if nf == 1 else "tag"] = nv.decode()
                    exp["metric_infos"].append(m)
            out["experiment"] = exp
        elif f == 3:
            start = {"hparams": {}, "group_name": ""}
            for sf, sw, sv in fields(v):
                if sf == 1:
                    key, val = None, None
                    for kf, kw, kv in fields(sv):
                        if kf == 1:
                            key = kv.decode()
                        elif kf == 2:
                            val = proto_value(kv)
                    start["hparams"][key] = val
                elif sf == 4:
                    start["group_name"] = sv.decode()
            out["session_start"] = start
        elif f == 4:
            status = 0
            for sf, sw, sv in fields(v):
                if sf == 1:
                    status = sv
            out["session_end_status"] = status
    return out


def main(path):
    with open(path, "rb") as fh:
        data = fh.read()
    out = {"file_version": None, "scalars": [], "texts": [], "plugins": {},
           "session_start": None, "session_end_status": None, "experiment": None}
    for body in records(data):
        wall_time, step, summary = 0.0, 0, None
        for f, w, v in fields(body):
            if f == 1:
                wall_time = struct.unpack("<d", v)[0]
            elif f == 2:
                step = int64(v)
            elif f == 3:
                out["file_version"] = v.decode()
            elif f == 5:
                summary = v
        if summary is None:
            continue
        for f, w, value in fields(summary):
            if f != 1:
                continue
            tag, simple, tensor, plugin, content = None, None, None, None, b""
            for vf, vw, vv in fields(value):
                if vf == 1:
                    tag = vv.decode()
                elif vf == 2:
                    simple = struct.unpack("<f", vv)[0]
                elif vf == 8:
                    tensor = vv
                elif vf == 9:
                    for mf, mw, mv in fields(vv):
                        if mf == 1:
                            for pf, pw, pv in fields(mv):
                                if pf == 1:
                                    plugin = pv.decode()
                                elif pf == 2:
                                    content = pv
            if plugin is not None:
                out["plugins"].setdefault(tag, plugin)
            if simple is not None:
                out["scalars"].append({"tag": tag, "step": step, "value": jnum(simple), "wall_time": wall_time})
            elif plugin == "text" and tensor is not None:
                strings = [tv.decode("utf-8") for tf, tw, tv in fields(tensor) if tf == 8]
                out["texts"].append({"tag": tag, "step": step, "text": "\n".join(strings)})
            elif plugin == "hparams":
                d = hparams_data(content)
                for k in ("session_start", "session_end_status", "experiment"):
                    if k in d:
                        out[k] = d[k]
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1])
