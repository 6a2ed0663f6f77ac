import os

import blake3
import pytest

from jupyter_dlops.errors import NotFoundError
from jupyter_dlops.store.objects import ObjectStore, hash_file


@pytest.fixture
def objects(tmp_path):
    return ObjectStore(tmp_path / "objects")


def test_ids_are_blake3_of_content_and_sharded(objects):
    object_id = objects.put_bytes(b"hello")
    assert object_id == blake3.blake3(b"hello").hexdigest()
    path = objects.path(object_id)
    assert path.parent.name == object_id[:2] and path.name == object_id[2:]
    assert path.read_bytes() == b"hello"


def test_same_content_is_stored_once(objects, tmp_path):
    source = tmp_path / "a.bin"
    source.write_bytes(os.urandom(1000))
    first = objects.put_file(source)
    second = objects.put_bytes(source.read_bytes())
    assert first == second
    assert list(objects.iter_ids()) == [first]


def test_large_files_hash_like_small_ones(tmp_path):
    data = os.urandom(5 << 20)
    big = tmp_path / "big"
    big.write_bytes(data)
    assert hash_file(big) == blake3.blake3(data).hexdigest()


def test_objects_are_read_only_and_no_temporaries_remain(objects):
    object_id = objects.put_bytes(b"x" * 10)
    assert not os.stat(objects.path(object_id)).st_mode & 0o222
    assert list(objects.iter_temporary()) == []


def test_missing_object_is_a_clear_error(objects):
    with pytest.raises(NotFoundError, match="missing"):
        objects.read_bytes("0" * 64)
    with pytest.raises(NotFoundError, match="not an object id"):
        objects.path("../../etc/passwd")
