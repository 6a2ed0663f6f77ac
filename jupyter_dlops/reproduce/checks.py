"""What ``dlops reproduce`` checks before and after running: the environment against the
recorded one, the data versions by hash, and the new results against the old."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

# Never equal run to run: timings and timestamps (notebook, log), object addresses in the values
# a script showed (output; `dlops export --verify` compares those, addresses aside).
IGNORED_ARTIFACT_KINDS = ("notebook", "log", "output")


def _split(spec: str) -> tuple[str, str]:
    name, _, version = spec.partition("==")
    return name.lower(), version


def environment_diff(environment: dict[str, Any] | None, objects: Any) -> dict[str, Any]:
    """``{"added": [...], "removed": [...], "changed": [(name, old, new)], "python": (old, new)}``."""
    import platform

    from ..capture.environment import installed_distributions

    if not environment or not environment.get("packages_object"):
        return {"error": "the run's record has no package list"}
    object_id = environment["packages_object"]
    if not objects.exists(object_id):
        return {"error": f"the recorded package list (object {object_id[:12]}) is missing"}
    old = dict(_split(p) for p in json.loads(objects.read_bytes(object_id)))
    new = dict(_split(p) for p in installed_distributions())
    return {
        **_accelerators(environment.get("accelerators")),
        "added": sorted(f"{n}=={new[n]}" for n in set(new) - set(old)),
        "removed": sorted(f"{n}=={old[n]}" for n in set(old) - set(new)),
        "changed": sorted((n, old[n], new[n]) for n in set(old) & set(new) if old[n] != new[n]),
        "python": (environment.get("python"), platform.python_version()),
    }


def _accelerators(recorded: Any) -> dict[str, Any]:
    """``{"accelerators": (old, new)}`` when the accelerator stack changed (a CPU wheel of
    torch where a CUDA one ran, another driver), else nothing."""
    from ..capture.accelerators import accelerator_stack, describe

    if not isinstance(recorded, dict):
        return {}
    old, new = describe(recorded), describe(accelerator_stack())
    return {"accelerators": (old, new)} if old != new else {}


def data_check(run: Any, store: Any) -> dict[str, Any]:
    """Verify by hash every data version the run read (``dl.log_input``, tracked cells).

    Files of the environment that versions before issue 15 recorded as data (a package's
    ``entry_points.txt``, a font cache) are not checked here: a package upgrade is an
    environment change, which :func:`environment_diff` reports.
    """
    try:
        from ..data import verify
        from ..data.runs import run_data, versions_for_run
    except ImportError:
        return {"checked": False, "reason": "data versions are not available in this install", "changed": []}
    shown = {v["id"] for v in run_data(store, run)}
    reads = [v for v in versions_for_run(store, run.run_id) if v["direction"] == "read"]
    versions = [v["id"] for v in reads if v["id"] in shown]
    changed: list[str] = []
    for version in versions:
        result = verify(version, store=store)
        for key in ("changed", "appeared", "vanished"):
            changed.extend(f"{item['path']} ({key}, version {version[:12]})" for item in result.get(key, []))
    skipped = sorted({v["path"] for v in reads if v["id"] not in shown})
    return {"checked": True, "versions": versions, "changed": changed, "environment_files": skipped}


@dataclass
class MetricRow:
    key: str
    old: float | None
    new: float | None
    ok: bool

    @property
    def diff(self) -> float | None:
        if self.old is None or self.new is None:
            return None
        return self.new - self.old


def compare_metrics(old: Any, new: Any, rtol: float, atol: float) -> list[MetricRow]:
    keys = sorted(k for k in set(old.metrics) | set(new.metrics) if not k.startswith("sys/"))
    rows = []
    for key in keys:
        a = old.metrics[key].last if key in old.metrics else None
        b = new.metrics[key].last if key in new.metrics else None
        same = a is not None and b is not None and math.isclose(a, b, rel_tol=rtol, abs_tol=atol)
        rows.append(MetricRow(key, a, b, same or (a is None and b is None)))
    return rows


def compare_artifacts(old: Any, new: Any) -> list[tuple[str, str | None, str | None]]:
    """Output files whose content hash differs: ``(path, old id, new id)``."""
    def hashes(run: Any) -> dict[str, str]:
        return {a.path: a.object_id for a in run.artifacts if a.kind not in IGNORED_ARTIFACT_KINDS}

    a, b = hashes(old), hashes(new)
    return [(p, a.get(p), b.get(p)) for p in sorted(set(a) | set(b)) if a.get(p) != b.get(p)]
