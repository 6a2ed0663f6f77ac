"""Dask workers that share nothing with the submitter but the database and the bucket (issue 19).

The workers are separate processes (a ``LocalCluster`` with ``processes=True``); the
submitter's folder is moved away as soon as the notebook has been stored as an object, so a
worker that tried to read the submitter's path would fail the run.
"""

from __future__ import annotations

import shutil

import pytest

from jupyter_dlops.sweeps import api, shipping


@pytest.mark.s3
@pytest.mark.slow
def test_a_sweep_runs_from_the_bucket_with_no_shared_folder(any_store_uri, corpus, s3_location, monkeypatch,
                                                           tmp_path):
    """On PostgreSQL the workers share nothing but the database and the bucket; on SQLite, the
    database file too."""
    store_uri = any_store_uri
    distributed = pytest.importorskip("distributed")
    monkeypatch.setenv("DLOPS_ARTIFACTS", s3_location)
    original = shipping.ship
    gone = tmp_path / "gone"

    def ship_then_hide(tasks):
        shipped = original(tasks)
        shutil.move(corpus, gone)  # from here on, the submitter's folder does not exist
        return shipped

    monkeypatch.setattr(shipping, "ship", ship_then_hide)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=":0", local_directory=str(tmp_path / "dask")) as cluster:
        result = api.sweep(corpus / "train.ipynb", {"lr": [0.1, 0.2]}, executor="dask",
                           scheduler=cluster.scheduler_address, workers=2, engine="script")
    assert [r.status for r in result] == ["finished"] * 2, [r.error for r in result]
    assert sorted(r.metrics["acc"].last for r in result) == [0.6455, 0.754]
    from jupyter_dlops.store import open_store

    store = open_store(store_uri)
    assert store.objects.location == s3_location
    for run in result:
        # The submitter's path is the entry point, not the worker's temporary copy.
        assert run.entry_point == str(corpus / "train.ipynb")
        assert run.params["lr"] in (0.1, 0.2)
        for artifact in store.get_run(run.run_id).artifacts:  # logs came back as objects
            assert store.objects.problem(artifact.object_id) is None
    notebook = (gone / "train.ipynb").read_bytes()
    from jupyter_dlops.store.objects import hash_bytes

    assert store.objects.read_bytes(hash_bytes(notebook)) == notebook  # it travelled as an object
