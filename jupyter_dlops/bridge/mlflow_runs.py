"""What every MLflow reader gives ``dlops import mlflow``: one :class:`SourceRun` a run, and a
metric history parsed from MLflow's ``timestamp value step`` lines (issue 19)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import UsageError
from ..store.base import is_number_text
from ..store.bulk import History

#: MLflow's run statuses, as its FileStore numbers them in ``meta.yaml``.
STATUS_NAMES = {1: "RUNNING", 2: "SCHEDULED", 3: "FINISHED", 4: "FAILED", 5: "KILLED"}


@dataclass
class SourceRun:
    """One MLflow run as a reader found it; times in milliseconds, as MLflow keeps them."""

    run_id: str
    experiment: str
    name: str | None
    status: str
    start_ms: int | None
    end_ms: int | None
    user: str | None
    params: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    metrics: dict[str, History] = field(default_factory=dict)
    #: Given a scratch folder, the local folder holding the run's artifacts (None: it has none).
    artifacts: Callable[[Path], Path | None] | None = None


class LinesJSON(str):
    """A metric file's lines as the JSON text of ``[timestamp, value, step]`` arrays, and the
    lines themselves, read in Python where the database refuses the JSON (``rows()``)."""

    lines: str
    where: str

    def rows(self) -> list[tuple[int, float, int]]:
        return parse_lines(self.lines, self.where)


def history_from_lines(text: str, where: str) -> History:
    """A metric file's lines (``timestamp value step``, MLflow's FileStore) as a history.

    Lines of three numbers, one blank between them, become JSON text as they are (no Python
    number per value: the database unpacks them). Anything else (NaN, infinities, the old
    two-field lines, the five-field lines with a dataset) is read line by line, as MLflow's
    own reader does.
    """
    if _plain_lines(text):
        history = LinesJSON("[[" + text[:-1].replace(" ", ",").replace("\n", "],[") + "]]")
        history.lines, history.where = text, where
        return history
    return parse_lines(text, where)


def _plain_lines(text: str) -> bool:
    # Byte-table passes and counts (C loops), not a regular expression: 30 MB of lines a
    # thousand runs. A number JSON cannot spell ("1.", "01") is left for the database to refuse.
    return (text.endswith("\n") and text[0] != " " and is_number_text(text)
            and text.count(" ") == 2 * text.count("\n") and "  " not in text and " \n" not in text
            and "\n " not in text and "," not in text and "[" not in text and "]" not in text)


def parse_lines(text: str, where: str) -> list[tuple[int, float, int]]:
    """MLflow's metric lines parsed one by one (2, 3 or 5 fields; a missing step is 0)."""
    rows = []
    for number, line in enumerate(text.splitlines(), 1):
        parts = line.split()
        if not parts:
            continue
        try:
            if len(parts) not in (2, 3, 5):
                raise ValueError(f"{len(parts)} fields")
            rows.append((int(parts[0]), float(parts[1]), int(parts[2]) if len(parts) >= 3 else 0))
        except ValueError as error:
            raise UsageError(f"MLflow metric file {where} line {number} is malformed ({error}): "
                             "expected 'timestamp value step'") from None
    return rows


def local_path(uri: str | None, base: Path | None = None) -> Path | None:
    """The local folder an artifact URI names (``file:`` or a plain path; a relative path is
    taken from ``base``), or None for a remote one (``s3://``, ``mlflow-artifacts:``...)."""
    if not uri:
        return None
    if uri.startswith("file:"):
        from urllib.parse import unquote, urlparse

        return Path(unquote(urlparse(uri).path))
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]+:", uri) and not re.match(r"^[A-Za-z]:[\\/]", uri):
        return None
    path = Path(uri).expanduser()
    return path if path.is_absolute() or base is None else base / path


def artifact_reader(uri: str | None, fallback: Path | None = None,
                    base: Path | None = None) -> Callable[[Path], Path | None]:
    """A run's artifacts: read in place from a local folder (or ``fallback``, where an
    ``mlruns`` folder was moved), downloaded with MLflow's artifact client otherwise."""
    def locate(scratch: Path) -> Path | None:
        local = local_path(uri, base)
        if local is not None or not uri:
            for folder in (local, fallback):
                if folder is not None and folder.is_dir():
                    return folder
            return None
        return _download(uri, scratch)

    return locate


def _download(uri: str, scratch: Path) -> Path | None:
    try:
        from mlflow.artifacts import download_artifacts
    except ImportError:
        raise UsageError(f"the artifacts at {uri} need MLflow's client to fetch: pip install "
                         "mlflow-skinny, or import with --no-artifacts") from None
    return Path(download_artifacts(artifact_uri=uri, dst_path=str(scratch)))
