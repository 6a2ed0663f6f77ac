"""The software environment of a run: Python, platform, installed distributions, the
accelerator stack (:mod:`.accelerators`), conda env or container, and environment variables
from an allow-list only (redacted all the same)."""

from __future__ import annotations

import json
import os
import platform
import sys
from pathlib import Path
from typing import Any

from .redact import REDACTED, is_secret_name, known_secrets, redact_text

# Variables that change how code runs, and nothing else. Anything not listed is never read.
ALLOWED_VARIABLES = (
    "CUDA_VISIBLE_DEVICES", "NVIDIA_VISIBLE_DEVICES", "CUDA_DEVICE_ORDER", "OMP_NUM_THREADS",
    "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMEXPR_NUM_THREADS", "PYTHONHASHSEED",
    "PYTHONPATH", "VIRTUAL_ENV", "CONDA_DEFAULT_ENV", "CONDA_PREFIX", "LANG", "LC_ALL", "TZ",
    "SLURM_JOB_ID", "SLURM_JOB_NAME", "SLURM_NTASKS", "KUBERNETES_SERVICE_HOST",
    "TF_CPP_MIN_LOG_LEVEL", "TORCH_CUDNN_V8_API_ENABLED", "CUBLAS_WORKSPACE_CONFIG",
    "XLA_FLAGS", "JAX_PLATFORMS", "DLOPS_STORE", "DLOPS_RUN_ID", "DLOPS_SWEEP_ID",
)


def allowed_variables(environ: dict[str, str] | None = None) -> dict[str, str]:
    environ = dict(os.environ if environ is None else environ)
    known = known_secrets(environ)
    picked = {}
    for name in ALLOWED_VARIABLES:
        if name in environ:
            value = environ[name]
            picked[name] = REDACTED if is_secret_name(name) else redact_text(value, known)
    return picked


def installed_distributions() -> list[str]:
    """``name==version`` for every installed distribution, sorted, deduplicated."""
    from importlib.metadata import distributions

    seen = {}
    for dist in distributions():
        name, version = name_version(dist)
        if name:
            seen.setdefault(name.lower(), f"{name}=={version}")
    return sorted(seen.values(), key=str.lower)


def name_version(dist: Any) -> tuple[str | None, str | None]:
    """A distribution's ``Name`` and ``Version`` from its metadata file's headers alone.

    ``dist.metadata`` parses the whole file, long description included, as an e-mail message:
    that was most of a sweep's capture time (2 s for 250 packages on a loaded machine). The
    headers come first and end at the first blank line; anything unusual takes the full parse.
    """
    text = dist.read_text("METADATA") or dist.read_text("PKG-INFO")
    if text:
        found: dict[str, str] = {}
        for line in text.split("\n\n", 1)[0].splitlines():
            key, sep, value = line.partition(":")
            if sep and key in ("Name", "Version") and key not in found:
                found[key] = value.strip()
        if found.get("Name") and found.get("Version"):
            return found["Name"], found["Version"]
    return dist.metadata.get("Name"), dist.version


def container() -> str | None:
    if Path("/.dockerenv").exists():
        return "docker"
    if os.environ.get("KUBERNETES_SERVICE_HOST"):
        return "kubernetes"
    try:
        cgroup = Path("/proc/1/cgroup").read_text()
    except OSError:
        return None
    for marker in ("docker", "kubepods", "containerd", "lxc"):
        if marker in cgroup:
            return marker
    return None


def capture_environment(put_object) -> dict[str, Any]:
    """The environment section; the package list is stored once as a deduplicated object."""
    from .accelerators import accelerator_stack

    packages = installed_distributions()
    packages_object = put_object(json.dumps(packages).encode())
    return {
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "executable": sys.executable,
        "platform": platform.platform(),
        "machine": platform.machine(),
        "packages_object": packages_object,
        "package_count": len(packages),
        "conda_env": os.environ.get("CONDA_DEFAULT_ENV"),
        "virtualenv": os.environ.get("VIRTUAL_ENV") or (sys.prefix if sys.prefix != sys.base_prefix else None),
        "container": container(),
        "accelerators": accelerator_stack(),
        "variables": allowed_variables(),
    }
