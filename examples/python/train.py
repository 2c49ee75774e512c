#!/usr/bin/env python3
"""A training loop that reports progress to runboard with plain prints: no library needed.

Each `##runboard {json}` line on stdout (or stderr) updates the run's progress, ETA and
metrics. Python's json.dumps writes NaN as `NaN`; runboard accepts it and stores null.

    python3 examples/python/train.py --epochs 5
"""
import argparse
import json
import math
import time


def report(**fields):
    print("##runboard " + json.dumps(fields), flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--epoch-seconds", type=float, default=1.0)
    args = parser.parse_args()

    loss = 1.8
    for epoch in range(1, args.epochs + 1):
        time.sleep(args.epoch_seconds)
        loss *= 0.7
        accuracy = 1 - math.exp(-epoch / 2)
        print(f"epoch {epoch}: loss {loss:.3f} accuracy {accuracy:.3f}", flush=True)
        report(current=epoch, total=args.epochs, unit="epoch",
               metrics={"loss": loss, "accuracy": accuracy})


if __name__ == "__main__":
    main()
