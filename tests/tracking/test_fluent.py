import json
import os
import signal
import subprocess
import sys
import time

import pytest

import jupyter_dlops as dl
from jupyter_dlops.errors import NotFoundError, UsageError


def test_a_run_records_params_metrics_tags_and_artifacts(store_dir, tmp_path):
    model = tmp_path / "model.bin"
    model.write_bytes(b"weights")
    with dl.start_run(name="baseline", params={"lr": 0.01, "layers": [64, 32]}, tags={"stage": "dev"}) as run:
        for step in range(5):
            dl.log_metric("loss", 1.0 / (step + 1))
        dl.log_metrics({"acc": 0.9, "f1": 0.8}, step=4)
        dl.log_param("epochs", 5)
        dl.set_tag("owner", "me")
        dl.log_artifact(model)
    record = run.store.get_run(run.run_id)
    assert record.status == "finished" and record.end_time >= record.start_time
    assert record.params == {"lr": 0.01, "layers": [64, 32], "epochs": 5}
    assert record.metrics["loss"].count == 5 and record.metrics["loss"].last == pytest.approx(0.2)
    assert record.metrics["loss"].last_step == 4
    assert record.tags == {"stage": "dev", "owner": "me"}
    artifact = next(a for a in record.artifacts if a.path == "model.bin")
    assert run.store.objects.read_bytes(artifact.object_id) == b"weights"


def test_the_record_has_every_captured_section(store_dir):
    with dl.start_run() as run:
        time.sleep(0.3)
    sections = run.store.get_run(run.run_id).sections
    assert set(sections) >= {"code", "environment", "hardware", "usage", "cost"}
    assert sections["hardware"]["cpu_count"] == os.cpu_count()
    assert sections["environment"]["python"] == sys.version.split()[0]
    packages = json.loads(run.store.objects.read_bytes(sections["environment"]["packages_object"]))
    assert any(p.lower().startswith("blake3==") for p in packages)
    assert sections["usage"]["samples"] >= 1 and "rss_mb" in sections["usage"]["peaks"]
    assert sections["cost"]["profile"] == "cpu" and sections["cost"]["cost"] >= 0


def test_an_exception_marks_the_run_failed_with_the_error(store_dir):
    with pytest.raises(ZeroDivisionError), dl.start_run() as run:
        _ = 1 / 0
    record = run.store.get_run(run.run_id)
    assert record.status == "failed"
    assert record.error == "ZeroDivisionError: division by zero"


def test_keyboard_interrupt_marks_the_run_killed(store_dir):
    with pytest.raises(KeyboardInterrupt), dl.start_run() as run:
        raise KeyboardInterrupt
    assert run.store.get_run(run.run_id).status == "killed"


def test_starting_a_second_run_needs_nested(store_dir):
    with dl.start_run() as outer:
        with pytest.raises(UsageError, match="already active"):
            dl.start_run()
        with dl.start_run(nested=True) as inner:
            pass
    assert outer.store.get_run(inner.run_id).parent_id == outer.run_id


def test_a_run_attaches_to_dlops_run_id(store_dir, monkeypatch):
    with dl.start_run(name="parent") as parent:
        pass
    monkeypatch.setenv("DLOPS_RUN_ID", parent.run_id)
    with dl.start_run(params={"child": 1}) as child:
        dl.log_metric("from_child", 1.0)
    assert child.run_id == parent.run_id and not child.owned
    record = parent.store.get_run(parent.run_id)
    assert record.params["child"] == 1 and "from_child" in record.metrics


def test_attaching_to_a_missing_run_is_a_clear_error(store_dir, monkeypatch):
    monkeypatch.setenv("DLOPS_RUN_ID", "nope")
    with pytest.raises(NotFoundError, match="run nope .* is not in the store"):
        dl.start_run()


def test_log_artifact_of_a_missing_path_is_a_clear_error(store_dir, tmp_path):
    with dl.start_run(), pytest.raises(NotFoundError, match="does not exist"):
        dl.log_artifact(tmp_path / "missing.pt")


def test_an_unserialisable_param_is_refused_before_anything_is_written(store_dir):
    with pytest.raises(UsageError, match="cannot be stored"):
        dl.start_run(params={"model": object()})
    from jupyter_dlops.store import open_store

    assert open_store().search_run_ids() == []


def test_a_folder_artifact_stores_every_file(store_dir, tmp_path):
    folder = tmp_path / "ckpt"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text("a")
    (folder / "sub" / "b.txt").write_text("b")
    with dl.start_run() as run:
        dl.log_artifact(folder)
    paths = {a.path for a in run.store.get_run(run.run_id).artifacts}
    assert {"ckpt/a.txt", "ckpt/sub/b.txt"} <= paths


# The child restores Python's SIGINT handler: a shell may start us with SIGINT ignored.
SCRIPT = """
import signal, sys, time, jupyter_dlops as dl
signal.signal(signal.SIGINT, signal.default_int_handler)
run = dl.start_run(name="script")
print("ready", run.run_id, flush=True)
i = 0
while True:
    dl.log_metric("tick", time.time(), step=i)
    i += 1
    time.sleep(0.001)
"""


@pytest.mark.slow
@pytest.mark.parametrize("sig, status", [(signal.SIGINT, "killed"), (signal.SIGTERM, "killed")])
def test_a_script_stopped_by_a_signal_is_recorded_killed(store_dir, sig, status):
    with subprocess.Popen([sys.executable, "-c", SCRIPT], stdout=subprocess.PIPE, text=True) as proc:
        run_id = proc.stdout.readline().split()[1]
        time.sleep(0.5)
        proc.send_signal(sig)
        proc.wait(timeout=30)
    from jupyter_dlops.store import open_store

    assert open_store().get_run(run_id).status == status


@pytest.mark.slow
def test_sigkill_loses_at_most_the_last_half_second(store_dir):
    with subprocess.Popen([sys.executable, "-c", SCRIPT], stdout=subprocess.PIPE, text=True) as proc:
        run_id = proc.stdout.readline().split()[1]
        time.sleep(1.5)
        killed_at = time.time()
        proc.kill()
        proc.wait()
    from jupyter_dlops.store import open_store

    store = open_store()
    run = store.get_run(run_id)
    assert run.status == "killed"
    newest = max(v for _, v, _ in store.metric_series(run_id, "tick")["tick"])
    assert killed_at - newest < 0.5
    assert store.integrity_check() == "ok"


def test_an_attached_script_flushes_its_metrics_at_exit(store_dir):
    with dl.start_run(name="parent") as parent:
        pass
    code = ("import jupyter_dlops as dl\n"
            "dl.start_run()\n"
            "for i in range(1000): dl.log_metric('m', i)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, "DLOPS_RUN_ID": parent.run_id, "DLOPS_FLUSH_INTERVAL": "60"})
    assert done.returncode == 0, done.stderr
    assert parent.store.get_run(parent.run_id).metrics["m"].count == 1000
