"""Content-addressed rows are inserted if absent, in one statement: writers adding the same
data at the same moment all succeed with the same id (issue 14: a unique-key violation on
``data_version`` failed a sweep's run, on SQLite and on PostgreSQL)."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

WRITERS = 4
ROUNDS = 6


def _add_at_once(uri: str, folder: Path, name: str) -> list:
    """``WRITERS`` threads add ``folder`` released together; their results (or errors)."""
    from jupyter_dlops import data
    from jupyter_dlops.store import open_store

    store = open_store(uri)
    gate = threading.Barrier(WRITERS)
    results: list = [None] * WRITERS

    def add(index: int) -> None:
        gate.wait()
        try:
            results[index] = data.add(folder, name=name, store=store)
        except Exception as error:  # reported by the assertion below
            results[index] = error

    threads = [threading.Thread(target=add, args=(i,)) for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_writers_adding_the_same_data_at_once_all_succeed(any_store_uri, tmp_path):
    from jupyter_dlops.store import open_store

    store = open_store(any_store_uri)
    for round_ in range(ROUNDS):
        folder = tmp_path / f"data{round_}"
        (folder / "sub").mkdir(parents=True)
        (folder / "a.bin").write_bytes(os.urandom(2000))
        (folder / "sub" / "b.txt").write_text(f"round {round_}\n")
        results = _add_at_once(any_store_uri, folder, "shared")
        errors = [r for r in results if isinstance(r, Exception)]
        assert not errors, errors
        ids = {r["id"] for r in results}
        assert len(ids) == 1
        vid = ids.pop()
        assert [r["created"] for r in results].count(True) <= 1
        assert store.read("SELECT COUNT(*) FROM data_version WHERE version_id = ?", (vid,))[0][0] == 1
        assert store.read("SELECT COUNT(*) FROM data_file WHERE version_id = ?", (vid,))[0][0] == 2
    names = [r[0] for r in store.read("SELECT version_id FROM data_name WHERE name = 'shared' ORDER BY created")]
    assert len(names) == ROUNDS and len(set(names)) == ROUNDS  # one history entry per new version


@pytest.mark.parametrize("table", ["data_version", "data_file", "data_name"])
def test_inserting_an_existing_row_again_is_a_no_op(any_store_uri, tmp_path, table):
    """The same insert twice, as two writers that both found the version absent would do."""
    from jupyter_dlops.data.adding import insert_version, record_name
    from jupyter_dlops.data.manifest import FileRecord
    from jupyter_dlops.store import open_store

    store = open_store(any_store_uri)
    manifest = [FileRecord("a.txt", 3, "h" * 64)]
    created = []
    for _ in range(2):
        with store.write() as cursor:
            created.append(insert_version(cursor, "v" * 64, name="n", root=str(tmp_path), manifest=manifest,
                                          now=1.0, has_content=False))
            record_name(cursor, "n", "v" * 64, 2.0)
    assert created == [True, False]
    assert store.read(f"SELECT COUNT(*) FROM {table}")[0][0] == 1


SCRIPT = '''# %% tags=["parameters"]
i = 0
folder = ""

# %%
from jupyter_dlops import data

version = data.log_input(folder, name="shared")
print(i, version)
'''


def test_a_sweep_whose_runs_all_add_the_same_data_loses_no_run(any_store_uri, tmp_path):
    """The issue's reproduction: 4 runs at --workers 2, each adding the same data version."""
    from jupyter_dlops.store import open_store
    from jupyter_dlops.sweeps.api import sweep

    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "x.bin").write_bytes(os.urandom(5000))
    script = tmp_path / "adds.py"
    script.write_text(SCRIPT)
    result = sweep(script, {"i": [1, 2, 3, 4], "folder": [str(folder)]}, workers=2, engine="script")
    assert [r.status for r in result] == ["finished"] * 4, [r.error for r in result]
    store = open_store(any_store_uri)
    assert store.read("SELECT COUNT(*) FROM data_version")[0][0] == 1
    assert store.read("SELECT COUNT(DISTINCT run_id) FROM data_run_link")[0][0] == 4
