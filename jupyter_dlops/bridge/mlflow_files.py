"""Reading an MLflow ``mlruns`` folder directly, in the layout MLflow's FileStore writes
(issue 19): ``<experiment>/meta.yaml``, and per run ``meta.yaml``, ``params/``, ``tags/``,
``metrics/`` (lines ``timestamp value step``) and ``artifacts/``. Deleted experiments are in
``.trash``; keys with ``/`` are nested folders.

MLflow's own client finds each run's folder by listing the experiment's folder again, several
times a run, and builds an object per metric value: over 1,000 runs that is most of an
import's time. Here each folder is listed once and a metric file is read as one string.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

from ..errors import UsageError
from .mlflow_runs import STATUS_NAMES, SourceRun, artifact_reader, history_from_lines

#: Folders of an experiment that are not runs (MLflow's RESERVED_EXPERIMENT_FOLDERS).
RESERVED = {"tags", "datasets", "traces", "models"}


def is_mlruns(folder: Path) -> bool:
    """Whether ``folder`` looks like an MLflow FileStore root (some experiment's meta.yaml)."""
    return folder.is_dir() and any((child / "meta.yaml").is_file() for child in _experiment_dirs(folder))


def read_mlruns(root: Path) -> Iterator[SourceRun]:
    """Every run of every experiment (active and deleted) under ``root``, in folder order."""
    for folder in _experiment_dirs(root):
        meta = _yaml(folder / "meta.yaml")
        if not meta or "name" not in meta:
            continue
        experiment_id = str(meta.get("experiment_id", folder.name))
        with os.scandir(folder) as entries:
            runs = sorted(e.name for e in entries if e.is_dir() and e.name not in RESERVED)
        for name in runs:
            run = _read_run(folder / name, str(meta["name"]), experiment_id)
            if run is not None:
                yield run


def _experiment_dirs(root: Path) -> list[Path]:
    trash = root / ".trash"
    folders = [p for p in sorted(root.iterdir()) if p.is_dir() and p.name not in (".trash", "models")]
    if trash.is_dir():
        folders += [p for p in sorted(trash.iterdir()) if p.is_dir()]
    return folders


def _read_run(folder: Path, experiment: str, experiment_id: str) -> SourceRun | None:
    meta = _yaml(folder / "meta.yaml")
    # As MLflow: a folder without meta.yaml is not a run; one that names another experiment
    # or another run id is ignored.
    if not meta or str(meta.get("experiment_id")) != experiment_id:
        return None
    run_id = meta.get("run_id") or meta.get("run_uuid")
    if run_id != folder.name:
        return None
    tags = _texts(folder / "tags")
    status = meta.get("status", 1)
    return SourceRun(
        run_id=run_id, experiment=experiment,
        name=meta.get("run_name") or tags.get("mlflow.runName"),
        status=STATUS_NAMES.get(status, str(status)) if isinstance(status, int) else str(status),
        start_ms=meta.get("start_time"), end_ms=meta.get("end_time"), user=meta.get("user_id"),
        params=_texts(folder / "params"), tags=tags,
        metrics={key: history_from_lines(text, f"{folder.name}/metrics/{key}")
                 for key, text in _texts(folder / "metrics").items()},
        artifacts=artifact_reader(meta.get("artifact_uri"), fallback=folder / "artifacts"),
    )


def _texts(folder: Path) -> dict[str, str]:
    """``{key: file content}`` for every file under ``folder`` (nested folders: ``a/b``)."""
    found: dict[str, str] = {}
    if not folder.is_dir():
        return found
    for parent, _, files in os.walk(folder):
        prefix = os.path.relpath(parent, folder).replace(os.sep, "/")
        for name in files:
            key = name if prefix == "." else f"{prefix}/{name}"
            with open(os.path.join(parent, name), encoding="utf-8") as handle:
                found[key] = handle.read()
    return found


def _yaml(path: Path) -> dict | None:
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except FileNotFoundError:
        return None
    flat = _flat_yaml(text)
    return flat if flat is not None else _full_yaml(path, text)


def _flat_yaml(text: str) -> dict | None:
    """MLflow's meta.yaml, one ``key: value`` a line, read without a YAML parser (a thousand
    runs' files cost a second through PyYAML); None for anything but integers, null, ``[]``
    and plain or single-quoted strings, which PyYAML then reads."""
    document: dict = {}
    for line in text.splitlines():
        key, sep, value = line.partition(": ")
        if not sep or not key or key[0] in " #-?" or ":" in key:
            return None
        if value in ("null", "~", ""):
            document[key] = None
        elif value == "[]":
            document[key] = []
        elif _INTEGER.fullmatch(value):
            document[key] = int(value)
        elif len(value) > 1 and value[0] == value[-1] == "'" and "'" not in value[1:-1].replace("''", ""):
            document[key] = value[1:-1].replace("''", "'")
        elif _PLAIN.fullmatch(value) and not _OTHER_SCALAR.fullmatch(value):
            document[key] = value
        else:
            return None
    return document


# A plain scalar PyYAML reads as a string: no indicator first, no ": " or " #" inside...
_PLAIN = re.compile(r"[^\s\-?:,\[\]{}#&*!|>'\"%@`][^\n]*(?<!\s)")
_INTEGER = re.compile(r"[-+]?(?:0|[1-9][0-9_]*)")
# ...unless it resolves to another type (floats, booleans, octal, sexagesimal, timestamps).
_OTHER_SCALAR = re.compile(r"(?i:[-+]?(?:\.?[0-9][0-9_.:eE+-]*|\.inf|\.nan)|y|n|yes|no|true|false|on|off|null|"
                           r"[0-9]{4}-[0-9][0-9]?-[0-9][0-9]?.*)|.*(?:: | #).*")


def _full_yaml(path: Path, text: str) -> dict | None:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # SafeLoader: PyYAML without libyaml
    try:
        document = yaml.load(text, Loader=loader)  # noqa: S506 (a safe loader)
    except yaml.YAMLError as error:
        raise UsageError(f"{path} is not MLflow's meta.yaml ({str(error).splitlines()[0]})") from None
    return document if isinstance(document, dict) else None
