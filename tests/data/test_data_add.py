"""``data.add``: content addressing, the stat cache, immutability, and awkward input."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import blake3
import pytest
from data_helpers import settle, write_files

from jupyter_dlops import data
from jupyter_dlops.errors import DataError, NotFoundError


def test_same_data_same_id_and_readding_is_a_noop(store, dataset):
    first = data.add(dataset, name="ds", store=store)
    again = data.add(dataset, name="ds", store=store)
    assert first["created"] and not again["created"]
    assert first["id"] == again["id"] and len(first["id"]) == 64
    assert first["files"] == 4
    assert [v["id"] for v in data.list_versions(store=store)] == [first["id"]]
    assert len(data.log("ds", store=store)) == 1


def test_id_does_not_depend_on_location_or_store(tmp_path, store, dataset):
    copy = tmp_path / "copy"
    shutil.copytree(dataset, copy)
    settle(copy)
    assert data.add(copy, store=store)["id"] == data.add(dataset, store=store)["id"]


def test_any_changed_byte_gives_a_new_id(store, dataset):
    before = data.add(dataset, store=store)["id"]
    target = dataset / "sub" / "c.bin"
    content = bytearray(target.read_bytes())
    content[1234] ^= 1
    target.write_bytes(bytes(content))
    settle(dataset)
    after = data.add(dataset, store=store)
    assert after["id"] != before and after["created"]


def test_manifest_records_relative_path_size_and_blake3(store, dataset):
    version = data.show(data.add(dataset, store=store)["id"], store=store)
    files = {f["path"]: f for f in version["files"]}
    assert sorted(files) == ["a.txt", "b.txt", "sub/c.bin", "sub/deeper/d.txt"]
    raw = (dataset / "sub/c.bin").read_bytes()
    assert files["sub/c.bin"] == {"path": "sub/c.bin", "size": len(raw),
                                  "hash": blake3.blake3(raw).hexdigest()}


def test_unchanged_files_are_not_read_again(store, dataset):
    first = data.add(dataset, store=store)
    assert first["files_hashed"] == 4 and first["bytes_read"] == first["bytes"]
    second = data.add(dataset, store=store)
    assert second["files_hashed"] == 0 and second["bytes_read"] == 0
    assert second["files_cached"] == 4


def test_readding_unchanged_data_under_a_name_records_the_name(store, dataset):
    first = data.add(dataset, store=store)
    named = data.add(dataset, name="later", store=store)
    assert named["id"] == first["id"] and named["files_hashed"] == 0
    assert [v["id"] for v in data.log("later", store=store)] == [first["id"]]
    assert data.verify("later", store=store) == {**data.verify("later", store=store), "ok": True}


def test_after_changing_one_file_only_that_file_is_read(store, dataset):
    data.add(dataset, store=store)
    (dataset / "b.txt").write_text("bravo, changed\n")
    settle(dataset / "b.txt")
    result = data.add(dataset, store=store)
    assert result["files_hashed"] == 1
    assert result["bytes_read"] == len("bravo, changed\n")


def test_a_file_touched_but_not_changed_keeps_the_id(store, dataset):
    first = data.add(dataset, store=store)
    settle(dataset / "a.txt")  # new mtime, same bytes: re-read once, same id
    second = data.add(dataset, store=store)
    assert second["id"] == first["id"] and second["files_hashed"] == 1


def test_no_raw_bytes_are_copied_by_default(store, store_dir, dataset):
    data.add(dataset, store=store)
    objects = store_dir / "objects"
    assert not objects.exists() or not [p for p in objects.rglob("*") if p.is_file()]


def test_store_content_copies_into_the_object_store(store, dataset):
    result = data.add(dataset, store_content=True, store=store)
    assert result["has_content"]
    for f in data.show(result["id"], store=store)["files"]:
        assert store.objects.path(f["hash"]).read_bytes() == (dataset / f["path"]).read_bytes()


def test_store_content_later_keeps_the_version_identical(store, dataset):
    plain = data.add(dataset, store=store)
    files_before = data.show(plain["id"], store=store)["files"]
    stored = data.add(dataset, store_content=True, store=store)
    assert stored["id"] == plain["id"] and not stored["created"] and stored["has_content"]
    assert data.show(plain["id"], store=store)["files"] == files_before


def test_the_store_itself_refuses_to_change_a_version(store, dataset):
    from jupyter_dlops.errors import StoreError

    version = data.add(dataset, store=store)["id"]
    for sql in ("UPDATE data_file SET hash = 'x' WHERE version_id = ?",
                "UPDATE data_version SET total_bytes = 0 WHERE version_id = ?",
                "UPDATE data_version SET name = 'renamed' WHERE version_id = ?"):
        with pytest.raises(StoreError, match="data versions are immutable"), store.write() as cursor:
            cursor.execute(sql, (version,))
    assert data.verify(version, store=store)["ok"]


def test_a_single_file_can_be_versioned(store, dataset):
    result = data.add(dataset / "a.txt", store=store)
    assert result["files"] == 1
    assert data.show(result["id"], store=store)["files"][0]["path"] == "a.txt"
    assert data.verify(result["id"], store=store)["ok"]


def test_names_with_spaces_unicode_and_newlines(store, tmp_path):
    folder = write_files(tmp_path / "odd", {"with space.txt": "1", "ünïcödé/日本.txt": "2",
                                            "new\nline.txt": "3", "tab\there": "4"})
    result = data.add(folder, store=store)
    paths = [f["path"] for f in data.show(result["id"], store=store)["files"]]
    assert sorted(paths) == sorted(["with space.txt", "ünïcödé/日本.txt", "new\nline.txt", "tab\there"])
    assert data.verify(result["id"], store=store)["ok"]
    assert data.add(folder, store=store)["id"] == result["id"]


def test_missing_path_is_a_clear_error(store, tmp_path):
    with pytest.raises(NotFoundError, match="no such file or folder"):
        data.add(tmp_path / "nope", store=store)


def test_empty_folder_is_a_clear_error(store, tmp_path):
    (tmp_path / "empty" / "also-empty").mkdir(parents=True)
    with pytest.raises(DataError, match="holds no files"):
        data.add(tmp_path / "empty", store=store)


def test_symlink_loop_is_refused_naming_the_link(store, dataset):
    os.symlink("..", dataset / "sub" / "loop")
    with pytest.raises(DataError, match="symbolic link loop: .*loop"):
        data.add(dataset, store=store)


def test_self_referencing_symlink_is_refused(store, dataset):
    os.symlink("self", dataset / "self")
    with pytest.raises(DataError, match="self is a broken or looping symbolic link"):
        data.add(dataset, store=store)


def test_symlink_to_a_file_versions_its_content(store, dataset):
    os.symlink("a.txt", dataset / "link.txt")
    result = data.add(dataset, store=store)
    files = {f["path"]: f["hash"] for f in data.show(result["id"], store=store)["files"]}
    assert files["link.txt"] == files["a.txt"]


def test_the_store_folder_inside_the_data_is_skipped(tmp_path):
    from jupyter_dlops.store import close_all, open_store

    folder = write_files(tmp_path / "proj", {"x.txt": "x"})
    store = open_store(str(folder / ".dlops"))
    try:
        result = data.add(folder, store=store)
        assert result["files"] == 1
    finally:
        close_all()


def test_a_file_that_keeps_changing_is_refused_or_hashed_while_stable(store, tmp_path):
    """An append-only writer runs during the whole add: the add is refused (nothing
    recorded), or a hash taken while the file did not move is recorded, and then it is the
    hash of the file's first ``size`` bytes, which appending never changes."""
    folder = write_files(tmp_path / "live", {"big.bin": os.urandom(16 << 20), "ok.txt": "ok"})
    stop = threading.Event()

    def writer():
        with open(folder / "big.bin", "ab") as handle:
            while not stop.is_set():
                handle.write(os.urandom(4096))
                handle.flush()
                time.sleep(0.0002)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        result = data.add(folder, store=store)
    except DataError as error:
        assert "big.bin kept changing while it was hashed" in str(error)
        assert data.list_versions(store=store) == []
        return
    finally:
        stop.set()
        thread.join()
    entry = next(f for f in data.show(result["id"], store=store)["files"] if f["path"] == "big.bin")
    content = (folder / "big.bin").read_bytes()[:entry["size"]]
    assert blake3.blake3(content).hexdigest() == entry["hash"]


