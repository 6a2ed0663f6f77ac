"""Runs side by side: params, metrics, data, environment packages and code, differences marked."""

from __future__ import annotations

import json
from typing import Any

from .output import fmt, table
from .show import data_versions


def _packages(store, run) -> dict[str, str]:
    from ..tracking.runcompare import run_packages

    return run_packages(store, run)


def environment(run) -> dict[str, Any]:
    """What a run ran on, one comparable value per row: Python, platform, the accelerator
    stack (torch/tensorflow/jax build, CUDA, driver), CPU and GPUs."""
    from ..capture.accelerators import describe

    env = run.sections.get("environment") or {}
    hw = run.sections.get("hardware") or {}
    stack = env.get("accelerators")
    return {"python": env.get("python"), "platform": env.get("platform"),
            "accelerators": describe(stack) if isinstance(stack, dict) else None,
            "cpu": hw.get("cpu_model"),
            "gpus": ", ".join(g.get("name", "?") for g in hw.get("gpus") or []) or None}


def data_key(version: dict[str, Any]) -> str:
    """One row per path and direction (``read:data/train.csv``), named versions by name too,
    so that runs in different checkouts line up by their project-relative paths."""
    where = version.get("relative_path") or "-"
    name = version.get("name")
    return f"{version['direction']}:{where}" + (f" ({name})" if name else "")


def _rows(keys, getters) -> list[dict[str, Any]]:
    rows = []
    for key in keys:
        cells = [g(key) for g in getters]
        rows.append({"key": key, "values": cells, "differs": len({json.dumps(c, default=str) for c in cells}) > 1})
    return rows


def compare_runs(store, runs) -> dict[str, Any]:
    param_keys = sorted({k for r in runs for k in r.params})
    metric_keys = sorted({k for r in runs for k in r.metrics if not k.startswith("sys/")})
    packages = [_packages(store, r) for r in runs]
    package_keys = sorted({k for p in packages for k in p})
    data = [{data_key(d): d["id"] for d in data_versions(store, r)} for r in runs]

    def code(run):
        section = run.sections.get("code") or {}
        git = section.get("git") or {}
        return {"commit": git.get("commit"), "dirty": git.get("dirty"), "diff": git.get("diff_object"),
                "entry": section.get("entry_point"), "entry_object": section.get("entry_object")}

    codes = [code(r) for r in runs]
    environments = [environment(r) for r in runs]
    return {
        "runs": [{"run_id": r.run_id, "name": r.name, "status": r.status} for r in runs],
        "params": _rows(param_keys, [lambda k, r=r: r.params.get(k) for r in runs]),
        "metrics": _rows(metric_keys, [lambda k, r=r: (r.metrics[k].last if k in r.metrics else None) for r in runs]),
        "data": _rows(sorted({k for d in data for k in d}), [lambda k, d=d: d.get(k) for d in data]),
        "packages": [row for row in _rows(package_keys, [lambda k, p=p: p.get(k) for p in packages]) if row["differs"]],
        "environment": _rows(list(environments[0]), [lambda k, e=e: e.get(k) for e in environments]),
        "code": _rows(["commit", "dirty", "diff", "entry", "entry_object"], [lambda k, c=c: c.get(k) for c in codes]),
    }


def render_comparison(comparison: dict[str, Any]) -> str:
    names = [f"{r['run_id'][:8]} {r['name']}" for r in comparison["runs"]]
    out = []
    for section in ("params", "metrics", "data", "environment", "packages", "code"):
        rows = comparison[section]
        if not rows:
            if section == "packages":
                out.append("\npackages: identical")
            continue
        cells = [["*" if row["differs"] else " ", row["key"], *[_short(v) for v in row["values"]]] for row in rows]
        out.append(f"\n{section}" + (" (only those that differ)" if section == "packages" else ""))
        out.append(table(["", "key", *names], cells, [row["differs"] for row in rows]))
    out.append("\n* marks a row whose values differ")
    return "\n".join(out).lstrip("\n")


def _short(value: Any) -> str:
    text = fmt(value)
    return text[:12] if isinstance(value, str) and len(value) == 64 else text
