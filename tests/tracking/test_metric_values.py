"""Metric values the store cannot hold are refused when logged, in the caller's thread, and a
flush that fails on one row never loses the others (issue 14, "Nothing may be lost")."""

from __future__ import annotations

import pytest

import jupyter_dlops as dl


@pytest.mark.parametrize(("args", "named", "shown"), [
    (("loss", 0.5, 2**70), "within 64 bits", "'loss' got step 1180591620717411303424"),
    (("loss", 0.5, -(2**64)), "within 64 bits", "step -18446744073709551616"),
    (("loss", 0.5, 1.5), "integer step", "step 1.5"),
    (("acc\ud800", 0.5, None), "not valid UTF-8", "acc\\ud800"),
    (("acc\x00x", 0.5, None), "NUL", "acc\\x00x"),
    (("loss", 10**400, None), "log a number", "'loss' got int 1000"),
    (("loss", "high", None), "log a number", "'loss' got str 'high'"),
], ids=["step-2**70", "step--2**64", "step-1.5", "lone-surrogate", "nul", "huge-int", "str"])
def test_a_bad_metric_is_refused_at_log_time_and_the_others_are_kept(store_dir, args, named, shown):
    key, value, step = args
    with dl.start_run(capture=False) as run:
        dl.log_metric("before", 1.0, step=0)
        with pytest.raises(ValueError) as refused:
            dl.log_metric(key, value, step=step)
        dl.log_metric("after", 2.0, step=1)
    message = str(refused.value)
    assert named in message and shown in message and "\n" not in message  # names key and value
    record = run.store.get_run(run.run_id)
    assert record.status == "finished"
    assert record.metrics["before"].last == 1.0 and record.metrics["after"].last == 2.0
    assert set(record.metrics) == {"before", "after"}


def test_a_row_the_store_refuses_at_flush_loses_only_itself(store_dir, capfd):
    """The last defence behind the log-time check: a bad row reaching the buffer (here put
    there directly) is dropped alone; the run's other values are stored and the run ends."""
    with dl.start_run(capture=False) as run:
        for step in range(5):
            dl.log_metric("loss", 1.0 / (step + 1), step=step)
        run.client.buffer.add((run.run_id, "loss", 9.0, 2**70, 1.0))
        dl.log_metric("acc", 0.75, step=0)
    record = run.store.get_run(run.run_id)
    assert record.status == "finished"
    assert record.metrics["loss"].count == 5 and record.metrics["loss"].last == pytest.approx(0.2)
    assert record.metrics["acc"].last == 0.75
    assert "was not saved" in capfd.readouterr().err
