"""Files a tracked cell opens, seen through the ``open`` audit event, with data versions."""

from __future__ import annotations

import os

import pytest
from nbtrack_helpers import cells, flush, rows, run


@pytest.fixture
def loaded(ip, nb_store, tmp_path):
    run(ip, "%load_ext jupyter_dlops")
    (tmp_path / "data.csv").write_text("a,b\n1,2\n3,4\n")
    ip.user_ns["folder"] = str(tmp_path)
    return ip


def files_of(nb_store, index=-1) -> dict[str, dict]:
    return {os.path.basename(f["path"]): f for f in cells(nb_store)[index]["files"]}


def test_pandas_numpy_and_open_are_seen_without_patching(loaded, nb_store, tmp_path):
    result = run(loaded, "%%track\nimport numpy as np, pandas as pd\n"
                         "df = pd.read_csv(folder + '/data.csv')\n"
                         "np.save(folder + '/arr.npy', df.to_numpy())\n"
                         "back = np.load(folder + '/arr.npy')\n"
                         "with open(folder + '/notes.txt', 'w') as fh:\n    fh.write('x')")
    assert result.success, result
    flush(loaded)
    seen = files_of(nb_store)
    assert seen["data.csv"]["mode"] == "r"
    assert seen["arr.npy"]["mode"] == "rw"
    assert seen["notes.txt"]["mode"] == "w"
    assert all(len(f["version"]) == 64 for f in seen.values())
    assert not any(p.endswith(".py") for p in seen)


def test_each_file_is_a_data_version_linked_to_the_run(loaded, nb_store):
    run(loaded, "%%track\nimport pathlib; text = pathlib.Path(folder + '/data.csv').read_text()")
    flush(loaded)
    version = files_of(nb_store)["data.csv"]["version"]
    assert rows(nb_store, "SELECT file_count, total_bytes FROM data_version WHERE version_id = ?",
                (version,)) == [(1, 12)]
    run_id = cells(nb_store)[0]["run_id"]
    assert rows(nb_store, "SELECT version_id, direction FROM data_run_link WHERE run_id = ?",
                (run_id,)) == [(version, "read")]


def test_a_changed_file_gets_a_new_version_and_an_unchanged_one_the_same(loaded, nb_store, tmp_path):
    cell = "%%track\nimport pathlib; text = pathlib.Path(folder + '/data.csv').read_text()"
    run(loaded, cell)
    run(loaded, cell)
    (tmp_path / "data.csv").write_text("a,b\n9,9\n")
    run(loaded, cell)
    flush(loaded)
    versions = [files_of(nb_store, i)["data.csv"]["version"] for i in range(3)]
    assert versions[0] == versions[1] != versions[2]


def test_os_open_is_seen_too(loaded, nb_store):
    run(loaded, "%%track\nimport os\nfd = os.open(folder + '/raw.bin', os.O_WRONLY | os.O_CREAT)\n"
                "os.write(fd, b'abc')\nos.close(fd)")
    flush(loaded)
    assert files_of(nb_store)["raw.bin"]["mode"] == "w"


def test_no_data_turns_the_watch_off(loaded, nb_store):
    run(loaded, "%%track --no-data\nimport pathlib; text = pathlib.Path(folder + '/data.csv').read_text()")
    flush(loaded)
    assert cells(nb_store)[0]["files"] == []


def test_files_opened_outside_tracked_cells_are_not_recorded(loaded, nb_store):
    run(loaded, "import pathlib; text = pathlib.Path(folder + '/data.csv').read_text()")
    run(loaded, "%%track\nn = len(text)")
    flush(loaded)
    assert cells(nb_store)[0]["files"] == []


def test_a_c_extension_opening_files_itself_is_not_seen(loaded, nb_store):
    # Documented limit: SQLite opens its database in C, without Python's open().
    run(loaded, "%%track\nimport sqlite3\nconn = sqlite3.connect(folder + '/side.db')\n"
                "conn.execute('CREATE TABLE t (x)')\nconn.close()")
    flush(loaded)
    assert "side.db" not in files_of(nb_store)


def test_temporary_files_removed_in_the_cell_are_skipped(loaded, nb_store):
    run(loaded, "%%track\nimport os\np = folder + '/tmp.txt'\nopen(p, 'w').close()\nos.remove(p)")
    flush(loaded)
    assert cells(nb_store)[0]["files"] == []


def _library(root) -> None:
    """A package installed outside the interpreter's prefix (a ``PYTHONPATH`` folder), with
    its dist-info, an entry point and package data, as ``pip install --target`` leaves it."""
    package = root / "shapes"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(
        "import json, pathlib\n"
        "TABLE = json.loads((pathlib.Path(__file__).parent / 'table.json').read_text())\n")
    (package / "table.json").write_text('{"sides": 4}')
    info = root / "shapes-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: shapes\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[shapes.plugins]\nsquare = shapes:TABLE\n")


def test_only_data_is_recorded_not_the_import_system_nor_caches(loaded, nb_store, tmp_path,
                                                                monkeypatch):
    """Issue 15: packages outside the prefix, their metadata and data, caches and Jupyter's
    runtime files were recorded as 52-196 data inputs; only the data file may be."""
    library, cache = tmp_path.parent / f"{tmp_path.name}-lib", tmp_path / "xdg-cache"
    _library(library)
    runtime = tmp_path / "runtime"
    runtime.mkdir()
    (runtime / "kernel-1.json").write_text("{}")
    monkeypatch.syspath_prepend(str(library))
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(runtime))
    monkeypatch.setenv("MPLCONFIGDIR", str(tmp_path / "mpl"))
    result = run(loaded, "%%track\nimport importlib.metadata, os, pathlib\nimport shapes\n"
                         "plugins = importlib.metadata.entry_points(group='shapes.plugins')\n"
                         "for d in (os.environ['XDG_CACHE_HOME'], os.environ['MPLCONFIGDIR']):\n"
                         "    os.makedirs(d, exist_ok=True)\n"
                         "    pathlib.Path(d, 'fontlist.json').write_text('[]')\n"
                         "pathlib.Path(os.environ['JUPYTER_RUNTIME_DIR'], 'kernel-1.json').read_text()\n"
                         "text = pathlib.Path(folder + '/data.csv').read_text()")
    assert result.success, result
    assert [p.name for p in loaded.user_ns["plugins"]] == ["square"]
    flush(loaded)
    recorded = cells(nb_store)[0]["files"]
    assert [(f["path"], f["mode"]) for f in recorded] == [(str(tmp_path / "data.csv"), "r")]
