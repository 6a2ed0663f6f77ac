"""The data files a block of plain Python opens, recorded as versions of the active run.

An exported ``%%track`` cell runs as a block of the script: ``track_data`` does for it what
the kernel extension does for the cell (:mod:`.filewatch` sees the opens, :mod:`.datafiles`
versions the files and links them to the run), so an exported script records the same data
lineage as its notebook.
"""

from __future__ import annotations

from typing import Any

from . import filewatch
from .datafiles import FileVersions


class DataWatch:
    """Records the files opened between its creation and :meth:`stop` (or the ``with`` block)."""

    def __init__(self, name: str | None = None) -> None:
        from .fluent import active_run, start_run

        self.name = name
        self.run = active_run() or start_run()
        filewatch.install()
        filewatch.ignore_store(self.run.store)
        filewatch.start()

    def stop(self) -> list[dict[str, Any]]:
        """Stop watching; version the files opened and link them to the run."""
        opened = filewatch.stop()
        return FileVersions(self.run.store).record(self.run.run_id, opened)

    def __enter__(self) -> DataWatch:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def track_data(name: str | None = None) -> DataWatch:
    """Record the data files read and written until ``.stop()`` (or the end of a ``with``).

    Parameters
    ----------
    name
        A label for the block (an exported cell's ``%%track --name``).

    Returns
    -------
    DataWatch
        Call ``stop()`` on it, or use it as a context manager.
    """
    return DataWatch(name)
