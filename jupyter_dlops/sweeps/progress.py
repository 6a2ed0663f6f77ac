"""A one-line progress bar for sweeps: runs done, failed, running, and time left.

On a terminal the line is redrawn in place; elsewhere (CI logs) one line is printed per run
that ends, so the log still tells the story."""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

WIDTH = 24


class Progress:
    def __init__(self, total: int, workers: int, *, skipped: int = 0, stream: TextIO | None = None,
                 enabled: bool = True) -> None:
        self.total, self.workers, self.skipped = total, max(1, workers), skipped
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.done = self.failed = self.running = 0
        self.began = time.monotonic()
        self.durations: list[float] = []

    def event(self, kind: str, payload: Any) -> None:
        if kind == "started":
            self.running += 1
        elif kind == "finished":
            self.running = max(0, self.running - 1)
            self.done += 1
            self.failed += 0 if payload.ok else 1
            self.durations.append(payload.duration)
            if not self.tty and self.enabled:
                self._print_line(payload)
        if self.tty and self.enabled:
            # the carriage return is ours: a stream that escapes control characters (the CLI's)
            # lets it through its trusted door
            getattr(self.stream, "write_trusted", self.stream.write)("\r")
            self.stream.write(self.line() + "\033[K")
            self.stream.flush()

    def seconds_left(self) -> float | None:
        if not self.durations:
            return None
        average = sum(self.durations) / len(self.durations)
        return average * (self.total - self.done) / self.workers

    def line(self) -> str:
        filled = int(WIDTH * self.done / self.total) if self.total else WIDTH
        left = self.seconds_left()
        eta = "-" if left is None else f"{left:.0f}s"
        return (f"[{'#' * filled}{'.' * (WIDTH - filled)}] {self.done}/{self.total} done, "
                f"{self.failed} failed, {self.running} running, ~{eta} left")

    def _print_line(self, outcome: Any) -> None:
        from ..capture.redact import redact_text, redact_value

        # a secret-named parameter is printed as redacted, whatever its value, and so is any
        # secret an error message quotes (issue 14)
        params = " ".join(f"{k}={redact_value(str(k), v)}" for k, v in outcome.params.items())
        what = outcome.status if outcome.ok or not outcome.kind else f"{outcome.status} ({outcome.kind}: {redact_text(outcome.error or '')})"
        print(f"[{self.done}/{self.total}] {outcome.run_id[:12]} {params} {what} "
              f"in {outcome.duration:.1f}s", file=self.stream, flush=True)

    def close(self) -> None:
        if self.tty and self.enabled:
            self.stream.write("\n")
            self.stream.flush()
