"""stdout and stderr of a script run, teed to a file while they still reach the terminal."""

from __future__ import annotations

import io
import sys
import threading
from pathlib import Path
from typing import TextIO


class Tee(io.TextIOBase):
    """Writes to the original stream and to a log file; never fails the user's print."""

    def __init__(self, original: TextIO, log: TextIO) -> None:
        self.original, self.log = original, log
        self._lock = threading.Lock()

    def write(self, text: str) -> int:
        written = self.original.write(text)
        with self._lock:
            try:
                self.log.write(text)
            except (OSError, ValueError):
                pass
        return written

    def flush(self) -> None:
        self.original.flush()
        try:
            self.log.flush()
        except (OSError, ValueError):
            pass

    def isatty(self) -> bool:
        return self.original.isatty()

    def fileno(self) -> int:
        return self.original.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.original, "encoding", "utf-8")


class LogCapture:
    """Tees ``sys.stdout``/``sys.stderr`` into ``folder/<name>.log`` until :meth:`stop`."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.paths = {"stdout": folder / "stdout.log", "stderr": folder / "stderr.log"}
        self._files = {k: open(p, "w", encoding="utf-8", errors="replace") for k, p in self.paths.items()}  # noqa: SIM115
        self._originals = (sys.stdout, sys.stderr)
        sys.stdout = Tee(sys.stdout, self._files["stdout"])
        sys.stderr = Tee(sys.stderr, self._files["stderr"])

    def stop(self) -> dict[str, Path]:
        if isinstance(sys.stdout, Tee):
            sys.stdout.flush()
        if isinstance(sys.stderr, Tee):
            sys.stderr.flush()
        sys.stdout, sys.stderr = self._originals
        for handle in self._files.values():
            handle.close()
        return self.paths
