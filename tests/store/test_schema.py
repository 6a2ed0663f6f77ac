import sqlite3

import pytest

from jupyter_dlops.errors import SchemaVersionError, StoreError
from jupyter_dlops.store.migrations import all_migrations, latest_version
from jupyter_dlops.store.sqlite import SQLiteStore


def test_new_store_is_at_the_latest_version_in_wal_mode(tmp_path):
    store = SQLiteStore(str(tmp_path / "s"))
    assert store.schema_version() == latest_version()
    assert store.read("PRAGMA journal_mode")[0][0] == "wal"
    assert (tmp_path / "s" / ".gitignore").read_text() == "*\n"


def test_a_store_written_by_an_older_version_is_migrated(tmp_path):
    folder = tmp_path / "old"
    folder.mkdir()
    conn = sqlite3.connect(folder / "dlops.db")
    for statement in all_migrations()[0].statements("sqlite"):
        conn.execute(statement)
    conn.execute("INSERT INTO meta VALUES ('schema_version', '1')")
    conn.execute("INSERT INTO run (run_id, name, status, start_time) VALUES ('r1', 'old', 'finished', 1.0)")
    conn.commit()
    conn.close()
    store = SQLiteStore(str(folder))
    assert store.schema_version() == latest_version()
    assert store.get_run("r1").name == "old"


def test_a_store_from_a_newer_version_is_refused_and_left_alone(tmp_path):
    folder = tmp_path / "new"
    SQLiteStore(str(folder)).close()
    conn = sqlite3.connect(folder / "dlops.db")
    conn.execute("UPDATE meta SET value = '999' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    before = (folder / "dlops.db").read_bytes()
    with pytest.raises(SchemaVersionError, match="newer than this jupyter-dlops.*upgrade"):
        SQLiteStore(str(folder))
    assert (folder / "dlops.db").read_bytes() == before


def test_a_corrupt_database_is_a_clear_store_error(tmp_path):
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "dlops.db").write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="corrupt"):
        SQLiteStore(str(folder))


def test_migrations_are_numbered_without_gaps():
    versions = [m.VERSION for m in all_migrations()]
    assert versions == list(range(1, len(versions) + 1))
