"""Metric curves of several runs in one PNG (matplotlib, loaded only here)."""

from __future__ import annotations

from ..errors import UsageError

CURVE_POINTS = 2000  # a PNG 800 pixels wide shows no more; read from the index (issue 20)


def plot_metrics(store, runs, path: str, keys: list[str] | None = None) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise UsageError("--plot needs matplotlib; pip install matplotlib") from None
    if not path.lower().endswith(".png"):
        raise UsageError(f"--plot writes a PNG; give a file name ending in .png, not {path}")
    wanted = keys or sorted({k for r in runs for k in r.metrics if not k.startswith("sys/")})
    if not wanted:
        raise UsageError("these runs logged no metrics to plot")
    figure, axes = plt.subplots(len(wanted), 1, figsize=(8, 3 * len(wanted)), squeeze=False)
    for axis, key in zip(axes[:, 0], wanted, strict=False):
        for run in runs:
            series = store.metric_series(run.run_id, key, max_points=CURVE_POINTS).get(key, [])
            if series:
                axis.plot([s[0] for s in series], [s[1] for s in series], label=f"{run.name} ({run.run_id[:6]})")
        axis.set_title(key)
        axis.set_xlabel("step")
        axis.legend(fontsize="small")
    figure.tight_layout()
    try:
        figure.savefig(path, dpi=100)
    except OSError as error:
        raise UsageError(f"cannot write {path}: {error.strerror}") from None
    finally:
        plt.close(figure)
