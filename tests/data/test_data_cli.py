"""``dlops data ...``: output, exit codes, one-line errors, and a store untouched by bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from data_helpers import snapshot, write_files

from jupyter_dlops import data


@pytest.fixture
def added(cli, dataset, tmp_path):
    (tmp_path / "meta.csv").write_text("path,label,order\na.txt,x,1\nb.txt,y,2\nsub/c.bin,x,3\n")
    code, out, _ = cli("data", "add", dataset, "--name", "ds", "--meta", tmp_path / "meta.csv",
                       "--store-content", "--json")
    assert code == 0
    return json.loads(out)


def test_add_prints_the_id_and_json_has_the_figures(cli, dataset):
    code, out, err = cli("data", "add", dataset)
    assert code == 0 and len(out.strip()) == 64 and "new version: 4 files" in err
    code, out, _ = cli("data", "add", dataset, "--json")
    result = json.loads(out)
    assert result["created"] is False and result["files_hashed"] == 0 and result["bytes_read"] == 0


def test_list_show_log_diff_query_checkout(cli, added, dataset, tmp_path):
    vid = added["id"]
    code, out, _ = cli("data", "list")
    assert code == 0 and vid[:12] in out and "ds" in out
    code, out, _ = cli("data", "show", "ds")
    assert code == 0 and vid in out and "sub/c.bin" in out
    code, out, _ = cli("data", "log", "ds", "--json")
    assert [v["id"] for v in json.loads(out)] == [vid]
    code, out, err = cli("data", "query", "ds", "label = 'x'")
    assert code == 0 and out.splitlines() == ["a.txt", "sub/c.bin"] and "2 of 3 items match" in err
    code, out, err = cli("data", "query", "ds", '"order" > 1', "--save", "late", "--columns")
    assert code == 0 and "b.txt" in out and "saved as late" in err
    code, out, _ = cli("data", "diff", "ds", "late")
    assert code == 0 and "removed   'a.txt'" in out and "2 removed" in out.splitlines()[-1]
    code, out, _ = cli("data", "checkout", "late", tmp_path / "co")
    assert code == 0 and sorted(os.listdir(tmp_path / "co")) == ["b.txt", "sub"]


def test_verify_exit_status(cli, added, dataset):
    assert cli("data", "verify", "ds")[0] == 0
    (dataset / "b.txt").unlink()
    code, out, err = cli("data", "verify", "ds")
    assert code == 6 and "vanished  'b.txt'" in out
    assert err.count("\n") == 1 and "1 vanished" in err
    code, out, _ = cli("data", "verify", "ds", "--json")
    assert code == 6 and json.loads(out)["vanished"] == [{"path": "b.txt", "size": 6}]


BAD = [
    (["data", "add", "{tmp}/missing"], 3),
    (["data", "add", "{tmp}/empty"], 5),
    (["data", "add", "{data}", "--meta", "{tmp}/missing.csv"], 3),
    (["data", "add", "{data}", "--meta", "{tmp}/ghost.csv"], 5),
    (["data", "add", "{data}", "--meta", "{tmp}/dup.csv"], 5),
    (["data", "add", "{data}", "--meta", "{tmp}/meta.txt"], 2),
    (["data", "add", "{data}", "--meta", "{tmp}/meta.csv", "--path-column", "nope"], 2),
    (["data", "show", "nothing-like-this"], 3),
    (["data", "verify", "nothing-like-this"], 3),
    (["data", "diff", "ds", "nothing"], 3),
    (["data", "log", "nothing"], 3),
    (["data", "checkout", "plain", "{tmp}/out"], 5),
    (["data", "checkout", "ds", "{data}"], 2),
    (["data", "query", "ds", "label = 'x'; DELETE FROM meta"], 2),
    (["data", "query", "ds", "path IN (SELECT run_id FROM run)"], 2),
    (["data", "query", "ds", "path IN (SELECT name FROM sqlite_master)"], 2),
    (["data", "query", "ds", "label = = 'x'"], 2),
    (["data", "query", "ds", "order > 1"], 2),
    (["data", "query", "ds", "label = 'none'", "--save", "empty"], 2),
    (["data", "query", "plain", "1 = 1"], 5),
    (["data", "query", "ds", ""], 2),
]


@pytest.mark.parametrize("args, exit_code", BAD, ids=[" ".join(a[1:3]) + f" #{i}" for i, (a, _) in enumerate(BAD)])
def test_bad_input_one_line_nonzero_exit_store_unchanged(cli, added, dataset, tmp_path, store_dir,
                                                          args, exit_code):
    (tmp_path / "empty").mkdir()
    (tmp_path / "ghost.csv").write_text("path,label\nghost.txt,x\n")
    (tmp_path / "dup.csv").write_text("path,label\na.txt,x\na.txt,y\n")
    (tmp_path / "meta.txt").write_text("path\n")
    other = write_files(tmp_path / "plain", {"p.txt": "p"})
    assert cli("data", "add", other, "--name", "plain")[0] == 0
    before = snapshot(store_dir)
    argv = [a.format(tmp=tmp_path, data=dataset) for a in args]
    code, out, err = cli(*argv)
    assert code == exit_code, err
    assert err.startswith("dlops: error: ") and err.count("\n") == 1, err
    assert snapshot(store_dir) == before


def test_importing_the_package_does_not_import_data():
    code = ("import sys, jupyter_dlops; jupyter_dlops.__version__; "
            "print([m for m in sys.modules if m.startswith('jupyter_dlops.data')])")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_dlops_sql_sees_the_data_versions_view(cli, added):
    code, out, _ = cli("sql", "SELECT version_id, file_count FROM data_versions", "--json")
    assert code == 0 and json.loads(out) == [{"version_id": added["id"], "file_count": 4}]


def test_gc_keeps_stored_content_and_metadata_tables(cli, added, store):
    version = data.show(added["id"], store=store)
    kept = {f["hash"] for f in version["files"]} | {version["meta_object"]}
    code, out, _ = cli("gc", "--grace", "0", "--json")
    assert code == 0
    assert all(store.objects.exists(object_id) for object_id in kept)


def test_query_json_lists_items(cli, added):
    code, out, _ = cli("data", "query", "ds", "label = 'x' AND \"order\" < 3", "--json")
    result = json.loads(out)
    assert code == 0 and result["items"] == [{"path": "a.txt", "label": "x", "order": 1}]
