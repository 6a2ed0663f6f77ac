"""Ending a run while the store is unreachable, and sending what it kept on the next start.

A script's ``with dl.start_run():`` block may end while the team's PostgreSQL server is down.
The program must go on (issue 14): the run ends locally, and what could not be sent (its final
status, the buffered metric values, the usage and cost sections, the captured logs) goes into a
spool file, ``.dlops/spool/<run id>.json`` at the project root, with one warning. The next run
started in the project against the same store sends it and removes the file.

The spool holds no secret the store would not: logs are redacted before they are kept, and the
store is named by its location, which never carries a password.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from ..config import STORE_DIRNAME, project_root
from ..errors import StoreError


def spool_folder() -> Path:
    """``.dlops/spool`` at the project root (the git root, else the current folder)."""
    return project_root() / STORE_DIRNAME / "spool"


def end_offline(client: Any, run_id: str, status: str, *, error: str | None, error_cell: str | None,
                unsent: dict[str, Any] | None, cause: StoreError) -> Path | None:
    """Keep what ending ``run_id`` could not send; warn once. Never raises: the program goes on."""
    rows = client.buffer.take() if client._buffer is not None else []
    entry = {
        "store": client.store.location, "run_id": run_id, "status": status, "end_time": time.time(),
        "error": error, "error_cell": error_cell, "metrics": [list(row) for row in rows],
        "sections": (unsent or {}).get("sections", {}), "logs": (unsent or {}).get("logs", {}),
    }
    try:
        path = _write(spool_folder(), f"{run_id}.json", entry)
    except (OSError, ValueError) as problem:
        print(f"dlops: the store is unreachable ({cause}) and the run {run_id[:12]} could not be kept "
              f"locally either ({problem}); its end is lost", file=sys.__stderr__)
        return None
    print(f"dlops: the store is unreachable ({cause}); run {run_id[:12]} ended here and its final "
          f"status and {len(rows)} unsent values wait in {path}, sent by the next run started "
          "in this project", file=sys.__stderr__)
    return path


def replay(client: Any) -> list[str]:
    """Send every spooled run end for this client's store; returns the run ids sent. A spool
    that still cannot be sent stays for the next start; nothing here raises."""
    folder = spool_folder()
    try:
        files = sorted(folder.glob("*.json")) if folder.is_dir() else []
    except OSError:
        return []
    sent = []
    for path in files:
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
            if entry.get("store") != client.store.location:
                continue  # another store's: it waits for a run against that store
            _send(client, path, entry)
        except (OSError, ValueError, KeyError, StoreError):
            continue
        sent.append(entry["run_id"])
    return sent


def _send(client: Any, path: Path, entry: dict[str, Any]) -> None:
    """Metrics first (then forgotten in the file, so a retry never doubles them), then the
    sections and logs, then the status: one file, removed once all of it is in."""
    run_id, store = entry["run_id"], client.store
    if entry.get("metrics"):
        store.insert_metrics([tuple(row) for row in entry["metrics"]])
        entry["metrics"] = []
        _write(path.parent, path.name, entry)
    for section, body in (entry.get("sections") or {}).items():
        store.put_section(run_id, section, body)
    for stream, text in (entry.get("logs") or {}).items():
        client.log_bytes(run_id, text.encode("utf-8"), f"logs/{stream}.txt", kind="log")
    entry["sections"], entry["logs"] = {}, {}
    client.set_terminated(run_id, entry["status"], error=entry.get("error"),
                          error_cell=entry.get("error_cell"), end_time=entry["end_time"])
    if entry.get("error") is None:  # the stale-run sweep may have called it killed meanwhile
        store.update_run(run_id, error=None)
    path.unlink(missing_ok=True)


def _write(folder: Path, name: str, entry: dict[str, Any]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{name}.", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(entry, handle)
        os.replace(temp, folder / name)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return folder / name
