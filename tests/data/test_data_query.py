"""Metadata tables and queries: matching, typing, slicing, and the read-only fence."""

from __future__ import annotations

import time

import pytest
from data_helpers import write_files

from jupyter_dlops import data
from jupyter_dlops.errors import DataError, QuerySyntaxError, UsageError

ROWS = [("a.wav", "awake", 23.5, 1, "x"), ("b.wav", "asleep", 19.0, 2, "y"),
        ("c.wav", "awake", 21.0, 3, "z"), ("d d.wav", "awake", 30.0, 4, None)]


def _table(path, rows=ROWS, header="path,label,temperature,order,select") -> str:
    lines = [header] + [",".join("" if v is None else (f'"{v}"' if isinstance(v, str) else str(v))
                                 for v in row) for row in rows]
    path.write_text("\n".join(lines) + "\n")
    return str(path)


@pytest.fixture
def sounds(tmp_path):
    folder = write_files(tmp_path / "sounds", {row[0]: f"sound {row[0]}" for row in ROWS})
    return folder, _table(tmp_path / "meta.csv")


@pytest.fixture
def version(store, sounds):
    folder, meta = sounds
    return data.add(folder, name="sounds", meta=meta, store_content=True, store=store)["id"]


def paths(result) -> list[str]:
    return [item["path"] for item in result["items"]]


def test_query_answers_like_a_database(store, version):
    result = data.query(version, "temperature > 22 AND label = 'awake'", store=store)
    assert paths(result) == ["a.wav", "d d.wav"]
    assert result["count"] == 2 and result["total"] == 4
    assert result["items"][0] == {"path": "a.wav", "label": "awake", "temperature": 23.5,
                                  "order": 1, "select": "x"}


def test_columns_named_like_sql_keywords_work_when_quoted(store, version):
    assert paths(data.query(version, '"order" >= 3', store=store)) == ["c.wav", "d d.wav"]
    assert paths(data.query(version, '"select" IS NULL', store=store)) == ["d d.wav"]


def test_values_are_typed(store, version):
    assert paths(data.query(version, "\"order\" < 10 AND \"order\" > 2", store=store)) == ["c.wav", "d d.wav"]
    result = data.query(version, "typeof(temperature) = 'real' AND typeof(\"order\") = 'integer'", store=store)
    assert result["count"] == 4


def test_the_metadata_table_is_part_of_the_version(store, sounds, tmp_path):
    folder, meta = sounds
    with_meta = data.add(folder, meta=meta, store=store)["id"]
    without = data.add(folder, store=store)["id"]
    other = _table(tmp_path / "other.csv", [(*row[:2], 0.0, *row[3:]) for row in ROWS])
    assert len({with_meta, without, data.add(folder, meta=other, store=store)["id"]}) == 3
    assert data.add(folder, meta=meta, store=store)["id"] == with_meta


def test_save_records_an_immutable_slice_with_parent_and_query(store, version, tmp_path):
    result = data.query(version, "label = 'awake'", save="awake", store=store)
    saved = result["saved"]
    assert saved["created"] and saved["files"] == 3 and saved["parent"] == version
    shown = data.show("awake", store=store)
    assert shown["parent_id"] == version and shown["query"] == "label = 'awake'"
    assert [f["path"] for f in shown["files"]] == ["a.wav", "c.wav", "d d.wav"]
    assert shown["has_content"]
    assert data.query("awake", "temperature > 22", store=store)["count"] == 2
    again = data.query(version, "label = 'awake'", save="awake", store=store)["saved"]
    assert again["id"] == saved["id"] and not again["created"]
    assert data.verify("awake", store=store)["ok"]
    data.checkout("awake", tmp_path / "out", store=store)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a.wav", "c.wav", "d d.wav"]


def test_saving_an_empty_slice_is_refused(store, version):
    with pytest.raises(QuerySyntaxError, match="matches no item"):
        data.query(version, "temperature > 100", save="none", store=store)
    assert [v["id"] for v in data.list_versions(store=store)] == [version]


