"""A tiny, dependency-free training loop: the smallest thing worth tracking.

    python examples/quickstart/train.py --lr 0.05 --epochs 5
    dlops runs
"""

import argparse
import json
import math
import random
from pathlib import Path

import jupyter_dlops as dl


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    random.seed(args.seed)
    xs = [random.uniform(-1, 1) for _ in range(200)]
    ys = [3.0 * x + 0.5 + random.gauss(0, 0.1) for x in xs]
    with dl.start_run(name="quickstart", params=vars(args)) as run:
        w, b = 0.0, 0.0
        for epoch in range(args.epochs):
            for x, y in zip(xs, ys):
                error = w * x + b - y
                w -= args.lr * error * x
                b -= args.lr * error
            loss = sum((w * x + b - y) ** 2 for x, y in zip(xs, ys)) / len(xs)
            dl.log_metrics({"loss": loss, "rmse": math.sqrt(loss)}, step=epoch)
            print(f"epoch {epoch}: loss {loss:.4f}")
        model = Path("quickstart-model.json")
        model.write_text(json.dumps({"w": w, "b": b}))
        run.log_artifact(model, kind="model")
        model.unlink()
        print(f"run {run.run_id} recorded")


if __name__ == "__main__":
    main()
