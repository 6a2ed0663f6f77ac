"""The machine a run used: CPU model and count, memory, and GPUs through NVML when present."""

from __future__ import annotations

import os
import platform
from typing import Any

# ARM CPUs have no "model name" line: their implementer and part numbers name them.
ARM_PARTS = {("0x41", "0xd08"): "ARM Cortex-A72", ("0x41", "0xd0b"): "ARM Cortex-A76",
             ("0x41", "0xd0c"): "ARM Neoverse-N1", ("0x41", "0xd40"): "ARM Neoverse-V1",
             ("0x41", "0xd49"): "ARM Neoverse-N2", ("0x41", "0xd4f"): "ARM Neoverse-V2",
             ("0xc0", "0xac3"): "Ampere AmpereOne", ("0x61", "0x022"): "Apple M1"}
VENDORS = {"GenuineIntel": "Intel", "AuthenticAMD": "AMD", "0x41": "ARM", "0xc0": "Ampere",
           "0x61": "Apple", "0x48": "HiSilicon", "0x51": "Qualcomm"}
FEATURES = ("avx", "avx2", "avx512f", "avx512_bf16", "amx_tile", "fma", "neon", "asimd", "sve")


def parse_cpuinfo(text: str) -> dict[str, Any]:
    """Model, vendor and vector features of the first CPU in ``/proc/cpuinfo`` text."""
    fields: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            if fields:
                break  # one processor is enough
            continue
        key, _, value = line.partition(":")
        fields.setdefault(key.strip().lower(), value.strip())
    implementer = fields.get("cpu implementer")
    part = (implementer, fields.get("cpu part"))
    model = (fields.get("model name") or ARM_PARTS.get(part) or fields.get("hardware")
             or fields.get("cpu model") or fields.get("uarch") or fields.get("cpu"))
    if not model and implementer:
        model = f"{VENDORS.get(implementer, 'implementer ' + implementer)} part {part[1]}"
    if model and not any(c.isdigit() for c in model) and fields.get("cpu family"):
        # A virtual machine may say only "AMD EPYC": family and model still tell the generation.
        model += f" (family {fields['cpu family']}, model {fields.get('model', '?')})"
    flags = (fields.get("flags") or fields.get("features") or "").split()
    return {"model": model, "vendor": VENDORS.get(fields.get("vendor_id") or implementer or "",
                                                   fields.get("vendor_id")),
            "features": [f for f in FEATURES if f in flags]}


def _cpuinfo() -> dict[str, Any]:
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as handle:
            return parse_cpuinfo(handle.read())
    except OSError:
        return {}


def cpu_model() -> str:
    """The CPU's model string (``AMD EPYC 7R13 Processor``), not just its vendor."""
    return _cpuinfo().get("model") or platform.processor() or platform.machine()


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
    info = _cpuinfo()
    return {
        "cpu_model": info.get("model") or platform.processor() or platform.machine(),
        "cpu_vendor": info.get("vendor"),
        "cpu_features": info.get("features", []),
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
