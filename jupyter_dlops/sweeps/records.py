"""The sweep record: one row in ``sweep`` per sweep name, and the queries that resuming
needs (which combinations of this sweep already finished)."""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from dataclasses import asdict, dataclass
from typing import Any

COMBO_TAG = "sweep.combo"
SWEEP_STATUSES = ("running", "finished", "failed", "killed")


@dataclass
class Sweep:
    sweep_id: str
    name: str
    notebook: str
    spec: dict[str, Any]
    created: float
    status: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def combo_key(params: dict[str, Any], salt: str = "") -> str:
    """A canonical text for a combination of parameter values (the resume key, stored as a
    tag). A combination with a secret-looking name is keyed by its BLAKE2 keyed with ``salt``
    (the sweep id) instead: the tag holds no secret, and resuming still recognises the
    combination (issue 14; a redacted text would make every secret combination look new)."""
    from ..capture.redact import is_secret_name

    text = json.dumps(params, sort_keys=True, default=str, separators=(",", ":"))
    if not any(is_secret_name(str(k)) for k in params):
        return text
    return "blake2:" + hashlib.blake2b(text.encode(), key=salt.encode()[:64], digest_size=16).hexdigest()


def default_name(notebook: str, spec: dict[str, Any]) -> str:
    """Same notebook + same spec → same name, so re-running the same command resumes."""
    from pathlib import Path

    digest = hashlib.blake2b(combo_key(spec).encode(), digest_size=4).hexdigest()
    return f"{Path(notebook).stem}-{digest}"


def _row_to_sweep(row: tuple) -> Sweep:
    sweep_id, name, notebook, spec, created, status = row
    return Sweep(sweep_id, name, notebook, json.loads(spec), created, status)


COLUMNS = "sweep_id, name, notebook, spec, created, status"


def get_sweep(store: Any, name_or_id: str) -> Sweep | None:
    row = store.read_one(f"SELECT {COLUMNS} FROM sweep WHERE name = ? OR sweep_id = ?", (name_or_id, name_or_id))
    return _row_to_sweep(row) if row else None


def open_sweep(store: Any, name: str, notebook: str, spec: dict[str, Any]) -> tuple[Sweep, bool]:
    """The sweep called ``name`` (resumed, ``True``) or a new one (``False``)."""
    existing = get_sweep(store, name)
    if existing is not None:
        set_status(store, existing.sweep_id, "running")
        existing.status = "running"
        return existing, True
    sweep = Sweep(uuid.uuid4().hex, name, notebook, spec, time.time(), "running")
    # The values of secret-named parameters are redacted where the row enters the store
    # (store/scrub.py walks JSON documents by name).
    with store.write() as cursor:
        cursor.execute(
            f"INSERT INTO sweep ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",
            (sweep.sweep_id, name, notebook, json.dumps(spec, default=str), sweep.created, "running"),
        )
    return sweep, False


def set_status(store: Any, sweep_id: str, status: str) -> None:
    with store.write() as cursor:
        cursor.execute("UPDATE sweep SET status = ? WHERE sweep_id = ?", (status, sweep_id))


def finished_combos(store: Any, sweep_id: str) -> dict[str, str]:
    """``{combo key: run id}`` of this sweep's finished runs."""
    rows = store.read(
        "SELECT t.value, r.run_id FROM run r JOIN tag t ON t.run_id = r.run_id "
        "WHERE r.sweep_id = ? AND r.status = 'finished' AND t.key = ?",
        (sweep_id, COMBO_TAG),
    )
    return {value: run_id for value, run_id in rows}


def sweep_run_ids(store: Any, sweep_id: str) -> list[str]:
    return [r[0] for r in store.read("SELECT run_id FROM run WHERE sweep_id = ? ORDER BY start_time", (sweep_id,))]


def list_sweeps(store: Any) -> list[dict[str, Any]]:
    """Every sweep with its run counts, newest first (the ``sweeps`` view)."""
    rows = store.read(
        "SELECT sweep_id, name, notebook, spec, created, status, runs, finished, failed "
        "FROM sweeps ORDER BY created DESC"
    )
    keys = ("sweep_id", "name", "notebook", "spec", "created", "status", "runs", "finished", "failed")
    out = []
    for row in rows:
        item = dict(zip(keys, row, strict=True))
        item["spec"] = json.loads(item["spec"])
        out.append(item)
    return out
