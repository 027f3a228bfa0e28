#!/usr/bin/env python3
"""The PyTorch tutorial that issue 2 states as mnist-tui's contract, for accuracy comparisons.

Not product code and not run by CI: it needs torch (a CPU build: `pip install torch`), which the
product does not. scripts/accuracy-seeds.sh runs it beside mnist-tui for the same seeds.

784-512-256-10 MLP with ReLU, logits out; weights N(0, 0.01) (--init normal, the tutorial's) or
nn.Linear's own initialisation (--init default); biases nn.Linear's default; CrossEntropyLoss (mean);
plain SGD lr 0.2; DataLoader batch 256, shuffled every epoch, last partial batch kept; pixels / 255.
torch.manual_seed(--seed). Prints one JSON object per epoch, in the shape of mnist-tui --metrics
epoch objects (train_loss, test_accuracy in [0, 1], train_seconds).
"""
import argparse, json, os, sys, time

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

# The IDX reading is the numpy peer's (the same files, read the same way): ../shared/reference beside
# the checkout, where mnist-tui-bench finds mlp_numpy.py too.
REFERENCE = os.environ.get("MNIST_TUI_REFERENCE") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "reference")
if not os.path.exists(os.path.join(REFERENCE, "mlp_numpy.py")):
    raise SystemExit(f"pytorch_tutorial: needs mlp_numpy.py in {os.path.normpath(REFERENCE)}")
sys.path.insert(0, REFERENCE)
from mlp_numpy import find, read_idx  # noqa: E402


def load_mnist(data):
    """(train images, train labels, test images, test labels) as tensors; pixels / 255."""
    def load(images, labels):
        x = read_idx(find(data, images)).reshape(-1, 784).astype(np.float32) / 255.0
        y = read_idx(find(data, labels)).astype(np.int64)
        return torch.from_numpy(x), torch.from_numpy(y)

    return (*load("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
            *load("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"))


def tutorial_model(init="normal"):
    """The tutorial's nn.Sequential; weights N(0, 0.01) with init "normal"."""
    net = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU(), nn.Linear(256, 10))
    if init == "normal":
        for layer in net:
            if isinstance(layer, nn.Linear):
                nn.init.normal_(layer.weight, std=0.01)
    return net


def train_epoch(net, loader, opt, loss_fn):
    """One pass over `loader`; returns the summed loss (times batch sizes)."""
    total = 0.0
    net.train()
    for x, y in loader:
        loss = loss_fn(net(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        total += loss.item() * len(y)
    return total


def test_accuracy(net, xte, yte):
    net.eval()
    with torch.no_grad():
        return float((net(xte).argmax(1) == yte).float().mean())


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", required=True, help="folder with the four MNIST IDX files")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--init", choices=("normal", "default"), default="normal")
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)

    xtr, ytr, xte, yte = load_mnist(a.data)
    net = tutorial_model(a.init)
    loader = DataLoader(TensorDataset(xtr, ytr), batch_size=256, shuffle=True)
    loss_fn = nn.CrossEntropyLoss()
    opt = torch.optim.SGD(net.parameters(), lr=0.2)
    for epoch in range(1, a.epochs + 1):
        start = time.perf_counter()
        total = train_epoch(net, loader, opt, loss_fn)
        seconds = time.perf_counter() - start
        accuracy = test_accuracy(net, xte, yte)
        print(json.dumps({"type": "epoch", "epoch": epoch, "train_loss": total / len(ytr),
                          "test_accuracy": accuracy, "train_seconds": seconds}), flush=True)


if __name__ == "__main__":
    main()
