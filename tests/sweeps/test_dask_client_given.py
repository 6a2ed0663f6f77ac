"""A sweep on a Dask client the caller made (a Dask Gateway or KubeCluster client carries its
own credentials, which ``--scheduler ADDRESS`` cannot; docs/kubernetes.md): the runs go to that
client's workers, and the client is left open for the caller (issue 19)."""

from __future__ import annotations

import pytest

from jupyter_dlops.sweeps.api import sweep


def test_a_sweep_runs_on_the_callers_client_and_leaves_it_open(store_uri, corpus):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        result = sweep(corpus / "train.ipynb", {"lr": [0.1, 0.2]}, executor="dask", client=client,
                       engine="script")
        assert client.status == "running"  # still the caller's
        workers = {w["id"] for w in client.scheduler_info()["workers"].values()}
        assert len(workers) == 1
    assert [r.status for r in result] == ["finished"] * 2, [r.error for r in result]
    assert sorted(r.metrics["acc"].last for r in result) == [0.6455, 0.754]
