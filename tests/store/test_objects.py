"""The object store, on local disk and in a bucket on a real S3-compatible server (issue 19)."""

import os
import threading
import time

import blake3
import pytest

from jupyter_dlops.errors import NotFoundError, StoreError
from jupyter_dlops.store.objects import LocalObjectStore, hash_file, open_objects


@pytest.fixture
def objects(objects_location):
    return open_objects(objects_location)


def stored_bytes(objects, object_id):
    """The bytes at the object's place, read around the store (file or bucket key)."""
    if isinstance(objects, LocalObjectStore):
        return objects.path(object_id).read_bytes()
    return objects.client.get_object(Bucket=objects.bucket, Key=objects.key(object_id))["Body"].read()


def test_ids_are_blake3_of_content_and_sharded(objects):
    object_id = objects.put_bytes(b"hello")
    assert object_id == blake3.blake3(b"hello").hexdigest()
    assert stored_bytes(objects, object_id) == b"hello"
    if isinstance(objects, LocalObjectStore):
        path = objects.path(object_id)
        assert path.parent.name == object_id[:2] and path.name == object_id[2:]
    else:
        assert objects.key(object_id) == f"objects/{object_id[:2]}/{object_id[2:]}"
    assert objects.read_bytes(object_id) == b"hello"


def test_same_content_is_stored_once(objects, tmp_path):
    source = tmp_path / "a.bin"
    source.write_bytes(os.urandom(1000))
    first = objects.put_file(source)
    second = objects.put_bytes(source.read_bytes())
    assert first == second
    assert list(objects.iter_ids()) == [first]
    assert [(i, size) for i, size, _ in objects.iter_stats()] == [(first, 1000)]


