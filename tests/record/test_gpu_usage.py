"""GPU usage series (``sys/gpuN_*``) from NVML: the no-driver path on every machine, every
reading per GPU through a stand-in for the NVML library (no GPU here), and on a machine that
has GPUs, every reading from the real driver."""

from __future__ import annotations

import sys
import types

import pytest

from jupyter_dlops.capture.usage import _GpuReader

READINGS = ("util", "mem_mb", "power_w", "temp_c")


def fake_nvml(power_supported: list[bool]) -> types.ModuleType:
    """Two-field stand-in for the driver's library: what NVML's Python binding returns."""
    nvml = types.ModuleType("pynvml")
    nvml.NVML_TEMPERATURE_GPU = 0
    nvml.nvmlInit = nvml.nvmlShutdown = lambda: None
    nvml.nvmlDeviceGetCount = lambda: len(power_supported)
    nvml.nvmlDeviceGetHandleByIndex = lambda i: i
    nvml.nvmlDeviceGetUtilizationRates = lambda h: types.SimpleNamespace(gpu=40 + h, memory=3)
    nvml.nvmlDeviceGetMemoryInfo = lambda h: types.SimpleNamespace(used=(h + 1) * 2**30, total=2**34)

    def power(h):
        if not power_supported[h]:
            raise RuntimeError("NVML_ERROR_NOT_SUPPORTED")
        return 71_500 + h

    nvml.nvmlDeviceGetPowerUsage = power
    nvml.nvmlDeviceGetTemperature = lambda h, sensor: 60 + h
    return nvml


def test_every_gpu_gets_util_memory_power_and_temperature(monkeypatch):
    monkeypatch.setitem(sys.modules, "pynvml", fake_nvml([True, False]))
    reader = _GpuReader()
    try:
        assert reader.read() == {
            "sys/gpu0_util": 40.0, "sys/gpu0_mem_mb": 1024.0, "sys/gpu0_power_w": 71.5,
            "sys/gpu0_temp_c": 60.0,
            # the second board reports no power: left out, not recorded as 0 W
            "sys/gpu1_util": 41.0, "sys/gpu1_mem_mb": 2048.0, "sys/gpu1_temp_c": 61.0,
        }
    finally:
        reader.close()


def test_no_library_means_no_gpu_series(monkeypatch):
    monkeypatch.setitem(sys.modules, "pynvml", None)  # import pynvml raises ImportError
    reader = _GpuReader()
    assert (reader.handles, reader.read()) == ([], {})
    reader.close()


def test_this_machine_reports_its_gpus_or_none():
    """No driver (the usual CI machine): nothing, silently. With a driver: all four readings
    for every GPU the driver lists."""
    reader = _GpuReader()
    try:
        values = reader.read()
        if reader.nvml is None:
            assert (reader.handles, values) == ([], {})
        else:
            count = reader.nvml.nvmlDeviceGetCount()
            assert {k.split("_", 1)[0] for k in values} == {f"sys/gpu{i}" for i in range(count)}
            for i in range(count):
                assert {f"sys/gpu{i}_util", f"sys/gpu{i}_mem_mb", f"sys/gpu{i}_temp_c"} <= set(values)
                assert 0.0 <= values[f"sys/gpu{i}_util"] <= 100.0
    finally:
        reader.close()


if __name__ == "__main__":  # the device check: python tests/record/test_gpu_usage.py
    sys.exit(pytest.main([__file__, "-q", "-p", "no:cacheprovider"]))
