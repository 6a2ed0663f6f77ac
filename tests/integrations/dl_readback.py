"""Reading back what an integration recorded (through the store's own SQL)."""

from __future__ import annotations


def only_run(store) -> str:
    (run_id,), = store.read("SELECT run_id FROM runs")
    return run_id


def params(store, run_id: str) -> dict:
    return dict(store.read("SELECT key, value FROM params WHERE run_id = ?", (run_id,)))


def steps(store, run_id: str, key: str) -> list[int]:
    return [s for (s,) in store.read("SELECT step FROM metrics WHERE run_id = ? AND key = ? "
                                     "ORDER BY step", (run_id, key))]


def values(store, run_id: str, key: str) -> list[float]:
    return [v for (v,) in store.read("SELECT value FROM metrics WHERE run_id = ? AND key = ? "
                                     "ORDER BY step", (run_id, key))]


def artifacts(store, run_id: str, kind: str) -> list[str]:
    return sorted(p for (p,) in store.read("SELECT path FROM artifacts WHERE run_id = ? AND kind = ?",
                                           (run_id, kind)))
