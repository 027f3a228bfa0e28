#!/usr/bin/env python3
"""Compares mnist-tui's safetensors reader with the reference implementation on a corpus of files.

Not run by CI: needs numpy and safetensors (`pip install numpy safetensors`; the package is the
reference Rust implementation).

    MNIST_TUI_PEER_CORPUS=.build-fuzz/corpus-safetensors MNIST_TUI_PEER_OUT=/tmp/peer \\
        swift test --disable-xctest --filter verdictsForTheReferencePeer
    scripts/peers/compare-safetensors-reference.py .build-fuzz/corpus-safetensors /tmp/peer/safetensors-verdicts.json

For every file: whatever mnist-tui accepts, the reference must accept too, with the same tensors
(transposed to mnist-tui's [in, out]); fails otherwise. Files the reference accepts but mnist-tui
refuses are counted by mnist-tui's reason (it is stricter on purpose: F32 only, nn.Sequential names
and chaining shapes, finite values, no duplicate keys or unknown fields), and listed when that
reason is about the format itself, where the two should agree.
"""
import collections, json, os, sys

import numpy as np
from safetensors.numpy import load

FORMAT_LEVEL = ("tooShort", "headerPastEnd", "headerTooLarge", "headerNotUTF8", "badJSON", "offsets", "sizeMismatch",
                "uncoveredBytes", "noTensors")


def main():
    corpus, verdicts_path = sys.argv[1], sys.argv[2]
    verdicts = json.load(open(verdicts_path))
    agree_ok = agree_refuse = 0
    stricter = collections.Counter()
    format_disagreements = []
    for name in sorted(os.listdir(corpus)):
        data = open(os.path.join(corpus, name), "rb").read()
        try:
            tensors = load(data)
            reference_error = None
        except Exception as e:  # the reference raises SafetensorError (and others) for bad files
            tensors, reference_error = None, f"{type(e).__name__}: {e}"
        ours = verdicts[name]
        if ours["ok"]:
            if tensors is None:
                raise SystemExit(f"{name}: mnist-tui accepts a file the reference refuses ({reference_error})")
            for l, (w, b) in enumerate(zip(ours["weights"], ours["biases"])):
                key = [k for k in tensors if k == f"{2 * l}.weight" or k.endswith(f".{2 * l}.weight")][0]
                ref_w = tensors[key].T.reshape(-1)
                ref_b = tensors[key[:-len("weight")] + "bias"]
                if not (np.array_equal(ref_w, np.array(w, dtype=np.float32)) and np.array_equal(ref_b, np.array(b, dtype=np.float32))):
                    raise SystemExit(f"{name}: layer {l} differs from the reference")
            agree_ok += 1
        elif tensors is None:
            agree_refuse += 1
        else:
            kind = ours["kind"]
            stricter[kind] += 1
            if kind.startswith(FORMAT_LEVEL):
                format_disagreements.append((name, ours["problem"]))
    print(f"{len(verdicts)} files: both accept {agree_ok} (same tensors), both refuse {agree_refuse}, "
          f"only the reference accepts {sum(stricter.values())}")
    for kind, n in stricter.most_common():
        print(f"  mnist-tui refuses, reference accepts: {n:5} x {kind}")
    if format_disagreements:
        print(f"{len(format_disagreements)} disagreements on the format itself:")
    for name, problem in format_disagreements[:20]:
        print(f"  {name}: {problem}")
    if not format_disagreements:
        print("OK: every file mnist-tui accepts, the reference accepts with the same tensors; all other differences are model-level")


if __name__ == "__main__":
    main()
