"""Post-import hooks: run a function right after a module the user imports finishes loading.

A meta-path finder answers only for the watched top-level names: it asks the other finders for
the real spec and wraps its loader so the callbacks run once ``exec_module`` is done. Nothing is
imported here; a failing callback is logged and never breaks the user's import.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import logging
import sys
import threading
from collections.abc import Callable
from typing import Any

log = logging.getLogger("jupyter_dlops")
_lock = threading.RLock()
_pending: dict[str, list[Callable[[], None]]] = {}
_enabled: dict[str, bool] = {}


def set_enabled(names: list[str], enabled: bool) -> None:
    with _lock:
        _enabled.update(dict.fromkeys(names, enabled))


def is_enabled(name: str) -> bool:
    """Whether ``autolog`` currently asks for ``name``'s integration."""
    return _enabled.get(name, False)


def when_imported(module: str, callback: Callable[[], None]) -> None:
    """Call ``callback`` once ``module`` is imported (now, if it already is)."""
    with _lock:
        if module in sys.modules:
            _run([callback])
            return
        _pending.setdefault(module, []).append(callback)
        if not any(isinstance(f, _Finder) for f in sys.meta_path):
            sys.meta_path.insert(0, _Finder())


def _run(callbacks: list[Callable[[], None]]) -> None:
    for callback in callbacks:
        try:
            callback()
        except Exception as error:  # the user's import must succeed whatever we do
            log.warning("dlops: autolog could not hook in: %s", error)


class _Finder(importlib.abc.MetaPathFinder):
    def __init__(self) -> None:
        self._busy: set[str] = set()

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        if name not in _pending or name in self._busy:
            return None
        self._busy.add(name)
        try:
            spec = importlib.util.find_spec(name)
        finally:
            self._busy.discard(name)
        if spec is None or spec.loader is None:
            return None
        spec.loader = _Loader(spec.loader, name)
        return spec


class _Loader(importlib.abc.Loader):
    def __init__(self, loader: Any, name: str) -> None:
        self.loader, self.name = loader, name

    def create_module(self, spec: Any) -> Any:
        return self.loader.create_module(spec)

    def exec_module(self, module: Any) -> None:
        module.__loader__ = self.loader
        self.loader.exec_module(module)
        with _lock:
            callbacks = _pending.pop(self.name, [])
        _run(callbacks)

    def __getattr__(self, attribute: str) -> Any:  # get_resource_reader, is_package...
        return getattr(self.loader, attribute)
