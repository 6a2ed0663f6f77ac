"""``data add`` records what is on disk exactly, and its single-pass pipeline (scan, stat
cache, hashing) keeps every guarantee of the step-by-step one."""

from __future__ import annotations

import os

import pytest
from data_helpers import write_files
from pg_server import any_store_uri, pg_uri, postgres_server  # noqa: F401, F811 (fixtures)

from jupyter_dlops import data
from jupyter_dlops.errors import DataError

SECRET_LOOKING = ["api_key=abcd1234efgh5678.csv", "AKIAIOSFODNN7EXAMPLE.json",
                  "sk-proj-abcdefghijklmnopqrstuvwxyz0123456789.txt"]


def test_file_names_that_look_like_secrets_are_recorded_as_they_are(any_store_uri, tmp_path):  # noqa: F811
    """A manifest names files on disk: redacting a name would make the version unverifiable."""
    from jupyter_dlops.store import open_store

    store = open_store(any_store_uri)
    folder = write_files(tmp_path / "keys", {name: name for name in SECRET_LOOKING})
    result = data.add(folder, store=store)
    paths = [f["path"] for f in data.show(result["id"], store=store)["files"]]
    assert paths == sorted(SECRET_LOOKING)
    assert data.verify(result["id"], store=store)["ok"]
    cached = {row[0] for row in store.read("SELECT path FROM data_stat_cache")}
    assert cached == {str(folder / name) for name in SECRET_LOOKING}



def test_a_hashing_thread_s_error_reaches_the_caller(tmp_path):
    """A file that vanished after the listing fails the hashing from whichever thread met
    it, with the file named; the other threads stop taking work."""
    from jupyter_dlops.data.hashing import HashStats
    from jupyter_dlops.data.pool import hash_entries
    from jupyter_dlops.data.scan import scan

    folder = write_files(tmp_path / "many", {f"d{i % 7}/f{i:04d}.txt": f"{i}" * 50 for i in range(900)})
    entries = scan(folder)
    os.unlink(folder / "d0" / "f0700.txt")
    with pytest.raises(DataError, match=r"f0700\.txt vanished while it was being hashed"):
        hash_entries(entries, HashStats(), workers=4)


def test_a_first_add_reads_only_what_the_stat_cache_cannot_answer(store, tmp_path):
    """A folder never added whose sub-folder was: listing and hashing run together, and the
    sub-folder's files come from the stat cache, unread; the id is the one a fresh store gives."""
    folder = write_files(tmp_path / "top", {"sub/a.bin": os.urandom(5000), "sub/b.bin": os.urandom(7000),
                                            "c.bin": os.urandom(3000), "deep/er/d.bin": os.urandom(11)})
    data.add(folder / "sub", store=store)
    result = data.add(folder, store=store)
    assert (result["files_hashed"], result["bytes_read"], result["files_cached"]) == (2, 3011, 2)
    fresh = data.add(folder, store=str(tmp_path / "other-store"))
    assert fresh["id"] == result["id"] and fresh["files_hashed"] == 4
    again = data.add(folder, store=store)
    assert (again["created"], again["bytes_read"]) == (False, 0)


def test_a_listing_error_stops_the_hashing_threads_and_records_nothing(store, tmp_path):
    """Files are already being hashed when the listing meets a symlink loop further down:
    the add is refused, naming the link, no hashing thread is left running, nothing recorded."""
    import threading

    files = {f"a{i:03d}/f{j}.bin": os.urandom(2000) for i in range(30) for j in range(40)}
    folder = write_files(tmp_path / "looped", files)
    os.symlink("..", folder / "a029" / "zz-loop")
    with pytest.raises(DataError, match="symbolic link loop: .*zz-loop"):
        data.add(folder, store=store)
    assert not [t for t in threading.enumerate() if t.name.startswith("dlops-hash")]
    assert data.list_versions(store=store) == []
    assert store.read("SELECT COUNT(*) FROM data_stat_cache")[0][0] == 0


def test_a_first_add_remembers_the_stats_a_later_listing_sees(store, tmp_path):
    """The first add takes each file's stat from its open file instead of the listing; the
    folder's remembered digest must still be the one a listing computes later, or a second
    add would never take its no-read path. Symlinks and empty files included."""
    from jupyter_dlops.data import statcache
    from jupyter_dlops.data.scan import scan

    folder = write_files(tmp_path / "d", {"a.bin": os.urandom(100), "empty": b"", "s/b.txt": "b"})
    os.symlink("a.bin", folder / "link.bin")
    os.symlink("s", folder / "linked-folder")
    result = data.add(folder, store=store)
    assert result["files"] == 5 and result["files_hashed"] == 5
    assert statcache.remembered(store, str(folder), "") == (statcache.tree_digest(scan(folder)), result["id"])
    sizes = {f["path"]: f["size"] for f in data.show(result["id"], store=store)["files"]}
    assert sizes == {"a.bin": 100, "empty": 0, "link.bin": 100, "linked-folder/b.txt": 1, "s/b.txt": 1}


def test_a_folder_whose_path_looks_like_a_secret_is_recorded_as_it_is(any_store_uri, tmp_path):  # noqa: F811
    """The version's source path is where verify looks: redacted, the data would seem gone.
    The free text beside it (the name) is still redacted."""
    from jupyter_dlops.store import open_store

    store = open_store(any_store_uri)
    folder = write_files(tmp_path / "api_key=abcd1234efgh5678", {"a.txt": "a"})
    result = data.add(folder, name="set password=hunter2hunter2", store=store)
    version = data.show(result["id"], store=store)
    assert version["source_path"] == str(folder)
    assert data.verify(result["id"], store=store)["ok"]
    assert "hunter2hunter2" not in version["name"] and version["name"].startswith("set password=")
    again = data.add(folder, store=store)
    assert (again["created"], again["files_cached"], again["bytes_read"]) == (False, 1, 0)
