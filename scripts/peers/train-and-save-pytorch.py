#!/usr/bin/env python3
"""Trains the tutorial's model with PyTorch and saves it as safetensors, for `mnist-tui evaluate`.

Not run by CI: needs `pip install torch safetensors`. The tutorial exactly as pytorch_tutorial.py
runs it (784-512-256-10, ReLU, weights N(0, 0.01), CrossEntropyLoss, SGD lr 0.2, batch 256
shuffled, pixels / 255), then `safetensors.torch.save_file(model.state_dict(), FILE)`. Prints
PyTorch's own test accuracy, which `mnist-tui evaluate FILE --headless` must print too:

    scripts/peers/train-and-save-pytorch.py --data assets/mnist --epochs 1 pytorch.safetensors
    .build/debug/mnist-tui evaluate pytorch.safetensors --headless

MNIST_TUI_REFERENCE=DIR says where mlp_numpy.py is when not in ../shared/reference (a worktree).
"""
import argparse, os, sys

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from safetensors.torch import save_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pytorch_tutorial import load_mnist, test_accuracy, train_epoch, tutorial_model  # noqa: E402


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

    xtr, ytr, xte, yte = load_mnist(a.data)
    model = tutorial_model("normal")
    loader = DataLoader(TensorDataset(xtr, ytr), batch_size=256, shuffle=True)
    opt = torch.optim.SGD(model.parameters(), lr=0.2)
    for _ in range(a.epochs):
        train_epoch(model, loader, opt, nn.CrossEntropyLoss())
    accuracy = test_accuracy(model, xte, yte)
    save_file(model.state_dict(), a.file)
    print(f"saved {a.file} ({a.epochs} epoch{'s' if a.epochs != 1 else ''} of PyTorch SGD)")
    print(f"PyTorch test accuracy: {100 * accuracy:.2f}%")


if __name__ == "__main__":
    main()
