"""What a cell did to the namespace, at a cost that does not grow with IPython's history.

IPython adds ``_i1``, ``_i2``... to the user namespace on every cell, so a namespace holds
thousands of names after a long session. Comparing all of them on every cell would make a
tracked ``x = 1`` slower the longer the notebook runs. Instead:

* new names are found at the *end* of the namespace (dicts keep insertion order, so names
  bound since the last look come last), reading only as many entries as were added;
* rebinding and deletion are checked, by identity (never ``==``), for the user's own names
  and the names the cell's AST mentions; IPython's history names are never looked at.

A rebinding through ``exec`` or ``globals()`` of a name the cell does not mention is seen,
as long as the name belongs to the user (it was bound by any earlier cell).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

IPYTHON_NAMES = re.compile(r"_(i{1,3}|i?\d+|_{0,2}|oh|ih|dh|exit_code)?$|In$|Out$")
MISSING = object()


@dataclass
class Snapshot:
    """The identities of the watched names right before a cell ran."""

    values: dict[str, Any]


class NamespaceWatch:
    """Follows one namespace across cells (create one per kernel)."""

    def __init__(self) -> None:
        self.user_names: set[str] = set()
        self.seen: set[str] = set()

    def _catch_up(self, namespace: dict[str, Any]) -> list[str]:
        fresh = []
        for key in reversed(namespace):  # O(names added since the last look)
            if key in self.seen:
                break
            fresh.append(key)
        self.seen.update(fresh)
        self.user_names.update(k for k in fresh if not IPYTHON_NAMES.match(k))
        return fresh

    def snapshot(self, namespace: dict[str, Any], mentioned: Iterable[str] = ()) -> Snapshot:
        """Call before the cell runs; ``mentioned``: the names its AST reads or binds."""
        self._catch_up(namespace)
        names = self.user_names.union(mentioned)
        return Snapshot({k: namespace.get(k, MISSING) for k in names})

    def diff(self, snapshot: Snapshot, namespace: dict[str, Any]) -> tuple[set[str], set[str]]:
        """``(written, deleted)``: names new or rebound, and names gone, since ``snapshot``."""
        added = {k for k in self._catch_up(namespace) if not IPYTHON_NAMES.match(k)}
        written, deleted = set(added), set()
        for key, value in snapshot.values.items():
            now = namespace.get(key, MISSING)
            if now is value:
                continue
            if now is MISSING:
                deleted.add(key)
            elif not IPYTHON_NAMES.match(key):
                written.add(key)
        self.user_names -= deleted
        self.seen -= deleted
        return written, deleted
