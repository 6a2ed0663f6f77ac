"""``dl.log_model`` / ``dl.load_model``: content-addressed versions with lineage and aliases."""

from __future__ import annotations

import json

import pytest
from pg_server import any_store_uri, pg_uri, postgres_server  # noqa: F401 (fixtures)

torch = pytest.importorskip("torch", reason="needs torch (pip install '.[dl]')")
pytestmark = pytest.mark.slow


def test_versions_are_content_addressed_with_lineage_and_aliases(store):
    import jupyter_dlops as dl
    from jupyter_dlops.errors import NotFoundError
    from jupyter_dlops.registry import set_alias

    torch.manual_seed(0)
    model = torch.nn.Linear(3, 2)
    with dl.start_run(name="models", capture=False) as run:
        first = dl.log_model(model, "linear")
        again = dl.log_model(model.state_dict(), "linear")  # the same bytes: the same version
        with torch.no_grad():
            model.weight.add_(1.0)
        second = dl.log_model(model, "linear")
    assert (first["version"], again["version"], second["version"]) == (1, 1, 2)
    assert first["content_id"] != second["content_id"]
    assert {k: first[k] for k in ("name", "run_id", "flavor", "parameters", "framework_version")} == {
        "name": "linear", "run_id": run.run_id, "flavor": "torch", "parameters": 8,
        "framework_version": f"torch {torch.__version__}"}
    assert set_alias(store, "linear@1", "best")["version"] == 1
    loaded = dl.load_model("linear@best", load=True)
    assert torch.allclose(loaded["weight"], model.weight - 1.0)
    assert torch.equal(dl.load_model("linear", load=True)["weight"], model.weight)  # the latest
    assert dl.load_model("linear@2").name == "model.pt"
    with pytest.raises(NotFoundError, match="model 'linear@7' is not in the store; list them"):
        dl.load_model("linear@7")


def test_integration_checkpoints_are_versions_of_one_model_per_run(tmp_path, store):
    import jupyter_dlops as dl
    from jupyter_dlops.integrations.common import checkpoint_model_name, log_checkpoint

    path = tmp_path / "last.ckpt"
    with dl.start_run(name="ckpt", capture=False) as run:
        for content in (b"epoch 0", b"epoch 0", b"epoch 1"):  # saved twice unchanged, then new
            path.write_bytes(content)
            log_checkpoint(run, path, "lightning")
    rows = store.read("SELECT name, version, flavor, run_id FROM model_version ORDER BY version")
    name = checkpoint_model_name(run.run_id)
    assert rows == [(name, 1, "lightning", run.run_id), (name, 2, "lightning", run.run_id)]
    assert dl.load_model(f"{name}@1").read_bytes() == b"epoch 0"


def test_dlops_models_lists_shows_lineage_and_sets_aliases(tmp_path, store):
    import json

    from helpers import run_cli

    import jupyter_dlops as dl

    weights = tmp_path / "w.pt"
    torch.save({"w": torch.zeros(2, 3)}, weights)
    with dl.start_run(name="trainer", params={"lr": 0.1}, capture=False) as run:
        dl.log_model(weights, "net")
    with dl.start_run(name="other", params={"lr": 0.5}, capture=False):
        torch.save({"w": torch.ones(2, 3)}, weights)
        dl.log_model(weights, "net")
    alias = run_cli("models", "alias", "net@1", "production")
    assert (alias.returncode, alias.stdout) == (0, "net@production -> version 1\n"), alias.stderr
    listed = json.loads(run_cli("models", "--json").stdout)
    assert [(v["name"], v["version"], v["aliases"], v["flavor"]) for v in listed] == [
        ("net", 1, ["production"], "file"), ("net", 2, [], "file")]
    filtered = json.loads(run_cli("models", "--where", "params.lr < 0.2", "--json").stdout)
    assert [v["version"] for v in filtered] == [1]
    shown = json.loads(run_cli("models", "show", "net@production", "--json").stdout)
    assert (shown["version"], shown["run"]["run_id"], shown["run"]["name"], shown["params"]) == (
        1, run.run_id, "trainer", {"lr": 0.1})
    missing = run_cli("models", "show", "net@9")
    assert missing.returncode != 0
    assert missing.stderr.strip().endswith("model 'net@9' is not in the store; list them with `dlops models`")
    bad = run_cli("models", "rename", "net")
    assert bad.returncode != 0 and "dlops models takes no argument" in bad.stderr


def test_versions_and_aliases_on_both_stores(tmp_path, any_store_uri):  # noqa: F811 (fixture)
    import jupyter_dlops as dl
    from jupyter_dlops.registry import set_alias
    from jupyter_dlops.store import open_store

    path = tmp_path / "model.bin"
    with dl.start_run(name="both", capture=False, store=any_store_uri) as run:
        for content in (b"one", b"one", b"two"):
            path.write_bytes(content)
            dl.log_model(path, "blob", run=run)
    store = open_store(any_store_uri)
    set_alias(store, "blob@2", "best")
    set_alias(store, "blob@1", "best")  # moved, not duplicated
    assert store.read("SELECT name, version, flavor FROM model_version ORDER BY version") == [
        ("blob", 1, "file"), ("blob", 2, "file")]
    assert store.read("SELECT alias, version FROM model_alias") == [("best", 1)]
    assert dl.load_model("blob@best", store=any_store_uri).read_bytes() == b"one"


def test_dlops_sql_reads_models_and_aliases_on_both_stores(tmp_path, any_store_uri):  # noqa: F811
    """The ``models`` and ``model_aliases`` views: what ``dlops sql`` may read of the registry,
    joined to the runs for lineage (on PostgreSQL the views are all ``dlops sql`` may read)."""
    from helpers import run_cli

    import jupyter_dlops as dl
    from jupyter_dlops.registry import set_alias
    from jupyter_dlops.store import open_store

    path = tmp_path / "model.bin"
    path.write_bytes(b"weights")
    with dl.start_run(name="maker", capture=False, store=any_store_uri) as run:
        dl.log_model(path, "blob", run=run)
    set_alias(open_store(any_store_uri), "blob@1", "production")
    query = ("SELECT m.name, m.version, m.flavor, r.name AS run_name, a.alias FROM models m JOIN runs r "
             "ON r.run_id = m.run_id JOIN model_aliases a ON a.name = m.name AND a.version = m.version")
    done = run_cli("sql", query, "--json", env={"DLOPS_STORE": any_store_uri})
    assert done.returncode == 0, done.stderr
    assert [list(row.values()) for row in json.loads(done.stdout)] == [["blob", 1, "file", "maker", "production"]]
