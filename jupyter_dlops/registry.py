"""Models: ``dl.log_model`` stores a model (a file, a folder, a torch module or ``state_dict``,
a Keras model, a Hugging Face model) as a content-addressed version of a named model, with its
framework, version, parameter count and the run it came from; ``dl.load_model("NAME@VERSION")``
gives it back. Saving unchanged bytes again returns the existing version (deduplicated)."""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from .errors import NotFoundError, UsageError
from .models import Artifact

FLAVORS = ("file", "torch", "lightning", "keras", "transformers")


def log_model(obj_or_path: Any, name: str, flavor: str | None = None, *, run: Any = None,
              signature: dict | None = None) -> dict[str, Any]:
    """Store a model version of ``name`` in the active run (or ``run``).

    Parameters
    ----------
    obj_or_path
        A checkpoint file or folder, or a torch module / ``state_dict``, a Keras model, or a
        Hugging Face model (saved with its own ``save``/``save_pretrained``).
    name
        The model's name; versions count up from 1 per name.
    flavor
        ``file``, ``torch``, ``lightning``, ``keras``, ``transformers`` (default: guessed).
    signature
        Inputs and outputs, when the framework does not expose them.

    Returns
    -------
    dict
        The version's record (``name``, ``version``, ``content_id``...).

    Raises
    ------
    UsageError
        For an empty name or an unknown flavor.
    """
    from .integrations.common import current_run

    if not isinstance(name, str) or not name or "@" in name:
        raise UsageError(f"log_model: name must be a non-empty string without '@', got {name!r}")
    flavor = flavor or _guess_flavor(obj_or_path)
    if flavor not in FLAVORS:
        raise UsageError(f"log_model: unknown flavor {flavor!r}; choose from {', '.join(FLAVORS)}")
    run = run or current_run()
    with tempfile.TemporaryDirectory(prefix="dlops-model-") as folder:
        path = _as_path(obj_or_path, flavor, Path(folder))
        meta = describe(obj_or_path, flavor)
        if signature is not None:
            meta["signature"] = json.dumps(signature, sort_keys=True, default=str)
        return register(run, path, name, flavor, meta)


def register(run: Any, path: str | os.PathLike[str], name: str, flavor: str,
             meta: dict | None = None) -> dict[str, Any]:
    """Record the file or folder ``path`` as a version of ``name`` (the existing one if the
    same content was recorded before)."""
    store = run.store
    files = _store_files(store, Path(path))
    content_id = _content_id(files)
    prefix = f"models/{name}/{content_id[:12]}/{Path(path).name}"
    for relative, object_id, size in files:  # artifacts keep the objects from gc
        target = prefix if relative == "." else f"{prefix}/{relative}"
        store.add_artifact(run.run_id, Artifact(target, object_id, size, "model", time.time()))
    existing = _row(store, "name = ? AND content_id = ?", (name, content_id))
    if existing is not None:
        return existing
    meta = meta or {}
    with store.write() as cursor:
        cursor.execute("SELECT COALESCE(MAX(version), 0) FROM model_version WHERE name = ?", (name,))
        version = int(cursor.fetchone()[0]) + 1
        cursor.execute(
            "INSERT INTO model_version (name, version, content_id, path, run_id, flavor, "
            "framework_version, parameters, signature, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (name, version, content_id, prefix, run.run_id, flavor,
             meta.get("framework_version"), meta.get("parameters"), meta.get("signature"), time.time()))
    return _row(store, "name = ? AND version = ?", (name, version))  # type: ignore[return-value]


def _store_files(store: Any, path: Path) -> list[tuple[str, str, int]]:
    """(relative path, object id, size) of the file or of every file under the folder."""
    from .tracking import filewatch

    files = [(path, ".")] if path.is_file() else [
        (f, f.relative_to(path).as_posix()) for f in sorted(path.rglob("*")) if f.is_file()]
    with filewatch.paused():  # storing the model is not the user's code reading it
        return [(rel, store.objects.put_file(f), f.stat().st_size) for f, rel in files]


def _content_id(files: list[tuple[str, str, int]]) -> str:
    import blake3

    digest = blake3.blake3()
    for relative, object_id, _ in sorted(files):
        digest.update(f"{relative}\t{object_id}\n".encode())
    return digest.hexdigest()


COLUMNS = ("name", "version", "content_id", "path", "run_id", "flavor", "framework_version",
           "parameters", "signature", "created")


def _row(store: Any, where: str, params: tuple) -> dict[str, Any] | None:
    row = store.read_one(f"SELECT {', '.join(COLUMNS)} FROM model_version WHERE {where}", params)
    return dict(zip(COLUMNS, row, strict=True)) if row else None


