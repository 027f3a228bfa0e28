#!/usr/bin/env python3
"""Loads an mnist-tui safetensors export into PyTorch, as a user would, and checks it.

Not run by CI: needs torch and safetensors (`pip install torch safetensors`).

    scripts/peers/check-safetensors-export.py FILE.safetensors [--expect EXPECTED.json] [--data DIR]

Builds the tutorial's model for the architecture in the file's __metadata__ ("layers": 784,512,256,10
gives nn.Sequential(Linear(784, 512), ReLU(), Linear(512, 256), ReLU(), Linear(256, 10))), loads
`safetensors.torch.load_file(FILE)` with load_state_dict(strict=True), and prints the metadata and
tensor shapes.
  --expect: {"inputs": [[...]], "outputs": [[...]]}, as the Swift test
            PyTorchFixtureTests.exportForThePyTorchPeer leaves with MNIST_TUI_PEER_OUT=DIR; fails
            unless PyTorch's outputs for the inputs match mnist-tui's within 1e-4.
  --data:   a folder with the MNIST test files (raw or .gz, e.g. assets/mnist): prints PyTorch's
            test accuracy, to compare with the "Accuracy on test set" mnist-tui printed.
"""
import argparse, json, os, sys

import numpy as np
import torch
from torch import nn
from safetensors import safe_open
from safetensors.torch import load_file


def tutorial_model(sizes):
    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes, sizes[1:])):
        if i:
            layers.append(nn.ReLU())
        layers.append(nn.Linear(n_in, n_out))
    return nn.Sequential(*layers)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file")
    ap.add_argument("--expect")
    ap.add_argument("--data")
    a = ap.parse_args()
    with safe_open(a.file, framework="pt") as f:
        metadata = f.metadata() or {}
    model = tutorial_model([int(n) for n in metadata["layers"].split(",")])
    state = load_file(a.file)
    model.load_state_dict(state, strict=True)
    model.eval()
    print(f"{a.file}: metadata {metadata}")
    print("loaded (strict) into", model)
    for name, tensor in state.items():
        print(f"  {name}: {tuple(tensor.shape)} {tensor.dtype}")
    if a.expect:
        expected = json.load(open(a.expect))
        with torch.no_grad():
            outputs = model(torch.tensor(expected["inputs"], dtype=torch.float32))
        want = torch.tensor(expected["outputs"], dtype=torch.float32)
        diff = (outputs - want).abs().max().item()
        print(f"{len(want)} inputs: largest |PyTorch - mnist-tui| output difference {diff:.3g}")
        if diff > 1e-4 or not torch.equal(outputs.argmax(1), want.argmax(1)):
            raise SystemExit("MISMATCH")
        print("OK: same function in PyTorch")
    if a.data:
        # The IDX reading is the numpy peer's, as in pytorch_tutorial.py (../shared/reference beside
        # the checkout; MNIST_TUI_REFERENCE=DIR elsewhere, e.g. from a worktree).
        reference = os.environ.get("MNIST_TUI_REFERENCE") or os.path.join(
            os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "reference")
        sys.path.insert(0, reference)
        from mlp_numpy import find, read_idx
        x = torch.from_numpy(read_idx(find(a.data, "t10k-images-idx3-ubyte")).reshape(-1, 784).astype(np.float32) / 255.0)
        y = torch.from_numpy(read_idx(find(a.data, "t10k-labels-idx1-ubyte")).astype(np.int64))
        with torch.no_grad():
            accuracy = (model(x).argmax(1) == y).float().mean().item()
        print(f"PyTorch test accuracy: {100 * accuracy:.2f}%")


if __name__ == "__main__":
    main()