@pytest.mark.parametrize("where, message", [
    ("label = 'awake'; DROP TABLE meta", "';' and a second statement are not allowed at position 16"),
    ("label = 'awake' -- and more", "comments are not allowed"),
    ("label = 'awake' /* hidden */", "comments are not allowed"),
    ("label = 'awake", "unterminated string at position 9"),
    ("label = 'awake')", "'\\)' without a matching '\\('"),
    ("(label = 'awake'", "'\\(' is never closed"),
    ("label = = 'awake'", "syntax error in the query at position 9"),
    ("label =", "the query ends too early|syntax error"),
    ("colour = 'red'", "unknown column 'colour'"),
    ("path IN (SELECT run_id FROM run)", "unknown table 'run'"),
    ("path IN (SELECT name FROM sqlite_master)", "may read only its metadata table, not 'sqlite_master'"),
    ("path IN (SELECT name FROM sqlite_schema)", "may read only its metadata table"),
    ("load_extension('/tmp/evil.so') IS NULL", "load_extension\\(\\) is not allowed"),
    ("readfile('/etc/passwd') IS NOT NULL", "unknown function|not allowed"),
    ("randomblob(1000000000) IS NULL", "randomblob\\(\\) is not allowed"),
    ("1 = 1 UNION SELECT * FROM meta", "syntax error"),
])
def test_bad_queries_are_refused_clearly(store, version, where, message):
    with pytest.raises(QuerySyntaxError, match=message) as caught:
        data.query(version, where, store=store)
    assert "\n" not in str(caught.value)


def test_subquery_on_the_metadata_table_itself_is_allowed(store, version):
    result = data.query(version, "temperature = (SELECT max(temperature) FROM meta)", store=store)
    assert paths(result) == ["d d.wav"]


def test_writes_cannot_happen_even_inside_a_clause(store, version, store_dir):
    for where in ("path IN (DELETE FROM meta)", "(UPDATE meta SET label = 'x') IS NULL",
                  "EXISTS (INSERT INTO meta (path) VALUES ('x'))"):
        with pytest.raises(QuerySyntaxError):
            data.query(version, where, store=store)
    assert data.query(version, "1 = 1", store=store)["count"] == 4


def test_empty_query_is_a_usage_error(store, version):
    with pytest.raises(UsageError, match="give a WHERE clause"):
        data.query(version, "   ", store=store)


def test_query_on_a_version_without_metadata(store, sounds):
    version = data.add(sounds[0], store=store)["id"]
    with pytest.raises(DataError, match="has no metadata table"):
        data.query(version, "1 = 1", store=store)


def test_metadata_path_matching_no_file_is_refused(store, sounds, tmp_path):
    folder, _ = sounds
    meta = _table(tmp_path / "bad.csv", [*ROWS, ("ghost.wav", "awake", 1.0, 5, "q")])
    with pytest.raises(DataError, match="1 metadata path\\(s\\) match no file .*'ghost.wav'"):
        data.add(folder, meta=meta, store=store)
    assert data.list_versions(store=store) == []


def test_metadata_duplicate_paths_are_refused(store, sounds, tmp_path):
    folder, _ = sounds
    meta = _table(tmp_path / "dup.csv", [*ROWS, ROWS[0]])
    with pytest.raises(DataError, match="'a.wav' appears twice"):
        data.add(folder, meta=meta, store=store)


def test_metadata_without_a_path_column_needs_path_column(store, sounds, tmp_path):
    folder, _ = sounds
    meta = _table(tmp_path / "m.csv", ROWS, header="item,label,temperature,order,select")
    with pytest.raises(DataError, match="no path column"):
        data.add(folder, meta=meta, store=store)
    version = data.add(folder, meta=meta, path_column="item", store=store)["id"]
    assert [i["item"] for i in data.query(version, "label = 'asleep'", store=store)["items"]] == ["b.wav"]


@pytest.mark.parametrize("content, message", [
    ("", "is empty"),
    ("path,label\n", "has no rows"),
    ("path,label\na.wav,x,extra\n", "line 2: 3 fields, the header has 2"),
    ("path,path\na.wav,x\n", "has the column 'path' twice"),
    ("path,\na.wav,x\n", "column without a name"),
])
def test_malformed_metadata_tables(store, sounds, tmp_path, content, message):
    (tmp_path / "m.csv").write_text(content)
    with pytest.raises(DataError, match=message):
        data.add(sounds[0], meta=tmp_path / "m.csv", store=store)


