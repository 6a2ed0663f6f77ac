import json

import pytest
from helpers import add_run, run_cli, run_python


@pytest.fixture
def populated(store):
    add_run(store, "aaaa1111", {"lr": 0.01, "opt": "adam"}, {"acc": 0.95}, {"stage": "prod"}, start=1, name="best")
    add_run(store, "aaaa2222", {"lr": 0.1, "opt": "sgd"}, {"acc": 0.80}, start=2, name="worse")
    add_run(store, "bbbb3333", {"lr": 0.001, "opt": "adam"}, {"acc": 0.91}, start=3, name="mid")
    return store


def test_runs_table_and_json(populated):
    done = run_cli("runs", "--where", "metrics.acc > 0.9 and params.lr < 0.1", "--sort", "-metrics.acc")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "params.lr" in lines[0] and "metrics.acc" in lines[0]
    assert [line.split()[0] for line in lines[2:]] == ["aaaa1111", "bbbb3333"]
    data = json.loads(run_cli("runs", "--json", "--limit", "2").stdout)
    assert [r["run_id"] for r in data] == ["bbbb3333", "aaaa2222"]
    assert data[0]["params"] == {"lr": 0.001, "opt": "adam"}


def test_show_by_name_and_prefix(populated):
    done = run_cli("show", "best")
    assert done.returncode == 0 and "aaaa1111" in done.stdout and "stage" in done.stdout
    data = json.loads(run_cli("show", "bbbb", "--json").stdout)
    assert data["run_id"] == "bbbb3333" and data["metrics"]["acc"]["last"] == 0.91


def test_compare_marks_differences(populated):
    done = run_cli("compare", "best", "worse")
    assert done.returncode == 0, done.stderr
    lr_row = next(line for line in done.stdout.splitlines() if " lr " in f" {line} ")
    assert lr_row.startswith("*")
    data = json.loads(run_cli("compare", "best", "mid", "--json").stdout)
    opt = next(r for r in data["params"] if r["key"] == "opt")
    assert opt == {"key": "opt", "values": ["adam", "adam"], "differs": False}


def test_compare_plot_writes_a_png(populated, tmp_path):
    pytest.importorskip("matplotlib")
    target = tmp_path / "curves.png"
    done = run_cli("compare", "best", "worse", "--plot", str(target))
    assert done.returncode == 0, done.stderr
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_best(populated):
    assert json.loads(run_cli("best", "--metric", "acc", "--json").stdout)["run_id"] == "aaaa1111"
    assert json.loads(run_cli("best", "--metric", "acc", "--min", "--json").stdout)["run_id"] == "aaaa2222"
    done = run_cli("best", "--metric", "nope")
    assert done.returncode == 3 and "no run has logged the metric 'nope'" in done.stderr


def test_sql_reads_the_documented_views(populated):
    done = run_cli("sql", "SELECT run_id, value FROM params WHERE key = 'lr' ORDER BY value", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)[0] == {"run_id": "bbbb3333", "value": 0.001}
    for view in ("runs", "params", "metrics", "metric_summaries", "tags", "artifacts"):
        assert run_cli("sql", f"SELECT * FROM {view} LIMIT 1").returncode == 0, view


def test_tracked_script_end_to_end(store_dir, tmp_path):
    script = tmp_path / "train.py"
    script.write_text(
        "import jupyter_dlops as dl\n"
        "with dl.start_run(name='e2e', params={'lr': 0.5}):\n"
        "    dl.log_metric('acc', 0.7)\n"
        "    print('training done')\n"
    )
    done = run_python(f"import runpy, sys; sys.argv=[{str(script)!r}]; runpy.run_path({str(script)!r}, run_name='__main__')")
    assert done.returncode == 0, done.stderr
    record = json.loads(run_cli("show", "e2e", "--json").stdout)
    assert record["status"] == "finished" and record["params"] == {"lr": 0.5}
    assert record["sections"]["code"]["entry_point"] == str(script)
    logs = [a for a in record["artifacts"] if a["path"] == "logs/stdout.txt"]
    assert logs, record["artifacts"]


def test_init_and_help():
    assert run_cli("--help").returncode == 0
    done = run_cli("init")
    assert done.returncode == 0 and "store ready" in done.stdout
