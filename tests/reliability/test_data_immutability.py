"""A committed data version never changes: no API or CLI path modifies its record, and
tampering with its stored manifest or objects is caught by ``dlops data verify`` and
``dlops gc --check``."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

pytest.importorskip("jupyter_dlops.data", reason="the data branch is not merged")

from jupyter_dlops import data  # noqa: E402
from jupyter_dlops.store import close_all, open_store  # noqa: E402

DLOPS = [sys.executable, "-c", "import sys; from jupyter_dlops.cli import run; sys.exit(run())"]


def dlops(*args, env):
    return subprocess.run([*DLOPS, *args], env=env, capture_output=True, text=True, timeout=120)


def tamper(store, sql, params):
    """Someone with write access to the database edits it behind our back, triggers and all."""
    with store.write() as cursor:
        if store.dialect == "sqlite":
            triggers = store.read("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'data_file'")
            for (name,) in triggers:
                cursor.execute(f"DROP TRIGGER {name}")
        else:
            cursor.execute("ALTER TABLE data_file DISABLE TRIGGER USER")
        cursor.execute(sql, params)


def _snapshot(store, vid):
    return [store.read("SELECT * FROM data_version WHERE version_id = ?", (vid,)),
            store.read("SELECT path, size, hash FROM data_file WHERE version_id = ? ORDER BY path", (vid,))]


@pytest.fixture
def version(any_store_uri, tmp_path):
    folder = tmp_path / "images"
    folder.mkdir()
    for i in range(4):
        (folder / f"img{i}.bin").write_bytes(os.urandom(1000 + i))
    meta = tmp_path / "meta.csv"
    meta.write_text("path,label,temperature\n" + "".join(f"img{i}.bin,{'awake' if i % 2 else 'asleep'},{20 + i}\n"
                                                       for i in range(4)))
    store = open_store(any_store_uri)
    added = data.add(folder, name="pets", meta=meta, store_content=True, store=store)
    yield store, added["id"], folder, {**os.environ, "DLOPS_STORE": any_store_uri}
    close_all()


def test_no_api_or_cli_path_modifies_a_version(version, tmp_path):
    store, vid, folder, env = version
    before = _snapshot(store, vid)
    assert data.add(folder, name="pets", store_content=True, meta=tmp_path / "meta.csv", store=store)["id"] == vid
    data.query(vid, "temperature > 21", save="warm", store=store)
    data.checkout(vid, tmp_path / "out", store=store)
    (folder / "img0.bin").write_bytes(b"changed")
    assert data.add(folder, name="pets", store=store)["id"] != vid  # a new version, the old one kept
    for args in (["data", "add", str(folder), "--name", "pets"], ["data", "query", vid, "label = 'awake'", "--save", "x"],
                 ["data", "checkout", vid, str(tmp_path / "out")], ["gc", "--grace", "0"],
                 ["sql", f"DELETE FROM data_file WHERE version_id = '{vid}'"],
                 ["sql", "UPDATE data_file SET hash = 'x'"]):
        dlops(*args, env=env)  # success or a refusal: neither may touch the version
    assert _snapshot(store, vid) == before
    for (object_id,) in store.read("SELECT hash FROM data_file WHERE version_id = ?", (vid,)):
        path = store.objects.path(object_id)
        assert path.exists() and not os.stat(path).st_mode & 0o222  # content objects are read-only
    done = dlops("gc", "--check", env=env)
    assert done.returncode == 0, done.stderr


def test_tampered_manifest_is_detected(version):
    store, vid, folder, env = version
    assert dlops("data", "verify", vid, env=env).returncode == 0
    with pytest.raises(Exception, match="immutable"), store.write() as cursor:  # a trigger refuses
        cursor.execute("UPDATE data_file SET size = 1 WHERE version_id = ?", (vid,))
    tamper(store, "UPDATE data_file SET size = size + 1 WHERE version_id = ? AND path = 'img1.bin'", (vid,))
    verify = dlops("data", "verify", vid, env=env)
    assert verify.returncode == 6 and "tampered" in verify.stderr
    assert len(verify.stderr.strip().splitlines()) == 1
    check = dlops("gc", "--check", "--json", env=env)
    assert check.returncode == 4
    assert any(vid[:12] in line and "manifest" in line for line in json.loads(check.stdout)["data_versions"])


def test_tampered_object_is_detected(version):
    store, vid, folder, env = version
    object_id = store.read("SELECT hash FROM data_file WHERE version_id = ? AND path = 'img2.bin'", (vid,))[0][0]
    path = store.objects.path(object_id)
    os.chmod(path, 0o644)
    path.write_bytes(b"evil" + path.read_bytes()[4:])
    verify = dlops("data", "verify", vid, env=env)
    assert verify.returncode == 6 and "was modified" in verify.stderr
    check = dlops("gc", "--check", "--json", env=env)
    assert check.returncode == 4 and json.loads(check.stdout)["corrupt"] == [object_id]
    assert "does not match its content" in dlops("gc", "--check", env=env).stdout


def test_editing_the_source_in_place_leaves_the_stored_version_intact(version, tmp_path):
    """Stored content is a copy (or a reflink), never a hard link to the user's file."""
    store, vid, folder, env = version
    original = (folder / "img3.bin").read_bytes()
    with open(folder / "img3.bin", "r+b") as handle:  # an in-place edit: same inode
        handle.write(b"edited")
    data.checkout(vid, tmp_path / "restored", store=store)
    assert (tmp_path / "restored" / "img3.bin").read_bytes() == original
    assert dlops("gc", "--check", env=env).returncode == 0
