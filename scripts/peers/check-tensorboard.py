#!/usr/bin/env python3
"""Reads an mnist-tui TensorBoard folder with TensorBoard's own EventAccumulator and prints the scalars.

Not run by CI: needs `pip install tensorboard`.

    scripts/peers/check-tensorboard.py DIR [--expect-run]

Prints every scalar tag with its (step, value) pairs. Fails unless TensorBoard finds scalars and
every value it reads is finite. With --expect-run it also checks the folder the Swift test
TensorBoardTests.runForTheTensorBoardPeer leaves with MNIST_TUI_PEER_OUT=OUT (in OUT/tensorboard):
3 epochs of 10 batches, batch loss 2.3/step, test accuracy 0.89 + epoch/100, lr 0.2.
"""
import math, sys

from tensorboard.backend.event_processing.event_accumulator import EventAccumulator


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if len(args) != 1:
        raise SystemExit(__doc__.splitlines()[4].strip())
    acc = EventAccumulator(args[0], size_guidance={"scalars": 0})
    acc.Reload()
    tags = sorted(acc.Tags()["scalars"])
    if not tags:
        raise SystemExit(f"{args[0]}: TensorBoard found no scalars")
    series = {}
    for tag in tags:
        events = acc.Scalars(tag)
        series[tag] = [(e.step, e.value) for e in events]
        shown = ", ".join(f"{s}:{v:.6g}" for s, v in series[tag][:12])
        more = f" ... ({len(events)} points)" if len(events) > 12 else ""
        print(f"{tag:18} {shown}{more}")
        if not all(math.isfinite(v) for _, v in series[tag]):
            raise SystemExit(f"{tag}: non-finite value")
    if "--expect-run" in sys.argv:
        want = {
            "train/batch_loss": [(s, 2.3 / s) for s in range(1, 31)],
            "test/accuracy": [(10 * e, 0.89 + e / 100) for e in (1, 2, 3)],
            "train/loss": [(10 * e, 1 / e) for e in (1, 2, 3)],
            "lr": [(10 * e, 0.2) for e in (1, 2, 3)],
        }
        assert tags == ["lr", "test/accuracy", "test/loss", "train/accuracy", "train/batch_loss", "train/loss"], tags
        for tag, points in want.items():
            got = series[tag]
            assert [s for s, _ in got] == [s for s, _ in points], (tag, got)
            assert all(abs(v - w) <= 1e-6 * max(1, abs(w)) for (_, v), (_, w) in zip(got, points)), (tag, got)
        print("OK: TensorBoard reads every scalar with the right step and value")


if __name__ == "__main__":
    main()
