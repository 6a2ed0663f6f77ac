"""Captures the automatic parts of a run's record while it runs, and writes them at the end:
code, environment and hardware (in a background thread, so starting a run stays fast), usage
statistics and heartbeat (a sampler thread), logs (a tee on stdout/stderr for scripts) and
cost (from duration and hardware)."""

from __future__ import annotations

import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from ..capture.redact import known_secrets, redact_text
from ..config import env_float


def in_ipython_kernel() -> bool:
    return "ipykernel" in sys.modules or "IPython" in sys.modules and hasattr(sys, "ps1")


class RunRecorder:
    def __init__(self, client, run_id: str, *, entry_point: str | None, capture_logs: bool) -> None:
        self.client, self.run_id, self.entry_point = client, run_id, entry_point
        self.store = client.store
        self.start = time.time()
        self._started = time.monotonic()  # durations never go negative when the wall clock steps back
        self.hardware: dict[str, Any] | None = None
        self._static = threading.Thread(target=self._capture_static, name="dlops-capture", daemon=True)
        self._static.start()
        self.sampler = self._start_sampler()
        self.logs = self._start_logs() if capture_logs else None
        self.unsent: dict[str, Any] | None = None

    def _capture_static(self) -> None:
        from ..capture.code import capture_code
        from ..capture.environment import capture_environment
        from ..capture.hardware import capture_hardware

        objects = self.store.objects
        for section, produce in (
            ("hardware", capture_hardware),
            ("code", lambda: capture_code(self.entry_point, objects)),
            ("environment", lambda: capture_environment(lambda data: objects.put_text(data)[0])),
        ):
            try:
                body = produce()
                self.store.put_section(self.run_id, section, body)
                if section == "hardware":
                    self.hardware = body
            except Exception as error:  # a capture problem must never stop the user's run
                self._note_failure(section, error)

    def _note_failure(self, section: str, error: Exception) -> None:
        try:
            self.store.put_section(self.run_id, section, {"error": str(error)})
        except Exception:  # the store itself is failing (locked, read-only): nothing to record
            pass

    def _start_sampler(self):
        from ..capture.usage import UsageSampler

        def on_sample(values: dict[str, float], when: float) -> None:
            self.client.log_metrics(self.run_id, values, timestamp=when)

        sampler = UsageSampler(
            on_sample, lambda: self.store.heartbeat(self.run_id),
            interval=env_float("DLOPS_SAMPLE_INTERVAL", 1.0),
            beat_every=env_float("DLOPS_HEARTBEAT_INTERVAL", 5.0),
        )
        sampler.start()
        return sampler

    def _start_logs(self):
        from ..capture.logs import LogCapture

        self._log_dir = Path(tempfile.mkdtemp(prefix=f"dlops-{self.run_id[:8]}-"))
        try:
            return LogCapture(self._log_dir)
        except OSError:
            return None

    def finish(self) -> None:
        """Stop sampling and log capture, then write usage, cost and logs (called once, before
        the status). Where the store fails, what was not written stays in ``unsent`` (for the
        spool) and the error propagates; the capture is stopped either way."""
        from ..capture.cost import compute_cost

        usage = self.sampler.stop()
        self._static.join(timeout=30)
        cost = compute_cost(time.monotonic() - self._started, self.hardware)
        self.unsent = {"sections": {"usage": usage, "cost": cost}, "logs": self._collect_logs()}
        for section, body in self.unsent["sections"].items():
            self.store.put_section(self.run_id, section, body)
        for stream, text in self.unsent["logs"].items():
            self.client.log_text(self.run_id, text, f"logs/{stream}.txt", kind="log")
        self.unsent = None

    def _collect_logs(self) -> dict[str, str]:
        """The captured stdout/stderr, redacted already (they may go to the spool file rather
        than through the store's redaction); the capture stops and its files go."""
        if self.logs is None:
            return {}
        paths = self.logs.stop()
        known = known_secrets()
        texts = {stream: path.read_text(encoding="utf-8", errors="replace") for stream, path in paths.items()}
        shutil.rmtree(self._log_dir, ignore_errors=True)
        return {stream: redact_text(text, known) for stream, text in texts.items() if text}
