#!/usr/bin/env python3
"""Writes the checkpoint fuzzer's seed corpus (Fuzz/corpus/checkpoint): small valid checkpoints and
broken variants of them. An independent implementation of the format documented on `Checkpoint`
(Sources/Engine/Checkpoint/Checkpoint.swift), so it also cross-checks that documentation:
CheckpointTests decodes `valid-mid` written by this script. Deterministic."""
import os, struct, zlib

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "checkpoint")
os.makedirs(out, exist_ok=True)

def i64(v): return struct.pack("<q", v)
def u64(v): return struct.pack("<Q", v)
def u32(v): return struct.pack("<I", v)
def f32(v): return struct.pack("<f", v)
def f64(v): return struct.pack("<d", v)
def string(s): b = s.encode(); return u32(len(b)) + b
def floats(vs): return u64(len(vs)) + b"".join(f32(v) for v in vs)

def checkpoint(layers=(4, 3, 2), init="default", epochs=3, batch=8, lr=0.2, momentum=0.5, decay=0.0,
               seed=1, threads=1, limit=None, name="synthetic", train=20, test=10, fingerprint=0x1234,
               epoch=1, batches_done=0, lr_now=None, generator=(1, 2, 3, 4), initial_loss=None,
               lr_changes=(), version=2, batches_per_epoch=3, optimizer="sgd", betas=(0.9, 0.999), eps=1e-8,
               layout=None):
    """`layout` is the format version whose field layout is written (default: `version`)."""
    layout = version if layout is None else layout
    lr_now = lr if lr_now is None else lr_now
    step = (epoch - 1) * batches_per_epoch + batches_done
    params = sum(a * b + b for a, b in zip(layers, layers[1:]))
    header = u64(len(layers)) + b"".join(i64(s) for s in layers)
    header += string(init) + i64(epochs) + i64(batch) + f32(lr) + f32(momentum) + f32(decay)
    header += u64(seed) + i64(threads) + bytes([0 if limit is None else 1]) + i64(limit or 0)
    if layout >= 2:
        header += string(optimizer) + f32(betas[0]) + f32(betas[1]) + f32(eps)
    header += string(name) + i64(layers[-1]) + i64(train) + i64(test) + u64(fingerprint)
    header += i64(epoch) + i64(batches_done) + i64(step) + f32(lr_now) + b"".join(u64(g) for g in generator)
    samples = min(batches_done * batch, train)
    header += f64(1.5 * batches_done) + i64(samples // 2) + i64(samples) + f64(0.01 * batches_done)
    header += bytes([0 if initial_loss is None else 1]) + f32(initial_loss or 0.0)
    payload = floats([((i * 7) % 13 - 6) / 10 for i in range(params)])
    state = [((i * 3) % 5 - 2) / 100 for i in range(params)]
    if layout >= 2:
        # The optimizer's step and state buffers: velocity for sgd with momentum, m and v for Adam.
        buffers = ([state] if momentum > 0 else []) if optimizer == "sgd" else [state, [abs(x) for x in state]]
        payload += i64(step) + u64(len(buffers)) + b"".join(floats(b) for b in buffers)
    else:
        payload += floats(state)  # version 1: one velocity array, always present
    payload += floats([2.3 - 0.01 * i for i in range(step)])
    payload += u64(len(lr_changes)) + b"".join(i64(s) + f32(a) + f32(b) for s, a, b in lr_changes)
    payload += u64(epoch - 1) + b"".join(i64(e + 1) + f64(0.5) + f64(0.8) + f64(0.6) + f64(0.75) + f64(0.1) + f32(lr)
                                        for e in range(epoch - 1))
    body = b"MNISTCKP" + u32(version) + u32(len(header)) + u64(len(payload)) + header + payload
    return body + u32(zlib.crc32(body))

def reseal(b): return b[:-4] + u32(zlib.crc32(b[:-4]))

fresh = checkpoint()
mid = checkpoint(epoch=2, batches_done=1, initial_loss=2.31, lr_changes=((2, 0.2, 0.1),), lr_now=0.1, limit=20)
done = checkpoint(epoch=4, initial_loss=2.3, init="he", momentum=0.0)
wide = checkpoint(layers=(6, 5, 4, 3), init="xavier", epoch=3, batches_done=2, initial_loss=2.2, name="MNIST")
adam = checkpoint(optimizer="adamw", momentum=0.0, decay=0.01, lr=0.001, epoch=2, batches_done=2, initial_loss=2.3)
seeds = {
    "valid-fresh": fresh,
    "valid-mid": mid,
    "valid-done": done,
    "valid-deep": wide,
    "valid-adamw": adam,
    "valid-v1-mid": checkpoint(epoch=2, batches_done=1, initial_loss=2.31, lr_changes=((2, 0.2, 0.1),), lr_now=0.1,
                               limit=20, version=1),
    "truncated": mid[: len(mid) // 2],
    "trailing": mid + b"\x00",
    "bad-crc": mid[:-1] + bytes([mid[-1] ^ 1]),
    "bad-magic": b"MNISTCKQ" + mid[8:],
    "newer-version": checkpoint(version=3, layout=2),
    "huge-payload-length": mid[:16] + u64(2**64 - 1) + mid[24:],
}
# A sealed file whose parameter count claims 2^61 floats (right after the header).
header_len = struct.unpack("<I", mid[12:16])[0]
p = 24 + header_len
seeds["sealed-huge-float-count"] = reseal(mid[:p] + u64(1 << 61) + mid[p + 8:])
# A sealed file whose batches-done field is 99 (impossible for 3 batches an epoch).
bd = mid.find(i64(2) + i64(1) + i64(4))  # epoch 2, batch 1, step 4
seeds["sealed-batch-impossible"] = reseal(mid[:bd + 8] + i64(99) + mid[bd + 16:])
for name, data in seeds.items():
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)
print(f"{len(seeds)} seeds in {out}")
