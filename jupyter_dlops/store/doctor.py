"""``dlops doctor``: does this member's configuration reach the team's database and objects?

Each probe really reads and writes (issue 19): the database write is rolled back, and the
probe object is removed again, so the store is left as it was.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from ..errors import DlopsError


@dataclass
class Check:
    """One probe's outcome: ``name`` ("database" or "objects"), whether it passed, and why."""

    name: str
    ok: bool
    detail: str


class _RollBack(Exception):
    """Raised inside the probe transaction so that nothing it wrote is kept."""


def diagnose(uri: str | None = None) -> list[Check]:
    """Probe the store at ``uri`` (default: ``DLOPS_STORE``, else the project's ``.dlops/``).

    Returns
    -------
    list of Check
        The database check, then (when the database was reached) the objects check.
    """
    from . import open_store

    try:
        store = open_store(uri, create=False)
    except DlopsError as error:
        return [Check("database", False, str(error))]
    return [_database(store), _objects(store)]


def _database(store) -> Check:
    from .base import SQLBackend

    try:
        version = store.schema_version()
        # The base class's transaction: a team store refuses ``write`` while its objects are
        # unshared, and that is the objects check's finding, not the database's.
        with SQLBackend.write(store) as cursor:
            cursor.execute("INSERT INTO meta (key, value) VALUES ('doctor_probe', ?) "
                           "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (uuid.uuid4().hex,))
            raise _RollBack
    except _RollBack:
        return Check("database", True, f"{store.location}: schema version {version}; read and write work")
    except DlopsError as error:
        return Check("database", False, str(error))


def _objects(store) -> Check:
    from .postgres import UNSHARED

    objects = store.objects
    if not objects.shared:
        return Check("objects", False, UNSHARED)
    data = f"jupyter-dlops doctor probe {uuid.uuid4().hex}".encode()
    try:
        object_id = objects.put_bytes(data)
        readable = objects.read_bytes(object_id) == data
        objects.remove(object_id)
    except DlopsError as error:
        return Check("objects", False, str(error))
    if not readable:
        return Check("objects", False, f"{objects.location}: an object read back differs from what was written")
    return Check("objects", True, f"{objects.location}: write, read and delete work")
