"""verify, diff, checkout, log, list, show and version references."""

from __future__ import annotations

import os
import shutil

import pytest
from data_helpers import settle, write_files

from jupyter_dlops import data
from jupyter_dlops.errors import AmbiguousError, DataError, NotFoundError, UsageError


def test_verify_unchanged_data_is_ok(store, dataset):
    version = data.add(dataset, store=store)["id"]
    result = data.verify(version, store=store)
    assert result["ok"] and result["files_hashed"] == 0
    assert result == {**result, "changed": [], "appeared": [], "vanished": []}


def test_verify_names_changed_appeared_and_vanished_files(store, dataset):
    version = data.add(dataset, store=store)["id"]
    (dataset / "a.txt").write_text("alpha, longer now\n")
    (dataset / "sub" / "deeper" / "d.txt").unlink()
    (dataset / "new one.txt").write_text("new")
    settle(dataset / "a.txt")
    result = data.verify(version, store=store)
    assert not result["ok"]
    assert result["changed"] == [{"path": "a.txt", "old_size": 6, "new_size": 18}]
    assert result["vanished"] == [{"path": "sub/deeper/d.txt", "size": 6}]
    assert result["appeared"] == [{"path": "new one.txt", "size": 3}]


def test_verify_detects_same_size_same_mtime_change_with_rehash(store, dataset):
    version = data.add(dataset, store=store)["id"]
    target = dataset / "b.txt"
    stat = target.stat()
    target.write_text("BRAVO\n")  # same size; put the old mtime back: only --rehash can tell
    import os

    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert data.verify(version, rehash=True, store=store)["changed"][0]["path"] == "b.txt"


def test_verify_after_the_data_was_deleted(store, dataset):
    version = data.add(dataset, store=store)["id"]
    shutil.rmtree(dataset)
    result = data.verify(version, store=store)
    assert not result["ok"] and len(result["vanished"]) == 4


def test_diff_lists_added_removed_and_modified_with_sizes(store, dataset):
    old = data.add(dataset, store=store)["id"]
    (dataset / "a.txt").write_text("alpha 2\n")
    (dataset / "b.txt").unlink()
    (dataset / "e.txt").write_text("echo\n")
    settle(dataset)
    new = data.add(dataset, store=store)["id"]
    result = data.diff(old, new, store=store)
    assert result["added"] == [{"path": "e.txt", "size": 5}]
    assert result["removed"] == [{"path": "b.txt", "size": 6}]
    assert result["modified"] == [{"path": "a.txt", "old_size": 6, "new_size": 8}]
    assert result["unchanged"] == 2


def test_checkout_writes_the_exact_files(store, dataset, tmp_path):
    version = data.add(dataset, store_content=True, store=store)["id"]
    original = {p.relative_to(dataset): p.read_bytes() for p in dataset.rglob("*") if p.is_file()}
    shutil.rmtree(dataset)
    result = data.checkout(version, tmp_path / "restored", store=store)
    restored = {p.relative_to(tmp_path / "restored"): p.read_bytes()
                for p in (tmp_path / "restored").rglob("*") if p.is_file()}
    assert restored == original and result["files"] == 4


def test_checkout_refuses_versions_without_content(store, dataset, tmp_path):
    version = data.add(dataset, store=store)["id"]
    with pytest.raises(DataError, match="without --store-content"):
        data.checkout(version, tmp_path / "out", store=store)
    assert not (tmp_path / "out").exists()


def test_checkout_refuses_a_non_empty_folder(store, dataset, tmp_path):
    version = data.add(dataset, store_content=True, store=store)["id"]
    write_files(tmp_path / "busy", {"keep.txt": "mine"})
    with pytest.raises(UsageError, match="not an empty folder"):
        data.checkout(version, tmp_path / "busy", store=store)
    assert (tmp_path / "busy" / "keep.txt").read_text() == "mine"


def test_checkout_detects_a_corrupted_object_and_leaves_nothing(store, tmp_path):
    folder = write_files(tmp_path / "d", {"x.bin": b"x" * 100})
    version = data.add(folder, store_content=True, store=store)["id"]
    # A stored object corrupted behind our back (disk error, tampering): checkout must notice.
    from jupyter_dlops.store.objects import hash_bytes

    stored = store.objects.path(hash_bytes(b"x" * 100))
    os.chmod(stored, 0o644)
    stored.write_bytes(b"y" * 100)
    with pytest.raises(DataError, match="no longer holds the versioned bytes"):
        data.checkout(version, tmp_path / "out", store=store)
    assert not (tmp_path / "out").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.dlops-")]


def test_log_lists_the_versions_of_a_name_newest_first(store, dataset):
    first = data.add(dataset, name="pets", store=store)["id"]
    (dataset / "a.txt").write_text("changed")
    settle(dataset)
    second = data.add(dataset, name="pets", store=store)["id"]
    assert [v["id"] for v in data.log("pets", store=store)] == [second, first]
    assert data.show("pets", store=store)["id"] == second
    with pytest.raises(NotFoundError, match="no data version is named 'cats'"):
        data.log("cats", store=store)


def test_references_by_prefix_and_errors(store, dataset):
    version = data.add(dataset, store=store)["id"]
    assert data.show(version[:8], store=store)["id"] == version
    with pytest.raises(NotFoundError, match="no data version matches 'ffffffff'"):
        data.show("ffffffff", store=store)
    with pytest.raises(UsageError, match="empty data version reference"):
        data.show("  ", store=store)
    # Two versions whose ids share a prefix (written as rows: finding real colliding
    # BLAKE3 ids would take a while).
    with store.write() as cursor:
        for suffix in ("1", "2"):
            cursor.execute("INSERT INTO data_version (version_id, source_path, created, file_count, "
                           "total_bytes) VALUES (?, '/x', 0, 0, 0)", ("abcd" + suffix * 60,))
    with pytest.raises(AmbiguousError, match="'abcd' matches several data versions"):
        data.show("abcd", store=store)
    assert data.show("abcd1", store=store)["id"] == "abcd" + "1" * 60


def test_list_versions_filters_by_name(store, dataset, tmp_path):
    data.add(dataset, name="one", store=store)
    other = write_files(tmp_path / "other", {"z": "z"})
    data.add(other, name="two", store=store)
    assert [v["name"] for v in data.list_versions(store=store)] == ["two", "one"]
    assert [v["name"] for v in data.list_versions("one", store=store)] == ["one"]


def test_list_versions_refuses_a_negative_limit(store):
    with pytest.raises(UsageError, match="--limit must be zero or more"):
        data.list_versions(limit=-1, store=store)