def resolve(store: Any, ref: str) -> dict[str, Any]:
    """The version ``NAME``, ``NAME@3`` or ``NAME@alias`` names (``NAME`` alone: the latest)."""
    name, _, tag = ref.partition("@")
    if tag.isdigit():
        found = _row(store, "name = ? AND version = ?", (name, int(tag)))
    elif tag:
        alias = store.read_one("SELECT version FROM model_alias WHERE name = ? AND alias = ?", (name, tag))
        found = _row(store, "name = ? AND version = ?", (name, alias[0])) if alias else None
    else:
        found = _row(store, "name = ? ORDER BY version DESC LIMIT 1", (name,))
    if found is None:
        raise NotFoundError(f"model {ref!r} is not in the store; list them with `dlops models`")
    return found


def set_alias(store: Any, ref: str, alias: str) -> dict[str, Any]:
    """Point ``NAME@alias`` at the version ``ref`` names."""
    if not alias or alias.isdigit() or "@" in alias:
        raise UsageError(f"alias must be a word such as 'best' or 'production', got {alias!r}")
    found = resolve(store, ref)
    with store.write() as cursor:
        cursor.execute("INSERT INTO model_alias (name, alias, version) VALUES (?, ?, ?) ON CONFLICT "
                       "(name, alias) DO UPDATE SET version = excluded.version",
                       (found["name"], alias, found["version"]))
    return found


def load_model(ref: str, *, load: bool = False, store: Any = None) -> Any:
    """The model ``NAME[@VERSION|@alias]``: a local path to its file or folder, or with
    ``load=True`` the loaded object for the ``torch`` and ``keras`` flavors."""
    from .tracking.fluent import client_for

    store = client_for(store).store
    found = resolve(store, ref)
    target = Path(tempfile.gettempdir()) / "dlops-models" / found["content_id"][:32]
    prefix = found["path"]
    rows = store.read("SELECT path, object_id FROM artifacts WHERE run_id = ? AND kind = 'model' "
                      "AND (path = ? OR path LIKE ?)", (found["run_id"], prefix, prefix + "/%"))
    for path, object_id in rows:
        destination = target / Path(path).relative_to(Path(prefix).parent)
        if not destination.exists():
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(store.objects.read_bytes(object_id))  # objects may be compressed
    local = target / Path(prefix).name
    if not load:
        return local
    if found["flavor"] in ("torch", "lightning"):
        import torch

        return torch.load(local, weights_only=found["flavor"] == "torch")
    if found["flavor"] == "keras":
        import keras

        return keras.saving.load_model(local)
    raise UsageError(f"load_model: flavor {found['flavor']!r} loads from its path; call without load=True")


def _guess_flavor(obj: Any) -> str:
    if isinstance(obj, (str, os.PathLike)):
        return "file"
    module = type(obj).__module__.split(".")[0]
    if hasattr(obj, "save_pretrained"):
        return "transformers"
    if module == "keras" or hasattr(obj, "count_params"):
        return "keras"
    return "torch"


def _as_path(obj: Any, flavor: str, folder: Path) -> Path:
    if isinstance(obj, (str, os.PathLike)):
        if not Path(obj).exists():
            raise NotFoundError(f"log_model: {obj} does not exist; save the model first")
        return Path(obj)
    if flavor == "transformers":
        obj.save_pretrained(folder / "model")
        return folder / "model"
    if flavor == "keras":
        obj.save(folder / "model.keras")
        return folder / "model.keras"
    import torch

    state = obj.state_dict() if hasattr(obj, "state_dict") else obj
    torch.save(state, folder / "model.pt")
    return folder / "model.pt"


def describe(obj: Any, flavor: str) -> dict[str, Any]:
    """Framework version and parameter count where the object tells them."""
    framework = {"file": None, "lightning": "lightning"}.get(flavor, flavor)
    meta: dict[str, Any] = {}
    module = sys.modules.get(framework or "")
    if module is not None:
        meta["framework_version"] = f"{framework} {getattr(module, '__version__', '?')}"
    if hasattr(obj, "count_params"):
        meta["parameters"] = int(obj.count_params())
    elif hasattr(obj, "parameters") and callable(obj.parameters):
        meta["parameters"] = sum(p.numel() for p in obj.parameters())
    elif isinstance(obj, dict) and all(hasattr(v, "numel") for v in obj.values()):
        meta["parameters"] = sum(v.numel() for v in obj.values())
    return meta
