"""``data add`` records what is on disk exactly, and its single-pass pipeline (scan, stat
cache, hashing) keeps every guarantee of the step-by-step one."""

from __future__ import annotations

from data_helpers import write_files
from pg_server import any_store_uri, pg_uri, postgres_server  # noqa: F401, F811 (fixtures)

from jupyter_dlops import data

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