def test_parquet_metadata(store, sounds, tmp_path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    columns = list(zip(*ROWS, strict=False))
    table = pa.table({"path": list(columns[0]), "label": list(columns[1]),
                      "temperature": list(columns[2]), "group": list(columns[3])})
    pq.write_table(table, tmp_path / "meta.parquet")
    version = data.add(sounds[0], meta=tmp_path / "meta.parquet", store=store)["id"]
    result = data.query(version, '"group" BETWEEN 2 AND 3 AND temperature < 20', store=store)
    assert paths(result) == ["b.wav"]


@pytest.mark.slow
def test_a_selective_query_over_a_million_rows_takes_under_a_second(store, tmp_path):
    folder = write_files(tmp_path / "many", {"one.bin": "x"})
    rows = ["path,label,temperature,score"]
    rows += [f"item{i:07d}.wav,{'awake' if i % 7 else 'asleep'},{(i * 37) % 4000 / 100:.2f},{i}"
             for i in range(1_000_000)]
    (tmp_path / "big.csv").write_text("\n".join(rows) + "\n")
    # A million files would test the file system, not the query: build the table through
    # the same code path and record it on a version of one file (its rows match themselves).
    from jupyter_dlops.data import adding, metadata
    from jupyter_dlops.data.manifest import FileRecord

    table = metadata.read_table(tmp_path / "big.csv")
    object_id = metadata.build_database(store.objects, table, [r[0] for r in table.rows])
    version = "b" * 64
    with store.write() as cursor:
        adding.insert_version(cursor, version, name="big", root=str(folder),
                              manifest=[FileRecord("one.bin", 1, "0" * 64)], now=time.time(),
                              has_content=False, meta_info={"object": object_id, "column": "path",
                                                            "rows": len(table.rows)})
    started = time.perf_counter()
    result = data.query(version, "temperature > 39.9 AND label = 'asleep' AND score > 500000",
                        store=store)
    elapsed = time.perf_counter() - started
    assert 0 < result["count"] < 1000
    assert elapsed < 1.0, f"{elapsed:.3f} s"


TYPED = [("a.wav", "True", "TRUE", "2024-01-05", "2024-01-05T10:00:00Z", "1", "yes"),
         ("b.wav", "False", "false", "2024-02-29", "2024-01-05 09:30:00+02:00", "2", "no"),
         ("c.wav", "true", "False", "", "2024-03-01", "x", "no"),
         ("d d.wav", "false", "true", "2023-12-31", "", "2024-02-30", "yes")]


def test_booleans_and_dates_are_inferred_per_column(store, sounds, tmp_path):
    """Issue 15: True/False columns were text, so ``NOT augmented`` matched every row."""
    meta = _table(tmp_path / "typed.csv", TYPED, "path,augmented,reviewed,recorded,seen,notes,answer")
    version = data.add(sounds[0], meta=meta, store=store)["id"]
    assert paths(data.query(version, "NOT augmented", store=store)) == ["b.wav", "d d.wav"]
    assert paths(data.query(version, "augmented AND reviewed", store=store)) == ["a.wav"]
    assert paths(data.query(version, "recorded >= '2024-01-01'", store=store)) == ["a.wav", "b.wav"]
    assert paths(data.query(version, "seen < '2024-01-05 09:00'", store=store)) == ["b.wav"]
    item = data.query(version, "path = 'b.wav'", store=store)["items"][0]
    assert item == {"path": "b.wav", "augmented": False, "reviewed": False,
                    "recorded": "2024-02-29", "seen": "2024-01-05 07:30:00", "notes": "2",
                    "answer": "no"}
    assert paths(data.query(version, "answer = 'yes'", store=store)) == ["a.wav", "d d.wav"]
    # 2024-02-30 is no date, so the mixed column stays text
    assert paths(data.query(version, "typeof(notes) = 'text'", store=store)) == [
        "a.wav", "b.wav", "c.wav", "d d.wav"]


def test_parquet_booleans_and_dates_keep_their_types(store, sounds, tmp_path):
    pa = pytest.importorskip("pyarrow")
    import datetime as dt

    import pyarrow.parquet as pq

    table = pa.table({"path": [r[0] for r in ROWS], "augmented": [True, False, None, False],
                      "recorded": [dt.date(2024, 1, 5), dt.date(2024, 2, 29), None, dt.date(2023, 12, 31)],
                      "seen": [dt.datetime(2024, 1, 5, 10), None, None, dt.datetime(2023, 1, 1)]})
    pq.write_table(table, tmp_path / "typed.parquet")
    version = data.add(sounds[0], meta=tmp_path / "typed.parquet", store=store)["id"]
    assert paths(data.query(version, "NOT augmented", store=store)) == ["b.wav", "d d.wav"]
    assert paths(data.query(version, "recorded >= '2024-01-01'", store=store)) == ["a.wav", "b.wav"]
    item = data.query(version, "path = 'a.wav'", store=store)["items"][0]
    assert item == {"path": "a.wav", "augmented": True, "recorded": "2024-01-05",
                    "seen": "2024-01-05 10:00:00"}
