"""The machine a run used: CPU model and count, memory, and GPUs through NVML when present."""

from __future__ import annotations

import os
import platform
from typing import Any


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as handle:
            for line in handle:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def gpus() -> list[dict[str, Any]]:
    """Name, memory and driver of every NVIDIA GPU NVML sees; empty without a driver."""
    try:
        import pynvml
    except ImportError:
        return []
    try:
        pynvml.nvmlInit()
    except Exception:  # pynvml raises NVMLError_LibraryNotFound & co: no GPU here
        return []
    try:
        driver = _text(pynvml.nvmlSystemGetDriverVersion())
        found = []
        for index in range(pynvml.nvmlDeviceGetCount()):
            handle = pynvml.nvmlDeviceGetHandleByIndex(index)
            memory = pynvml.nvmlDeviceGetMemoryInfo(handle)
            found.append({
                "index": index,
                "name": _text(pynvml.nvmlDeviceGetName(handle)),
                "memory_total_mb": round(memory.total / 2**20),
                "driver": driver,
                "uuid": _text(pynvml.nvmlDeviceGetUUID(handle)),
            })
        return found
    finally:
        pynvml.nvmlShutdown()


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def capture_hardware() -> dict[str, Any]:
    import psutil

    devices = gpus()
    return {
        "cpu_model": cpu_model(),
        "cpu_count": os.cpu_count(),
        "cpu_physical": psutil.cpu_count(logical=False),
        "memory_total_mb": round(psutil.virtual_memory().total / 2**20),
        "gpus": devices,
        "gpu_count": len(devices),
        "profile": profile_name(devices),
    }


def profile_name(devices: list[dict[str, Any]]) -> str:
    """The hardware profile that cost rates are keyed by: ``cpu`` or ``gpu:<name>``."""
    return f"gpu:{devices[0]['name']}" if devices else "cpu"
