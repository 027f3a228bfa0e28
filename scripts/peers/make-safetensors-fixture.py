#!/usr/bin/env python3
"""Writes the PyTorch-made safetensors fixtures of Tests/InterchangeTests/Fixtures.

Not run by CI (the fixtures are committed, so the Swift tests need no Python). Needs torch and
safetensors: `pip install torch safetensors` (here: /opt/wheels/torch-*.whl into a venv).

    scripts/peers/make-safetensors-fixture.py [OUT_DIR]     (default: Tests/InterchangeTests/Fixtures)

Each model is saved exactly as a PyTorch user would, `safetensors.torch.save_file(model.state_dict(),
path)`, next to a JSON file with a few inputs and PyTorch's outputs for them (float32 values as
exact decimal), so the Swift tests check that the reader gives the same function, not only the
same numbers:

- pytorch-4-3-2: the tutorial's form, nn.Sequential(Linear(4, 3), ReLU, Linear(3, 2)).
- pytorch-quickstart-4-5-3-2: PyTorch's quickstart form, a module holding `flatten` and
  `linear_relu_stack = nn.Sequential(...)`: keys "linear_relu_stack.0.weight", ...
- pytorch-f64-4-3-2: the first model in float64, which the reader must refuse by name.
"""
import json, os, sys

import torch
from torch import nn
from safetensors.torch import save_file

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "Tests", "InterchangeTests", "Fixtures")


class QuickstartNetwork(nn.Module):
    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.linear_relu_stack = nn.Sequential(nn.Linear(4, 5), nn.ReLU(), nn.Linear(5, 3), nn.ReLU(), nn.Linear(3, 2))

    def forward(self, x):
        return self.linear_relu_stack(self.flatten(x))


def save(name, model, inputs):
    path = os.path.join(OUT, name + ".safetensors")
    save_file(model.state_dict(), path)
    with torch.no_grad():
        outputs = model(inputs)
    expected = {"inputs": inputs.tolist(), "outputs": outputs.tolist(),
                "torch": torch.__version__, "keys": sorted(model.state_dict().keys())}
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")
    print(f"{path}: {os.path.getsize(path)} bytes, keys {expected['keys']}")


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(11)
    tutorial = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
    inputs = torch.randn(5, 4)
    save("pytorch-4-3-2", tutorial, inputs)
    save("pytorch-quickstart-4-5-3-2", QuickstartNetwork(), inputs)
    save("pytorch-f64-4-3-2", tutorial.double(), inputs.double())


if __name__ == "__main__":
    main()
