"""Which opened files are data, and which belong to the environment (issue 15).

A tracked cell that imports a library opens hundreds of files: sources and bytecode, ``.pth``
files, ``*.dist-info/entry_points.txt`` (``importlib.metadata``), package data (matplotlib's
``matplotlibrc``, its fonts), tool caches (matplotlib's font list, fontconfig), Jupyter's runtime
and IPython's history. None of them is the user's data, and recording them buried the one CSV
a run read under 52-196 unnamed one-file versions. A file is *environment* when it is:

* under a system folder (``/usr``, ``/etc``, ``/proc``...) or the interpreter's prefixes;
* under a site directory (the user site too) or any ``sys.path`` entry, except the entries
  that hold the project itself (the current folder or the script's, which ``sys.path`` lists
  first: the data lives there);
* under the folder of an imported regular package (its package data);
* under a cache or configuration folder (``$XDG_CACHE_HOME`` or ``~/.cache``, ``~/.config``,
  ``$MPLCONFIGDIR``, IPython's and Jupyter's folders, pyenv), or the store's own folder;
* code or packaging by its name: ``.py``, ``.pyc``, ``.so``, ``.pth``..., anything in
  ``__pycache__``, ``*.dist-info`` or ``*.egg-info``.

Everything else is data. The roots are recomputed when ``sys.path``, the current folder or the
loaded packages change, so the per-cell cost stays a tuple comparison.
"""

from __future__ import annotations

import os
import sys

SYSTEM_PREFIXES = ("/proc/", "/sys/", "/dev/", "/etc/", "/usr/", "/lib/", "/lib32/", "/lib64/",
                   "/bin/", "/sbin/", "/run/", "/var/cache/", "/var/lib/")
CODE_SUFFIXES = (".py", ".pyc", ".pyo", ".pyi", ".pyd", ".so", ".pth", ".egg-link", ".whl",
                 ".egg")
CODE_PARTS = ("/__pycache__/", ".dist-info/", ".egg-info/", "/site-packages/", "/dist-packages/")
# Folders under the home directory that only tools write: caches, configuration, IPython and
# Jupyter's own files, pyenv's interpreters, the user site's parent.
HOME_TOOL_DIRS = (".cache", ".config", ".ipython", ".jupyter", ".local/share/jupyter",
                  ".local/lib", ".local/bin", ".pyenv", ".matplotlib", ".nv", ".triton")
TOOL_VARIABLES = ("XDG_CACHE_HOME", "XDG_CONFIG_HOME", "MPLCONFIGDIR", "IPYTHONDIR",
                  "JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "PYENV_ROOT",
                  "PYTHONPYCACHEPREFIX", "PIP_CACHE_DIR", "CUDA_CACHE_PATH")


def _folder(path: str) -> str:
    return os.path.join(os.path.abspath(path), "")


def _both(path: str) -> set[str]:
    """A folder as given and with links resolved: a file may be opened through either."""
    return {_folder(path), _folder(os.path.realpath(path))}


def _cwd() -> str:
    try:
        return os.getcwd()
    except OSError:  # the current folder was removed: nothing can be under it
        return ""


def _anchors() -> tuple[str, ...]:
    """Folders holding the project: the current folder and the entry script's folder."""
    cwd = _cwd()
    anchors = {_folder(cwd)} if cwd else set()
    script = sys.argv[0] if sys.argv and sys.argv[0] not in ("", "-c", "-m") else None
    # A kernel's argv[0] is ipykernel_launcher.py in site-packages: a tool, not the project.
    if script and os.path.isfile(script) and not any(p in os.path.abspath(script) for p in CODE_PARTS):
        anchors.add(_folder(os.path.dirname(os.path.abspath(script))))
    return tuple(anchors)


def _holds_project(folder: str, anchors: tuple[str, ...]) -> bool:
    return any(anchor.startswith(folder) for anchor in anchors)


def _site_dirs() -> list[str]:
    import site

    found = [sys.prefix, sys.base_prefix, sys.exec_prefix]
    try:
        found += site.getsitepackages()
    except AttributeError:  # some embedded interpreters' site module lacks it
        pass
    user = getattr(site, "USER_SITE", None) or site.getusersitepackages()
    return [*found, user] if user else found


def _tool_dirs() -> list[str]:
    home = os.path.expanduser("~")
    found = [os.path.join(home, name) for name in HOME_TOOL_DIRS]
    found += [os.environ[name] for name in TOOL_VARIABLES if os.environ.get(name)]
    mpl = sys.modules.get("matplotlib")
    for getter in ("get_cachedir", "get_configdir"):
        try:  # where matplotlib really writes (a temporary folder when home is read-only)
            found.append(getattr(mpl, getter)())
        except Exception:
            pass
    paths = sys.modules.get("jupyter_core.paths")
    for getter in ("jupyter_runtime_dir", "jupyter_data_dir", "jupyter_config_dir"):
        try:
            found.append(getattr(paths, getter)())
        except Exception:
            pass
    return found


def _package_dirs(anchors: tuple[str, ...]) -> list[str]:
    """Folders of imported top-level regular packages that do not hold the project."""
    found = []
    for name, module in list(sys.modules.items()):
        if "." in name:
            continue
        file = getattr(module, "__file__", None)
        if isinstance(file, str) and os.path.basename(file).startswith("__init__."):
            folder = _folder(os.path.dirname(file))
            if not _holds_project(folder, anchors):
                found.append(folder)
    return found


def _path_entries(anchors: tuple[str, ...]) -> list[str]:
    found = []
    for entry in sys.path:
        if not isinstance(entry, str) or not entry:
            continue  # "" is the current folder: the project itself
        folder = _folder(entry)
        if not _holds_project(folder, anchors):
            found.append(folder)
    return found


class EnvironmentPaths:
    """The folders whose files are never data, kept current at little cost."""

    def __init__(self) -> None:
        self.extra: tuple[str, ...] = ()
        self.roots: tuple[str, ...] = ()
        self._key: tuple = ()

    def ignore(self, *folders: str) -> None:
        """Also treat these folders as environment (the store's own folder)."""
        self.extra = tuple(sorted({f for folder in folders if folder for f in _both(folder)}))
        self._key = ()

    def refresh(self) -> tuple[str, ...]:
        """The current roots; recomputed only when what they derive from changed."""
        key = (tuple(sys.path), _cwd(), len(sys.modules),
               tuple(os.environ.get(n) for n in TOOL_VARIABLES))
        if key != self._key:
            try:
                self.roots = self._compute()
            except Exception:  # a removed folder, an odd sys.path entry: keep what we had
                return self.roots
            self._key = key
        return self.roots

    def _compute(self) -> tuple[str, ...]:
        anchors = _anchors()
        folders = [*_site_dirs(), *_tool_dirs(), *_path_entries(anchors)]
        roots = {r for f in folders for r in _both(f)}
        roots.update(_package_dirs(anchors))
        return tuple(sorted(roots.union(self.extra)))

    def is_data(self, path: str) -> bool:
        """Whether an absolute path is the user's data (see the module's rules)."""
        return is_data(path, self.refresh())


def is_data(path: str, roots: tuple[str, ...]) -> bool:
    """Whether ``path`` (absolute) is data, given the environment ``roots`` (folders, each
    ending with the separator)."""
    if path.startswith(SYSTEM_PREFIXES) or path.endswith(CODE_SUFFIXES):
        return False
    if any(part in path for part in CODE_PARTS):
        return False
    return not path.startswith(roots)


ENVIRONMENT = EnvironmentPaths()
