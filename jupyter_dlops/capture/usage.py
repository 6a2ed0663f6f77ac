"""Usage statistics: a sampler thread that records CPU %, resident memory (children
included) and GPU utilisation and memory over time, keeps the peaks, and beats the run's
heartbeat so that a dead run is noticed.

It samples this process (a script's own run) or another one, ``pid=``: the kernel of a
papermill run or the process of a script-engine run, sampled by the launcher (issue 15).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from typing import Any


class UsageSampler(threading.Thread):
    """Samples every ``interval`` seconds; ``on_sample(values, timestamp)`` receives
    ``{"sys/cpu_percent": ..., "sys/rss_mb": ..., ...}``; ``on_beat()`` runs every
    ``beat_every`` seconds."""

    def __init__(self, on_sample: Callable[[dict[str, float], float], None],
                 on_beat: Callable[[], None], interval: float = 1.0, beat_every: float = 5.0,
                 pid: int | None = None) -> None:
        super().__init__(name="dlops-usage", daemon=True)
        self.on_sample, self.on_beat = on_sample, on_beat
        self.interval, self.beat_every = max(0.05, interval), beat_every
        self.peaks: dict[str, float] = {}
        self.samples = 0
        self._stop_event = threading.Event()
        self._gpu = _GpuReader()
        import psutil

        self.process = psutil.Process(pid or os.getpid())
        self._members: dict[int, Any] = {}
        self.cpu_percent()  # prime the counters: the first reading is always 0

    def run(self) -> None:
        last_beat = time.monotonic()
        while not self._stop_event.wait(self.interval):
            self.sample()
            if time.monotonic() - last_beat >= self.beat_every:
                last_beat = time.monotonic()
                self._safe(self.on_beat)

    def family(self) -> list[Any]:
        """The process and its children, the same ``psutil.Process`` object per pid: a new
        object's first ``cpu_percent`` is always 0, so children must be remembered."""
        import psutil

        try:
            current = [self.process, *self.process.children(recursive=True)]
        except psutil.Error:
            current = [self.process]
        members = {p.pid: self._members.get(p.pid, p) for p in current}
        self._members = members
        return list(members.values())

    def cpu_percent(self) -> float:
        return _cpu_percent(self.family())

    def sample(self) -> dict[str, float]:
        family = self.family()
        values = {"sys/cpu_percent": _cpu_percent(family), "sys/rss_mb": _rss_mb(family)}
        values.update(self._gpu.read())
        for key, value in values.items():
            self.peaks[key] = max(self.peaks.get(key, value), value)
        self.samples += 1
        self._safe(lambda: self.on_sample(values, time.time()))
        return values

    def stop(self) -> dict[str, Any]:
        self._stop_event.set()
        if self.is_alive():
            self.join(timeout=5)
        if self.samples == 0:  # a short run still gets one reading of its usage
            self.sample()
        self._gpu.close()
        return {"interval": self.interval, "samples": self.samples,
                "peaks": {k.removeprefix("sys/"): round(v, 2) for k, v in self.peaks.items()}}

    @staticmethod
    def _safe(action: Callable[[], Any]) -> None:
        try:
            action()
        except Exception:  # sampling must never break the user's run
            pass


def _cpu_percent(family) -> float:
    import psutil

    total = 0.0
    for member in family:
        try:
            total += member.cpu_percent(None)
        except psutil.Error:
            pass
    return total


def _rss_mb(family) -> float:
    import psutil

    total = 0
    for member in family:
        try:
            total += member.memory_info().rss
        except psutil.Error:
            pass
    return total / 2**20


class _GpuReader:
    """GPU utilisation and memory through NVML; silent where there is none."""

    def __init__(self) -> None:
        self.handles: list[Any] = []
        try:
            import pynvml

            pynvml.nvmlInit()
            self.nvml = pynvml
            self.handles = [pynvml.nvmlDeviceGetHandleByIndex(i) for i in range(pynvml.nvmlDeviceGetCount())]
        except Exception:  # no library, no driver, no device
            self.nvml = None

    def read(self) -> dict[str, float]:
        """``sys/gpuN_util`` (%), ``_mem_mb``, ``_power_w`` and ``_temp_c`` for every GPU; a
        reading the device does not support (power on some boards) is left out, not zero."""
        values: dict[str, float] = {}
        for index, handle in enumerate(self.handles):
            prefix = f"sys/gpu{index}"
            for suffix, read in self._readers():
                try:
                    values[f"{prefix}_{suffix}"] = float(read(handle))
                except Exception:
                    continue
        return values

    def _readers(self) -> list[tuple[str, Any]]:
        nvml = self.nvml
        return [
            ("util", lambda h: nvml.nvmlDeviceGetUtilizationRates(h).gpu),
            ("mem_mb", lambda h: nvml.nvmlDeviceGetMemoryInfo(h).used / 2**20),
            ("power_w", lambda h: nvml.nvmlDeviceGetPowerUsage(h) / 1000.0),  # milliwatts
            ("temp_c", lambda h: nvml.nvmlDeviceGetTemperature(h, nvml.NVML_TEMPERATURE_GPU)),
        ]

    def close(self) -> None:
        if self.nvml is not None:
            try:
                self.nvml.nvmlShutdown()
            except Exception:
                pass
            self.nvml = None
