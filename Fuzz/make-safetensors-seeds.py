#!/usr/bin/env python3
"""Writes the seed corpus of the safetensors fuzzer (Fuzz/corpus/safetensors).

An independent writer of the format (struct + json, no safetensors package) so the seeds do not
inherit the Swift writer's habits: valid files of tiny models (with and without metadata, with a
module prefix, unsorted tensors) and one broken variant per rule the reader checks. The PyTorch-made
fixtures of Tests/InterchangeTests/Fixtures are copied in too.
"""
import json, math, os, shutil, struct

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus", "safetensors")
FIXTURES = os.path.join(HERE, "..", "Tests", "InterchangeTests", "Fixtures")


def tensors_for(sizes, prefix=""):
    """[(name, shape, values)] of an nn.Sequential MLP with distinct values."""
    out, k = [], 0
    for l, (n_in, n_out) in enumerate(zip(sizes, sizes[1:])):
        w = [((k + i) % 13 - 6) / 8 for i in range(n_in * n_out)]
        k += n_in * n_out
        b = [((k + i) % 7 - 3) / 4 for i in range(n_out)]
        k += n_out
        out.append((f"{prefix}{2 * l}.weight", [n_out, n_in], w))
        out.append((f"{prefix}{2 * l}.bias", [n_out], b))
    return out


def build(tensors, metadata=None, sort=True, pad=True, dtype="F32", header_length=None, tail=b"", edit=None):
    if sort:
        tensors = sorted(tensors, key=lambda t: t[0])
    header, data = {}, b""
    if metadata is not None:
        header["__metadata__"] = metadata
    for name, shape, values in tensors:
        raw = struct.pack(f"<{len(values)}f", *values)
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    if edit:
        edit(header)
    text = json.dumps(header, separators=(",", ":")).encode()
    if pad:
        text += b" " * ((8 - len(text) % 8) % 8)
    n = len(text) if header_length is None else header_length
    return struct.pack("<Q", n) + text + data + tail


def main():
    os.makedirs(OUT, exist_ok=True)
    t = tensors_for([3, 2, 2])
    seeds = {
        "valid-3-2-2": build(t, {"format": "pt", "layers": "3,2,2", "producer": "seeds"}),
        "valid-no-metadata": build(t),
        "valid-prefix": build(tensors_for([2, 3, 2, 2], prefix="linear_relu_stack.")),
        "valid-unsorted": build(list(reversed(t)), sort=False, pad=False),
        "huge-header-length": build(t, header_length=1 << 60),
        "header-past-end": build(t, header_length=4096),
        "bad-json": struct.pack("<Q", 21) + b'{"0.bias":{"dtype":"F',
        "f64": build(t, dtype="F64"),
        "trailing-bytes": build(t, tail=b"\0\0\0\0"),
        "missing-bias": build([x for x in t if x[0] != "2.bias"]),
        "extra-tensor": build(t + [("1.weight", [1], [0.0])]),
        "shapes-do-not-chain": build([t[0], t[1], ("2.weight", [2, 3], [0.0] * 6), ("2.bias", [2], [0.0, 0.0])]),
        "non-finite": build([(n, s, [math.nan] * len(v)) if n == "0.weight" else (n, s, v) for n, s, v in t]),
        "metadata-mismatch": build(t, {"layers": "784,512,256,10"}),
    }

    def overlap(h):
        h["0.weight"]["data_offsets"] = [0, 24]
    seeds["overlap"] = build(t, edit=overlap)

    def out_of_range(h):
        h["2.weight"]["data_offsets"][1] += 1000
    seeds["offsets-out-of-range"] = build(t, edit=out_of_range)

    for name, data in seeds.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
    for fixture in ("pytorch-4-3-2.safetensors", "pytorch-quickstart-4-5-3-2.safetensors"):
        shutil.copy(os.path.join(FIXTURES, fixture), os.path.join(OUT, fixture.replace(".safetensors", "")))
    print(f"{len(seeds) + 2} seeds in {OUT}")


if __name__ == "__main__":
    main()
