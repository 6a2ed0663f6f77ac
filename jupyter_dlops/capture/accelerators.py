"""The accelerator stack of a run: which build of torch, tensorflow and jax is installed
(CPU-only or CUDA, which CUDA and cuDNN), the NVIDIA driver and the CUDA runtime (issue 15).

Nothing here imports a framework the user has not imported: importing torch costs seconds
and may initialise CUDA. Versions come from the distributions' metadata (a PyTorch CPU wheel
is ``2.3.0+cpu``), the frameworks' own build files read as text (``torch/version.py``,
``tensorflow/python/platform/build_info.py``), the ``nvidia-*`` wheels that carry the CUDA
libraries, ``/proc/driver/nvidia/version`` and the CUDA toolkit's ``version.json``. Only a
framework already in ``sys.modules`` is asked directly (cuDNN's version needs the library).
"""

from __future__ import annotations

import ast
import json
import re
import sys
from typing import Any

TENSORFLOW_NAMES = ("tensorflow", "tensorflow-cpu", "tensorflow-gpu", "tensorflow-intel",
                    "tensorflow-macos", "tf-nightly")
DRIVER_TEXT = re.compile(r"Kernel Module\s+(?:for\s+\S+\s+)?(\d+(?:\.\d+)+)")
CUDA_TOOLKIT = ("/usr/local/cuda/version.json", "/usr/local/cuda/version.txt")


def _distribution(name: str) -> Any:
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        return distribution(name)
    except PackageNotFoundError:
        return None


def _read(dist: Any, relative: str) -> str | None:
    try:
        return dist.locate_file(relative).read_text(encoding="utf-8")
    except (OSError, ValueError, AttributeError):
        return None


def module_constants(text: str | None) -> dict[str, Any]:
    """The ``NAME = literal`` assignments at the top level of a Python source text."""
    try:
        tree = ast.parse(text or "")
    except (SyntaxError, ValueError):
        return {}
    found: dict[str, Any] = {}
    for node in tree.body:
        target = node.target if isinstance(node, ast.AnnAssign) else (
            node.targets[0] if isinstance(node, ast.Assign) and len(node.targets) == 1 else None)
        if isinstance(target, ast.Name) and getattr(node, "value", None) is not None:
            try:
                found[target.id] = ast.literal_eval(node.value)
            except ValueError:  # an expression, not a literal
                continue
    return found


def _cuda_wheel(library: str) -> str | None:
    """The version of an NVIDIA library wheel (``nvidia-cudnn-cu12``...), newest CUDA first."""
    for major in ("13", "12", "11"):
        dist = _distribution(f"nvidia-{library}-cu{major}")
        if dist is not None:
            return dist.version
    return None


def torch_build() -> dict[str, Any] | None:
    """torch's version, build (``cpu``, ``cuda``, ``rocm``), CUDA and cuDNN versions."""
    dist = _distribution("torch")
    if dist is None:
        return None
    constants = module_constants(_read(dist, "torch/version.py"))
    cuda, hip = constants.get("cuda"), constants.get("hip")
    info = {"version": dist.version, "build": "cuda" if cuda else "rocm" if hip else "cpu",
            "cuda": cuda, "cudnn": _cuda_wheel("cudnn") if cuda else None}
    if hip:
        info["rocm"] = hip
    torch = sys.modules.get("torch")
    if torch is not None:  # imported by the user: the library itself knows its cuDNN
        try:
            version = torch.backends.cudnn.version()
            info["cudnn"] = str(version) if version else info["cudnn"]
        except Exception:
            pass
    return info


