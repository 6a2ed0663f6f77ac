"""The peers' own virtual environment, ``benchmarks/.venv-peers``, created on first use.

Benchmarks time our code beside the tools it replaces (MLflow, DVC, papermill, nbconvert,
jupytext). Those live in a separate venv so that none of them can leak into ours and make our
import-cost or startup figures look better or worse than a user's would be.

    from peers import peer_python, have_peer
    if have_peer("mlflow"):
        subprocess.run([peer_python("mlflow"), "-c", "import mlflow"])

``peer_python(*packages)`` creates the venv if needed, pip-installs whichever of the named
packages are missing (printing what it installs), and returns the venv's python. It is
idempotent and safe when several benchmarks call it at once (a file lock serialises
installs). If installation fails it raises :class:`PeerUnavailable`, whose message says which
figure is skipped and how to retry; ``have_peer`` turns that into ``False`` plus one line.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import venv
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
VENV = Path(os.environ.get("DLOPS_PEERS_VENV", HERE / ".venv-peers"))

# package name -> pip requirement. MLflow is pinned to 3.x because the figures in DESIGN.md
# were measured with MLflow 3 (its sqlite backend); the others take the current release.
REQUIREMENTS = {
    "mlflow": "mlflow>=3,<4",
    "dvc": "dvc>=3",
    "papermill": "papermill>=2.5",
    "nbconvert": "nbconvert>=7",
    "jupytext": "jupytext>=1.16",
    "ipykernel": "ipykernel>=6.25",
    "detect-secrets": "detect-secrets>=1.5",  # bench_redact: the scanner whose patterns we adopted
}
INSTALL_TIMEOUT_S = 1800
NO_PEERS_ENV = "DLOPS_BENCH_NO_PEERS"  # set by `run_all.py --no-peers` and the smoke tests


class PeerUnavailable(RuntimeError):
    """A peer package could not be installed; the benchmark skips that figure."""


def venv_python() -> Path:
    """Path of the peers venv's python (it may not exist yet)."""
    return VENV / "bin" / "python"


def peer_python(*packages: str) -> Path:
    """The peers venv's python, with ``packages`` installed (installing them if missing).

    Parameters
    ----------
    *packages
        Names from :data:`REQUIREMENTS` (or any pip requirement string).

    Returns
    -------
    Path
        ``benchmarks/.venv-peers/bin/python``.

    Raises
    ------
    PeerUnavailable
        When the venv cannot be created or a package cannot be installed.
    """
    if os.environ.get(NO_PEERS_ENV):
        raise PeerUnavailable(f"{NO_PEERS_ENV} is set (--no-peers)")
    with _install_lock():
        _ensure_venv()
        missing = [p for p in packages if not _installed(p)]
        if missing:
            _install(missing)
    return venv_python()


def have_peer(*packages: str) -> bool:
    """True when ``packages`` are (or could just now be) installed in the peers venv;
    otherwise print one line saying what is skipped and return False."""
    try:
        peer_python(*packages)
        return True
    except PeerUnavailable as error:
        print(f"peers: skipping {', '.join(packages)}: {error}", file=sys.stderr)
        return False


def installed_version(package: str) -> str | None:
    """The version of ``package`` in the peers venv, or None if it is not there."""
    if not venv_python().exists():
        return None
    code = (
        "import importlib.metadata as m, sys\n"
        "try: print(m.version(sys.argv[1]))\n"
        "except m.PackageNotFoundError: sys.exit(1)\n"
    )
    proc = subprocess.run([str(venv_python()), "-c", code, _dist_name(package)],
                          capture_output=True, text=True)
    return proc.stdout.strip() if proc.returncode == 0 else None


def _dist_name(package: str) -> str:
    requirement = REQUIREMENTS.get(package, package)
    for mark in "<>=!~[; ":
        requirement = requirement.split(mark, 1)[0]
    return requirement


def _installed(package: str) -> bool:
    return installed_version(package) is not None


def _ensure_venv() -> None:
    if venv_python().exists():
        return
    print(f"peers: creating {VENV}", file=sys.stderr, flush=True)
    try:
        venv.EnvBuilder(with_pip=True, clear=False, symlinks=True).create(VENV)
    except Exception as error:  # venv raises CalledProcessError, OSError...
        raise PeerUnavailable(f"cannot create {VENV} ({error}); remove it and retry") from None


def _install(packages: list[str]) -> None:
    requirements = [REQUIREMENTS.get(p, p) for p in packages]
    print(f"peers: installing {' '.join(requirements)} into {VENV} (first use only; "
          "this can take a few minutes)", file=sys.stderr, flush=True)
    command = [str(venv_python()), "-m", "pip", "install", "-q",
               "--disable-pip-version-check", *requirements]
    try:
        proc = subprocess.run(command, capture_output=True, text=True, timeout=INSTALL_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise PeerUnavailable(f"pip install {' '.join(requirements)} took over "
                              f"{INSTALL_TIMEOUT_S} s; retry later") from None
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise PeerUnavailable(f"pip install {' '.join(requirements)} failed ({last}); "
                              f"check the network or index, then rerun") from None
    print(f"peers: installed {' '.join(requirements)}", file=sys.stderr, flush=True)


@contextmanager
def _install_lock():
    """One installer at a time, across processes (benchmarks may run side by side)."""
    VENV.mkdir(parents=True, exist_ok=True)  # the lock lives inside the (ignored) venv folder
    with open(VENV / ".install.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


if __name__ == "__main__":  # `python benchmarks/peers.py mlflow dvc` pre-installs peers
    names = sys.argv[1:] or list(REQUIREMENTS)
    print(peer_python(*names))
    for name in names:
        print(f"{name} {installed_version(name)}")
