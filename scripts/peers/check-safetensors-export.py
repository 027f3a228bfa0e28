#!/usr/bin/env python3
"""Loads an mnist-tui safetensors export into PyTorch, as a user would, and checks it.

Not run by CI: needs torch and safetensors (`pip install torch safetensors`).

    scripts/peers/check-safetensors-export.py FILE.safetensors [EXPECTED.json]

Builds the tutorial's model for the architecture in the file's __metadata__ ("layers", e.g.
784,512,256,10 gives nn.Sequential(Linear(784, 512), ReLU(), Linear(512, 256), ReLU(),
Linear(256, 10))), loads `safetensors.torch.load_file(FILE)` with load_state_dict(strict=True), and
prints the metadata and tensor shapes. With EXPECTED.json ({"inputs": [[...]], "outputs": [[...]]},
as the Swift test PyTorchFixtureTests.exportForThePyTorchPeer leaves with MNIST_TUI_PEER_OUT=DIR),
runs the inputs through PyTorch and fails unless the outputs match mnist-tui's within 1e-4.
"""
import json, sys

import torch
from torch import nn
from safetensors import safe_open
from safetensors.torch import load_file


def main():
    if len(sys.argv) not in (2, 3):
        raise SystemExit(__doc__.splitlines()[3].strip())
    path = sys.argv[1]
    with safe_open(path, framework="pt") as f:
        metadata = f.metadata() or {}
    sizes = [int(n) for n in metadata["layers"].split(",")]
    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes, sizes[1:])):
        if i:
            layers.append(nn.ReLU())
        layers.append(nn.Linear(n_in, n_out))
    model = nn.Sequential(*layers)
    state = load_file(path)
    model.load_state_dict(state, strict=True)
    print(f"{path}: metadata {metadata}")
    print("loaded into", model)
    for name, tensor in state.items():
        print(f"  {name}: {tuple(tensor.shape)} {tensor.dtype}")
    if len(sys.argv) == 3:
        expected = json.load(open(sys.argv[2]))
        with torch.no_grad():
            outputs = model(torch.tensor(expected["inputs"], dtype=torch.float32))
        want = torch.tensor(expected["outputs"], dtype=torch.float32)
        diff = (outputs - want).abs().max().item()
        print(f"{len(want)} inputs: largest |PyTorch - mnist-tui| output difference {diff:.3g}")
        print("PyTorch argmax", outputs.argmax(1).tolist(), "mnist-tui argmax", want.argmax(1).tolist())
        if diff > 1e-4 or not torch.equal(outputs.argmax(1), want.argmax(1)):
            raise SystemExit("MISMATCH")
        print("OK: same function in PyTorch")


if __name__ == "__main__":
    main()
