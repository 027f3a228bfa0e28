#!/usr/bin/env python3
"""Trains the tutorial's model with PyTorch and saves it as safetensors, for `mnist-tui evaluate`.

Not run by CI: needs `pip install torch safetensors`. The tutorial's nn.Sequential (784-512-256-10,
ReLU, weights N(0, 0.01)), CrossEntropyLoss, SGD lr 0.2, batch 256 shuffled, pixels / 255; saved
with `safetensors.torch.save_file(model.state_dict(), FILE)`. Prints PyTorch's own test accuracy,
which `mnist-tui evaluate FILE --headless` must print too:

    scripts/peers/train-and-save-pytorch.py --data assets/mnist --epochs 1 pytorch.safetensors
    .build/debug/mnist-tui evaluate pytorch.safetensors --headless

The IDX reading is the numpy peer's (../shared/reference beside the checkout; MNIST_TUI_REFERENCE=DIR
elsewhere, e.g. from a worktree), as in pytorch_tutorial.py.
"""
import argparse, os, sys

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from safetensors.torch import save_file

REFERENCE = os.environ.get("MNIST_TUI_REFERENCE") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "reference")
sys.path.insert(0, REFERENCE)
from mlp_numpy import find, read_idx  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file", help="where to save the model (.safetensors)")
    ap.add_argument("--data", required=True, help="folder with the four MNIST IDX files")
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)

    def load(images, labels):
        x = read_idx(find(a.data, images)).reshape(-1, 784).astype(np.float32) / 255.0
        y = read_idx(find(a.data, labels)).astype(np.int64)
        return torch.from_numpy(x), torch.from_numpy(y)

    xtr, ytr = load("train-images-idx3-ubyte", "train-labels-idx1-ubyte")
    xte, yte = load("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
    model = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU(), nn.Linear(256, 10))
    for layer in model:
        if isinstance(layer, nn.Linear):
            nn.init.normal_(layer.weight, std=0.01)
    loader = DataLoader(TensorDataset(xtr, ytr), batch_size=256, shuffle=True)
    loss_fn = nn.CrossEntropyLoss()
    opt = torch.optim.SGD(model.parameters(), lr=0.2)
    for epoch in range(1, a.epochs + 1):
        model.train()
        for x, y in loader:
            loss = loss_fn(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
    model.eval()
    with torch.no_grad():
        predicted = model(xte).argmax(1)
    accuracy = (predicted == yte).float().mean().item()
    save_file(model.state_dict(), a.file)
    print(f"saved {a.file} ({a.epochs} epoch{'s' if a.epochs != 1 else ''} of PyTorch SGD)")
    print(f"PyTorch test accuracy: {100 * accuracy:.2f}%")


if __name__ == "__main__":
    main()
