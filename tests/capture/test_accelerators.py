"""The accelerator stack and the CPU model, read without importing any framework (issue 15).

The frameworks here are real distributions on ``sys.path`` (``*.dist-info`` metadata and the
build files the frameworks ship), found through ``importlib.metadata`` as installed ones are;
their packages raise on import, which proves nothing imports them.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from jupyter_dlops.capture import accelerators
from jupyter_dlops.capture.environment import capture_environment
from jupyter_dlops.capture.hardware import parse_cpuinfo


def install(site: Path, name: str, version: str, files: dict[str, str] | None = None) -> None:
    info = site / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    for relative, text in (files or {}).items():
        target = site / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)


NO_IMPORT = "raise ImportError('the accelerator stack must not import this')\n"


@pytest.fixture
def site(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "site"
    folder.mkdir()
    monkeypatch.syspath_prepend(str(folder))
    for name in ("torch", "tensorflow", "jax"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    return folder


def test_a_cpu_only_torch_wheel(site):
    install(site, "torch", "2.3.0+cpu", {
        "torch/__init__.py": NO_IMPORT,
        "torch/version.py": "from typing import Optional\n__version__ = '2.3.0+cpu'\n"
                            "debug = False\ncuda: Optional[str] = None\nhip: Optional[str] = None\n"})
    stack = accelerators.accelerator_stack()
    assert stack["torch"] == {"version": "2.3.0+cpu", "build": "cpu", "cuda": None, "cudnn": None}
    assert "torch" not in sys.modules
    assert accelerators.describe(stack).startswith("torch 2.3.0+cpu (cpu)")


def test_cuda_builds_of_torch_tensorflow_and_jax(site):
    install(site, "torch", "2.3.0", {
        "torch/__init__.py": NO_IMPORT,
        "torch/version.py": "__version__ = '2.3.0'\ncuda: Optional[str] = '12.1'\nhip = None\n"})
    install(site, "nvidia-cudnn-cu12", "8.9.2.26")
    install(site, "nvidia-cuda-runtime-cu12", "12.1.105")
    install(site, "tensorflow", "2.16.1", {
        "tensorflow/__init__.py": NO_IMPORT,
        "tensorflow/python/platform/build_info.py":
            "import collections\nbuild_info = collections.OrderedDict()\n"
            "build_info = {'cuda_version': '12.3', 'cudnn_version': '8', 'is_cuda_build': True,"
            " 'is_rocm_build': False}\n"})
    install(site, "jax", "0.4.30", {"jax/__init__.py": NO_IMPORT})
    install(site, "jaxlib", "0.4.30")
    install(site, "jax-cuda12-plugin", "0.4.30")
    stack = accelerators.accelerator_stack()
    assert stack["torch"] == {"version": "2.3.0", "build": "cuda", "cuda": "12.1",
                              "cudnn": "8.9.2.26"}
    assert stack["tensorflow"] == {"version": "2.16.1", "distribution": "tensorflow",
                                   "build": "cuda", "cuda": "12.3", "cudnn": "8"}
    assert stack["jax"] == {"version": "0.4.30", "jaxlib": "0.4.30", "build": "cuda",
                            "cuda": "12", "plugin": "0.4.30"}
    assert stack["cuda_runtime"] == "12.1.105"
    assert not {"torch", "tensorflow", "jax"} & set(sys.modules)


def test_the_environment_section_carries_the_stack(site, store):
    install(site, "torch", "2.3.0+cpu", {"torch/__init__.py": NO_IMPORT,
                                         "torch/version.py": "cuda = None\n"})
    section = capture_environment(store.objects.put_bytes)
    assert section["accelerators"]["torch"]["build"] == "cpu"


def test_the_nvidia_driver_is_read_from_the_kernel_module():
    text = ("NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.54.15  Tue Mar  5 22:23:56 UTC 2024\n"
            "GCC version:  gcc version 12.2.0 (Debian 12.2.0-14)\n")
    assert accelerators.nvidia_driver(text) == "550.54.15"
    open_text = "NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  535.104.05  Release Build\n"
    assert accelerators.nvidia_driver(open_text) == "535.104.05"
    assert accelerators.nvidia_driver("") is None


X86 = """processor	: 0
vendor_id	: GenuineIntel
cpu family	: 6
model		: 143
model name	: Intel(R) Xeon(R) Platinum 8480+
flags		: fpu sse sse2 avx avx2 fma avx512f avx512_bf16 amx_tile

processor	: 1
model name	: something else
"""
MASKED = "vendor_id	: AuthenticAMD\ncpu family	: 25\nmodel		: 1\nmodel name	: AMD EPYC\nflags	: avx avx2\n"
ARM = "processor	: 0\nBogoMIPS	: 50.00\nFeatures	: fp asimd evtstrm sve\nCPU implementer	: 0x41\n" \
      "CPU architecture: 8\nCPU variant	: 0x1\nCPU part	: 0xd40\n"


@pytest.mark.parametrize("text, model, vendor, features", [
    (X86, "Intel(R) Xeon(R) Platinum 8480+", "Intel", ["avx", "avx2", "avx512f", "avx512_bf16", "amx_tile", "fma"]),
    (MASKED, "AMD EPYC (family 25, model 1)", "AMD", ["avx", "avx2"]),
    (ARM, "ARM Neoverse-V1", "ARM", ["asimd", "sve"]),
], ids=["x86", "masked-vm", "arm"])
def test_the_cpu_model_string_not_just_the_vendor(text, model, vendor, features):
    assert parse_cpuinfo(text) == {"model": model, "vendor": vendor, "features": features}
