"""Stores whose objects live in a bucket, team stores that share none, and ``dlops doctor``
(issue 19). The bucket is on a real S3-compatible server (tests/s3_server.py)."""

import json
import os
import time

import pytest
from helpers import run_cli

from jupyter_dlops.errors import StoreError
from jupyter_dlops.store import close_all, open_store
from jupyter_dlops.store.gc import check, collect
from jupyter_dlops.tracking.client import DlopsClient


@pytest.fixture
def located_store(objects_location, tmp_path, monkeypatch):
    """A SQLite store whose objects are at ``objects_location`` (a folder or a bucket)."""
    monkeypatch.setenv("DLOPS_ARTIFACTS", objects_location)
    monkeypatch.setenv("DLOPS_STORE", str(tmp_path / "store"))
    yield open_store(str(tmp_path / "store"))
    close_all()


def test_gc_removes_only_old_unreferenced_objects(located_store):
    client = DlopsClient(located_store)
    run_id = client.create_run("gc")
    kept = client.log_bytes(run_id, b"model weights", "model.bin").object_id
    orphan = located_store.objects.put_bytes(b"nothing refers to me")
    client.set_terminated(run_id)  # a running run's new objects are spared whatever the grace
    young = collect(located_store, grace_seconds=3600)
    assert young.removed == [] and young.kept_young >= 1
    time.sleep(1.1)  # S3 keeps modification times to the second
    report = collect(located_store, grace_seconds=0.5)
    assert report.removed == [orphan] and report.bytes_freed == len(b"nothing refers to me")
    assert located_store.objects.exists(kept) and not located_store.objects.exists(orphan)
    assert located_store.objects.read_bytes(kept) == b"model weights"
    assert check(located_store) == {"corrupt": [], "missing": []}


def test_data_content_goes_to_the_objects_and_checks_out(located_store, tmp_path):
    from jupyter_dlops import data

    folder = tmp_path / "data"
    (folder / "sub").mkdir(parents=True)
    files = {"a.txt": b"alpha\n", "sub/b.bin": os.urandom(5000)}
    for rel, content in files.items():
        (folder / rel).write_bytes(content)
    version = data.add(folder, store_content=True, store=located_store)
    assert sorted(located_store.objects.iter_ids()) == sorted(
        f["hash"] for f in data.show(version["id"], store=located_store)["files"])
    data.checkout(version["id"], tmp_path / "out", store=located_store)
    assert {rel: (tmp_path / "out" / rel).read_bytes() for rel in files} == files
    assert data.verify(version["id"], store=located_store)["ok"]


@pytest.mark.s3
def test_a_sqlite_uri_can_name_a_bucket(s3_location, tmp_path, monkeypatch):
    monkeypatch.delenv("DLOPS_ARTIFACTS", raising=False)
    store = open_store(f"sqlite:///{tmp_path}/store?artifacts={s3_location}")
    try:
        assert store.objects.location == s3_location
        object_id = store.objects.put_bytes(b"in the bucket")
        assert store.objects.client.get_object(
            Bucket=store.objects.bucket, Key=store.objects.key(object_id))["Body"].read() == b"in the bucket"
        assert not (tmp_path / "store" / "objects").exists()
    finally:
        close_all()


@pytest.mark.postgres
def test_a_team_store_without_shared_objects_refuses_the_first_write(postgres_server, tmp_path, monkeypatch):
    monkeypatch.delenv("DLOPS_ARTIFACTS", raising=False)
    monkeypatch.chdir(tmp_path)
    uri = postgres_server.uri(postgres_server.create_database())
    try:
        store = open_store(uri)
        with pytest.raises(StoreError, match="no shared object location.*set DLOPS_ARTIFACTS"):
            DlopsClient(store).create_run("split")
        assert not (tmp_path / ".dlops").exists()
        shared = open_store(f"{uri}?artifacts={tmp_path / 'shared'}")
        assert shared.read("SELECT count(*) FROM run") == [(0,)]
        DlopsClient(shared).create_run("fine")
        assert shared.read("SELECT count(*) FROM run") == [(1,)]
    finally:
        close_all()


def doctor(env: dict) -> tuple[int, str, str]:
    result = run_cli("doctor", env={**os.environ, **env})
    return result.returncode, result.stdout, result.stderr


@pytest.mark.s3
def test_doctor_passes_when_database_and_bucket_are_reached(s3_location, tmp_path):
    open_store(str(tmp_path / "store"), create=True)
    code, out, err = doctor({"DLOPS_STORE": str(tmp_path / "store"), "DLOPS_ARTIFACTS": s3_location})
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("ok") and "database" in lines[0] and "read and write work" in lines[0]
    assert lines[1].startswith("ok") and s3_location in lines[1] and "write, read and delete work" in lines[1]
    close_all()
    store = open_store(str(tmp_path / "store"))
    assert list(store.objects.iter_ids()) == []  # the probe object is gone again
    assert store.read("SELECT count(*) FROM meta WHERE key = 'doctor_probe'") == [(0,)]
    close_all()


@pytest.mark.s3
def test_doctor_fails_in_one_line_when_the_bucket_is_missing(s3_location, tmp_path):
    open_store(str(tmp_path / "store"), create=True)
    missing = s3_location.replace("s3://", "s3://nobucket-")
    code, out, err = doctor({"DLOPS_STORE": str(tmp_path / "store"), "DLOPS_ARTIFACTS": missing})
    assert code == 4
    assert out.splitlines()[1].startswith("FAIL") and "bucket does not exist" in out
    assert err.count("\n") == 1 and "does not reach the objects" in err
    close_all()


def test_doctor_fails_when_there_is_no_store(tmp_path):
    code, out, err = doctor({"DLOPS_STORE": str(tmp_path / "none"), "DLOPS_ARTIFACTS": ""})
    assert code == 4 and out.startswith("FAIL  database") and "no store at" in out
    assert not (tmp_path / "none").exists()


@pytest.mark.postgres
def test_doctor_names_what_to_set_for_an_unshared_team_store(postgres_server, tmp_path):
    uri = postgres_server.uri(postgres_server.create_database())
    open_store(f"{uri}?artifacts={tmp_path}/o").close()
    close_all()
    result = run_cli("doctor", "--json", env={**os.environ, "DLOPS_STORE": uri, "DLOPS_ARTIFACTS": ""},
                     cwd=tmp_path)
    checks = json.loads(result.stdout)
    assert result.returncode == 4
    assert [(c["name"], c["ok"]) for c in checks] == [("database", True), ("objects", False)]
    assert "set DLOPS_ARTIFACTS" in checks[1]["detail"]


@pytest.mark.postgres
@pytest.mark.s3
def test_a_team_store_on_postgresql_keeps_its_objects_in_the_bucket(postgres_server, s3_location, monkeypatch):
    monkeypatch.delenv("DLOPS_ARTIFACTS", raising=False)
    uri = f"{postgres_server.uri(postgres_server.create_database())}?artifacts={s3_location}"
    try:
        store = open_store(uri)
        client = DlopsClient(store)
        run_id = client.create_run("team")
        object_id = client.log_bytes(run_id, b"team weights", "model.bin").object_id
        close_all()
        other = open_store(uri)  # another member: same database, same bucket, fresh cache
        other.objects.cache.root = other.objects.cache.root.parent / "member-b"
        other.objects.cache.tmp = other.objects.cache.root / "tmp"
        artifact = other.get_run(run_id).artifacts[0]
        assert (artifact.path, artifact.object_id) == ("model.bin", object_id)
        assert other.objects.read_bytes(object_id) == b"team weights"
    finally:
        close_all()
