"""``dl.track_data``: the data files a block of a script opens (an exported ``%%track`` cell),
and never the files that dlops itself reads to store an artifact or a data version."""

import jupyter_dlops as dl


def _lineage(run) -> set[tuple[str, str]]:
    rows = run.store.read("SELECT v.source_path, l.direction FROM data_run_link l JOIN data_version v "
                          "ON v.version_id = l.version_id WHERE l.run_id = ?", (run.run_id,))
    return {(path.rsplit("/", 1)[-1], direction) for path, direction in rows}


def test_a_block_records_what_it_read_and_wrote_and_not_what_dlops_stored(store_dir, tmp_path):
    (tmp_path / "train.csv").write_text("x\n1\n")
    with dl.start_run() as run:
        with dl.track_data("train"):
            data = (tmp_path / "train.csv").read_text()
            (tmp_path / "model.txt").write_text(data.upper())
            dl.log_artifact(tmp_path / "model.txt")  # dlops reads model.txt to store it
            dl.log_output(tmp_path / "model.txt")  # and again to version it
        (tmp_path / "after.txt").write_text("not watched")
    assert _lineage(run) == {("train.csv", "read"), ("model.txt", "written")}


def test_an_untracked_block_records_nothing(store_dir, tmp_path):
    (tmp_path / "train.csv").write_text("x\n1\n")
    with dl.start_run() as run:
        (tmp_path / "train.csv").read_text()
        dl.log_artifact(tmp_path / "train.csv")
    assert _lineage(run) == set()


def test_the_stores_objects_elsewhere_are_never_data(tmp_path):
    """A team store keeps its objects outside its folder; every write opens the gc lock
    there, which a tracked cell must not record as data (found by the record matrix)."""
    from types import SimpleNamespace

    from jupyter_dlops.tracking import filewatch

    objects = tmp_path / "team-objects"
    objects.mkdir()
    store = SimpleNamespace(folder=str(tmp_path / "store"), objects=SimpleNamespace(root=objects))
    filewatch.install()
    filewatch.ignore_store(store)
    filewatch.start()
    (objects / ".gc-lock").write_text("")
    (tmp_path / "data.csv").write_text("x\n")
    opened = filewatch.stop()
    assert sorted(opened) == [str(tmp_path / "data.csv")]