def test_two_writers_of_the_same_content_leave_one_intact_object(objects, tmp_path):
    data = os.urandom(200_000)
    ids, errors = [], []

    def write():
        try:
            ids.append(objects.put_bytes(data))
        except Exception as error:  # pragma: no cover - the assertion below shows it
            errors.append(error)

    threads = [threading.Thread(target=write) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(set(ids)) == 1
    assert list(objects.iter_ids()) == ids[:1]
    assert stored_bytes(objects, ids[0]) == data


def test_large_files_hash_like_small_ones(tmp_path):
    data = os.urandom(5 << 20)
    big = tmp_path / "big"
    big.write_bytes(data)
    assert hash_file(big) == blake3.blake3(data).hexdigest()


def test_objects_are_read_only_and_no_temporaries_remain(tmp_path):
    objects = LocalObjectStore(tmp_path / "objects")
    object_id = objects.put_bytes(b"x" * 10)
    assert not os.stat(objects.path(object_id)).st_mode & 0o222
    assert list(objects.iter_temporary()) == []


def test_missing_object_is_a_clear_error(objects):
    with pytest.raises(NotFoundError, match="missing"):
        objects.read_bytes("0" * 64)
    assert not objects.exists("0" * 64)
    assert objects.problem("0" * 64) == "missing"
    with pytest.raises(NotFoundError, match="not an object id"):
        objects.path("../../etc/passwd")


def test_removed_objects_are_gone(objects):
    keep, drop = objects.put_bytes(b"keep"), objects.put_bytes(b"drop")
    objects.remove(drop)
    assert sorted(objects.iter_ids()) == [keep]
    assert not objects.exists(drop) and objects.read_bytes(keep) == b"keep"


def test_expected_content_is_enforced(objects, tmp_path):
    from jupyter_dlops.store.objects import ContentChangedError

    source = tmp_path / "f"
    source.write_bytes(b"new bytes")
    with pytest.raises(ContentChangedError, match="changed after it was hashed"):
        objects.put_file(source, expected="0" * 64)
    assert list(objects.iter_ids()) == []


@pytest.mark.s3
def test_a_modified_object_in_the_bucket_is_refused_on_read(s3_location):
    objects = open_objects(s3_location)
    object_id = objects.put_bytes(b"original")
    objects.client.put_object(Bucket=objects.bucket, Key=objects.key(object_id), Body=b"tampered")
    fresh = open_objects(s3_location)
    fresh.cache.root = fresh.cache.root.parent / "empty"  # nothing cached: read from the bucket
    fresh.cache.tmp = fresh.cache.root / "tmp"
    with pytest.raises(StoreError, match="does not match its id"):
        fresh.read_bytes(object_id)
    assert fresh.problem(object_id) == "modified"
    assert not fresh.cache.path(object_id).exists()


@pytest.fixture
def count_requests():
    """Record the HTTP requests a store's (process-wide) client sends, until the test ends."""
    hooks = []

    def start(objects) -> list[str]:
        seen: list[str] = []

        def hook(request, **_):
            seen.append(request.method)

        objects.client.meta.events.register("before-send.s3", hook)
        hooks.append((objects.client, hook))
        return seen

    yield start
    for client, hook in hooks:
        client.meta.events.unregister("before-send.s3", hook)


@pytest.mark.s3
def test_repeated_reads_come_from_the_cache_with_no_request(s3_location, count_requests):
    objects = open_objects(s3_location)
    object_id = objects.put_bytes(b"payload" * 100)
    requests = count_requests(objects)
    assert objects.read_bytes(object_id) == b"payload" * 100
    first = len(requests)
    assert first >= 1
    for _ in range(3):
        assert objects.read_bytes(object_id) == b"payload" * 100
    assert len(requests) == first


@pytest.mark.s3
def test_the_cache_is_size_bounded_and_evicts_the_least_recently_used(s3_location, monkeypatch):
    monkeypatch.setenv("DLOPS_CACHE_BYTES", "2500")
    writer = open_objects(s3_location)
    ids = [writer.put_bytes(bytes([n]) * 1000) for n in range(3)]
    reader = open_objects(s3_location)
    reader.read_bytes(ids[0])
    reader.read_bytes(ids[1])
    past = time.time() - 100
    os.utime(reader.cache.path(ids[1]), (past, past))  # ids[0] is now the more recently used
    reader.read_bytes(ids[2])
    cached = sorted(p.name for p in reader.cache.root.glob("??/*"))
    assert cached == sorted(i[2:] for i in (ids[0], ids[2]))
    assert reader.read_bytes(ids[1]) == bytes([1]) * 1000  # evicted, read again from the bucket


@pytest.mark.s3
def test_large_files_go_up_in_parts_and_come_back_verified(s3_location, tmp_path, monkeypatch):
    from jupyter_dlops.store import s3objects

    monkeypatch.setattr(s3objects, "MULTIPART_BYTES", 5 << 20)  # S3's smallest part
    data = os.urandom(11 << 20)
    source = tmp_path / "big.bin"
    source.write_bytes(data)
    objects = open_objects(s3_location)
    object_id = objects.put_file(source)
    head = objects.client.head_object(Bucket=objects.bucket, Key=objects.key(object_id))
    assert head["ETag"].strip('"').endswith("-3") and head["ContentLength"] == len(data)
    reader = open_objects(s3_location)
    reader.cache.root = tmp_path / "other-cache"
    reader.cache.tmp = reader.cache.root / "tmp"
    assert reader.path(object_id).read_bytes() == data


@pytest.mark.s3
def test_reusing_an_old_object_refreshes_its_age_for_gc(s3_location, monkeypatch):
    from jupyter_dlops.store import s3objects

    objects = open_objects(s3_location)
    object_id = objects.put_bytes(b"shared")
    before = objects.client.head_object(Bucket=objects.bucket, Key=objects.key(object_id))["LastModified"]
    monkeypatch.setattr(s3objects, "REFRESH_AFTER", 0.0)
    time.sleep(1.1)  # S3 keeps modification times to the second
    assert objects.put_bytes(b"shared") == object_id
    after = objects.client.head_object(Bucket=objects.bucket, Key=objects.key(object_id))["LastModified"]
    assert after > before
    assert objects.read_bytes(object_id) == b"shared"


@pytest.mark.s3
def test_stale_multipart_uploads_are_the_buckets_temporaries(s3_location):
    objects = open_objects(s3_location)
    objects.client.create_multipart_upload(Bucket=objects.bucket, Key=objects.key("a" * 64))
    # moto reports a fixed start time for every upload, so the cutoffs are set around it.
    started = objects.client.list_multipart_uploads(Bucket=objects.bucket)["Uploads"][0]["Initiated"].timestamp()
    assert objects.remove_temporaries(started - 1) == 0  # started after the cutoff: kept
    assert objects.remove_temporaries(started + 1, dry_run=True) == 1
    assert objects.client.list_multipart_uploads(Bucket=objects.bucket)["Uploads"] != []
    assert objects.remove_temporaries(started + 1) == 1
    assert objects.client.list_multipart_uploads(Bucket=objects.bucket).get("Uploads", []) == []


@pytest.mark.s3
def test_unreachable_bucket_is_one_clear_line(s3_location):
    objects = open_objects(s3_location.replace("s3://", "s3://missing-"))
    with pytest.raises(StoreError, match="bucket does not exist"):
        objects.put_bytes(b"x")
