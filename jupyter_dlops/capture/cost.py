"""Cost of a run: duration × an hourly rate chosen by hardware profile, and GPU-hours.

Rates come from ``DLOPS_COST_RATES`` (JSON, e.g. ``{"cpu": 0.1, "gpu:NVIDIA H100 80GB HBM3": 3.2}``),
looked up by the exact profile, then ``gpu`` for any GPU profile, then ``default``.
"""

from __future__ import annotations

import json
import os
from typing import Any

DEFAULT_RATES = {"cpu": 0.10, "gpu": 2.50}


def rates() -> dict[str, float]:
    merged = dict(DEFAULT_RATES)
    raw = os.environ.get("DLOPS_COST_RATES", "").strip()
    if raw:
        try:
            merged.update({str(k): float(v) for k, v in json.loads(raw).items()})
        except (ValueError, TypeError, AttributeError):
            pass  # a malformed setting must not fail the run; the defaults apply
    return merged


def hourly_rate(profile: str, table: dict[str, float] | None = None) -> float:
    table = rates() if table is None else table
    if profile in table:
        return table[profile]
    if profile.startswith("gpu:") and "gpu" in table:
        return table["gpu"]
    return table.get("default", table.get("cpu", 0.0))


def compute_cost(duration_s: float, hardware: dict[str, Any] | None) -> dict[str, Any]:
    hardware = hardware or {}
    profile = hardware.get("profile", "cpu")
    rate = hourly_rate(profile)
    hours = max(0.0, duration_s) / 3600
    return {
        "profile": profile,
        "hourly_rate": rate,
        "hours": round(hours, 6),
        "cost": round(hours * rate, 6),
        "gpu_hours": round(hours * int(hardware.get("gpu_count") or 0), 6),
    }
