"""Fingerprints: cheap, stable, and never consuming or computing anything."""

from __future__ import annotations

import numpy as np
import pandas as pd

from jupyter_dlops.tracking.fingerprint import fingerprint


def test_numpy_hash_is_stable_and_content_sensitive():
    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    same = fingerprint(a.copy())
    assert fingerprint(a) == same and same["shape"] == [3, 4] and same["dtype"] == "float32"
    b = a.copy()
    b[0, 0] = 99
    assert fingerprint(b)["hash"] != same["hash"]
    assert fingerprint(a.T)["hash"] != same["hash"]  # non-contiguous views hash too
    assert fingerprint(a.reshape(4, 3))["hash"] != same["hash"]


def test_pandas_frames_and_series():
    df = pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})
    info = fingerprint(df)
    assert info["shape"] == [2, 2] and info["columns"] == ["a", "b"] and len(info["hash"]) == 64
    changed = df.copy()
    changed.loc[0, "a"] = 5
    assert fingerprint(changed)["hash"] != info["hash"]
    assert fingerprint(df["a"])["shape"] == [2]


def test_object_arrays_and_limits_skip_the_hash():
    assert "hash" not in fingerprint(np.array([object()]))
    assert "hash" not in fingerprint(np.ones(100), limit=10)
    assert "hash" not in fingerprint("x" * 100, limit=10)


def test_shape_is_read_only_where_the_class_defines_it():
    class Proxy:
        def __getattr__(self, name):  # a lazy remote object: any lookup would compute
            raise AssertionError(f"looked up {name}")

    class Tensorish:
        shape = (2, 3)
        dtype = "float16"

    assert fingerprint(Proxy())["type"].endswith("Proxy")
    assert fingerprint(Tensorish()) == {"type": fingerprint(Tensorish())["type"],
                                        "shape": [2, 3], "dtype": "float16"}


def test_raising_properties_are_reported_not_raised():
    class Broken:
        @property
        def shape(self):
            raise RuntimeError("boom")

    assert fingerprint(Broken())["error"] == "RuntimeError"


def test_scalars_and_containers():
    assert fingerprint(3) == {"type": "int", "value": "3"}
    assert fingerprint([1, 2, 3]) == {"type": "list", "len": 3}
    assert fingerprint({"a": 1})["len"] == 1