def tensorflow_build() -> dict[str, Any] | None:
    """tensorflow's version, build, and the CUDA and cuDNN it was built for."""
    dist = next((d for d in map(_distribution, TENSORFLOW_NAMES) if d is not None), None)
    if dist is None:
        return None
    built = module_constants(_read(dist, "tensorflow/python/platform/build_info.py"))
    info = built.get("build_info") if isinstance(built.get("build_info"), dict) else built
    cuda = bool(info.get("is_cuda_build"))
    return {"version": dist.version, "distribution": dist.metadata.get("Name"),
            "build": "cuda" if cuda else "rocm" if info.get("is_rocm_build") else "cpu",
            "cuda": info.get("cuda_version"), "cudnn": info.get("cudnn_version")}


def jax_build() -> dict[str, Any] | None:
    """jax and jaxlib versions, and the CUDA plugin wheel when one is installed."""
    dist = _distribution("jax")
    if dist is None:
        return None
    jaxlib = _distribution("jaxlib")
    info: dict[str, Any] = {"version": dist.version, "jaxlib": jaxlib.version if jaxlib else None,
                            "build": "cpu", "cuda": None}
    for major in ("13", "12", "11"):
        plugin = _distribution(f"jax-cuda{major}-plugin") or _distribution(f"jax-cuda{major}-pjrt")
        if plugin is not None:
            info.update(build="cuda", cuda=major, plugin=plugin.version)
            break
    if info["build"] == "cpu" and jaxlib is not None and "+cuda" in jaxlib.version:
        info.update(build="cuda", cuda=jaxlib.version.split("+cuda", 1)[1].split(".")[0])
    return info


def nvidia_driver(proc_text: str | None = None) -> str | None:
    """The NVIDIA kernel driver's version from ``/proc/driver/nvidia/version``."""
    if proc_text is None:
        try:
            with open("/proc/driver/nvidia/version", encoding="utf-8") as handle:
                proc_text = handle.read()
        except OSError:
            return None
    match = DRIVER_TEXT.search(proc_text)
    return match.group(1) if match else None


def cuda_runtime() -> str | None:
    """The CUDA runtime: the ``nvidia-cuda-runtime`` wheel, else the system toolkit."""
    wheel = _cuda_wheel("cuda-runtime")
    if wheel:
        return wheel
    for path in CUDA_TOOLKIT:
        try:
            with open(path, encoding="utf-8") as handle:
                text = handle.read()
        except OSError:
            continue
        if path.endswith(".json"):
            try:
                return json.loads(text)["cuda"]["version"]
            except (ValueError, KeyError, TypeError):
                continue
        match = re.search(r"(\d+\.\d+(?:\.\d+)?)", text)
        if match:
            return match.group(1)
    return None


def accelerator_stack() -> dict[str, Any]:
    """The ``accelerators`` part of the environment section (absent parts left out)."""
    stack: dict[str, Any] = {}
    for name, probe in (("torch", torch_build), ("tensorflow", tensorflow_build),
                        ("jax", jax_build)):
        try:
            found = probe()
        except Exception as error:  # a broken install must not stop the run
            found = {"error": str(error)}
        if found:
            stack[name] = found
    for name, probe in (("nvidia_driver", nvidia_driver), ("cuda_runtime", cuda_runtime)):
        value = probe()
        if value:
            stack[name] = value
    return stack


def describe(stack: dict[str, Any]) -> str:
    """One line for people: ``torch 2.3.0+cpu (cpu); driver 550.54``."""
    parts = []
    for name in ("torch", "tensorflow", "jax"):
        info = stack.get(name)
        if info and "version" in info:
            detail = info["build"] + (f" {info['cuda']}" if info.get("cuda") else "")
            detail += f", cuDNN {info['cudnn']}" if info.get("cudnn") else ""
            parts.append(f"{name} {info['version']} ({detail})")
    if stack.get("nvidia_driver"):
        parts.append(f"NVIDIA driver {stack['nvidia_driver']}")
    if stack.get("cuda_runtime"):
        parts.append(f"CUDA runtime {stack['cuda_runtime']}")
    return "; ".join(parts) or "no torch, tensorflow or jax; no NVIDIA driver"