def test_a_file_rewritten_while_hashed_is_never_recorded_wrong(store, tmp_path):
    """A writer rewrites the first MiB in place (same size) 60 times while add runs: whatever
    add records must be the hash of a state the file really had between two writes."""
    original = os.urandom(12 << 20)
    folder = write_files(tmp_path / "once", {"big.bin": original})
    blocks = [bytes([k]) * (1 << 20) for k in range(60)]
    started = threading.Event()

    def writer():
        with open(folder / "big.bin", "r+b") as handle:
            started.set()
            for block in blocks:
                handle.seek(0)
                handle.write(block)
                handle.flush()
                time.sleep(0.002)

    thread = threading.Thread(target=writer)
    thread.start()
    started.wait()
    try:
        result = data.add(folder, store=store)
    finally:
        thread.join()
    recorded = data.show(result["id"], store=store)["files"][0]["hash"]
    states = [original] + [block + original[1 << 20:] for block in blocks]
    assert recorded in {blake3.blake3(state).hexdigest() for state in states}


MAIN = "import sys; from jupyter_dlops.cli import main; sys.exit(main(sys.argv[1:]))"


def _run_as_nobody(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    command = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=60)


@pytest.mark.slow
@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("setpriv"),
                    reason="needs root and setpriv to run the CLI as an unprivileged user "
                           "(root reads every file, so permission errors cannot happen as root)")
def test_unreadable_file_is_named_in_the_error(tmp_path_factory):
    import tempfile

    base = Path(tempfile.mkdtemp(prefix="dlops-perm-"))
    try:
        os.chmod(base, 0o777)
        folder = write_files(base / "data", {"fine.txt": "fine", "secret.txt": "secret"})
        os.chmod(folder / "secret.txt", 0o000)
        store = base / "store"
        store.mkdir()
        os.chmod(store, 0o777)
        env = {**os.environ, "DLOPS_STORE": str(store), "HOME": str(base)}
        probe = _run_as_nobody([sys.executable, "-c", "import jupyter_dlops"], env)
        if probe.returncode != 0:
            pytest.skip(f"the package is not importable as 'nobody': {probe.stderr.strip()[-200:]}")
        done = _run_as_nobody([sys.executable, "-c", MAIN, "data", "add", str(folder)], env)
        assert done.returncode == DataError.exit_code, done.stderr
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1
        assert "permission denied reading" in lines[0] and "secret.txt" in lines[0]
    finally:
        shutil.rmtree(base, ignore_errors=True)
