#!/usr/bin/env python3
"""Writes the IDX fuzzer's seed corpus (Fuzz/corpus/idx): small valid and broken IDX files, raw and
gzip. Deterministic (gzip mtime 0), so re-running it changes nothing."""
import gzip, os, struct

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "idx")
os.makedirs(out, exist_ok=True)

def idx(dims, data, magic=None):
    return (magic or bytes([0, 0, 8, len(dims)])) + b"".join(struct.pack(">I", d) for d in dims) + bytes(data)

def gz(b):
    return gzip.compress(b, mtime=0)

images = idx([3, 4, 4], range(48))
labels = idx([5], [0, 1, 9, 3, 4])
seeds = {
    "images-3x4x4": images,
    "images-3x4x4.gz": gz(images),
    "images-1x28x28.gz": gz(idx([1, 28, 28], [(i * 37) % 256 for i in range(784)])),
    "labels-5": labels,
    "labels-5.gz": gz(labels),
    "labels-out-of-range": idx([3], [1, 10, 255]),
    "images-truncated": images[:-5],
    "images-trailing": images + b"\x00\x01",
    "images-huge-count": idx([1 << 31, 28, 28], [0] * 32),
    "images-zero-dim": idx([3, 0, 4], []),
    "images-float": idx([1, 2, 2], [0] * 16, magic=bytes([0, 0, 0x0D, 3])),
    "gzip-truncated": gz(images)[:-6],
    "gzip-two-members": gz(images[:20]) + gz(images[20:]),
    "gzip-bad-crc": gz(labels)[:-8] + b"\xde\xad\xbe\xef" + gz(labels)[-4:],
}
for name, data in seeds.items():
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)
print(f"{len(seeds)} seeds in {out}")
