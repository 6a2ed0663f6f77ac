"""Hypothesis generates ``--where`` and ``--sort`` input, valid and not: only the project's own
errors may escape the compiler, values never reach the SQL text, and whatever compiles runs
on a real SQLite and PostgreSQL store without a driver error."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import jupyter_dlops as dl
from jupyter_dlops.errors import DlopsError, QuerySyntaxError
from jupyter_dlops.store import close_all, open_store
from jupyter_dlops.store.where import compile_sort, compile_where
from jupyter_dlops.store.where_fields import ATTRIBUTES, PARAM_TEXT

FUZZ = settings(max_examples=150, derandomize=True, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

FIELDS = ["params.lr", "params.opt", "params.flag", "params.layers", "params.missing", "metrics.acc",
          "metrics.`val.loss`", "tags.stage", "status", "name", "duration", "start_time", "end_time",
          "experiment", "kind", "host", "run_id", "id", "error", "entry_point", "sweep_id",
          "attributes.status", "params.`odd key`", "metric.acc", "tag.stage", "param.lr",
          # MLflow's names and forms (issue 19)
          'params."odd key"', '"params".lr', "attr.start_time", "run.end_time", "created", "run_name",
          "user_id", "artifact_uri", "tags.mlflow.runName", "datasets.name", "datasets.digest",
          "datasets.context"]
OPS = ["=", "==", "!=", "<>", "<", "<=", ">", ">="]


def quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


texts = st.text(st.characters(codec="utf-8"), max_size=12)  # NUL and odd Unicode included
numbers = st.one_of(st.integers(min_value=-(10**30), max_value=10**30),
                    st.floats(allow_nan=False, allow_infinity=False).map(repr))
values = st.one_of(numbers.map(str), texts.map(quoted), st.sampled_from(["true", "false", "null", "TRUE"]))
keys = st.one_of(st.sampled_from(FIELDS),
                 st.tuples(st.sampled_from(["params", "metrics", "tags"]), texts.filter(lambda t: "`" not in t))
                 .map(lambda p: f"{p[0]}.`{p[1]}`"))


@st.composite
def comparisons(draw) -> str:
    field = draw(keys)
    kind = draw(st.sampled_from(["op", "op", "null", "in", "like", "ilike"]))
    negate = draw(st.sampled_from(["", "not "]))
    if kind == "op":
        return f"{field} {draw(st.sampled_from(OPS))} {draw(values)}"
    if kind == "null":
        return f"{field} is {negate}null"
    if kind == "in":
        items = draw(st.lists(values, min_size=1, max_size=4))
        return f"{field} {negate}in ({', '.join(items)})"
    return f"{field} {negate}{kind} {draw(values)}"


expressions = st.recursive(
    comparisons(),
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from([" and ", " or ", " AND "]), inner).map("".join),
        inner.map(lambda e: f"not ({e})"),
        inner.map(lambda e: f"({e})"),
    ),
    max_leaves=6,
)


@st.composite
def mutated(draw) -> str:
    """A valid expression with a few characters deleted, inserted or swapped."""
    text = draw(expressions)
    for _ in range(draw(st.integers(1, 3))):
        pos = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["delete", "insert"]))
        if action == "delete":
            text = text[:pos] + text[pos + 1:]
        else:
            text = text[:pos] + draw(st.sampled_from(list("()'\"`.,=<>!- \t\x00é") + ["and", "in"])) + text[pos:]
    return text


any_input = st.one_of(expressions, mutated(), st.text(max_size=40))


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def populated(request, tmp_path_factory):
    """A store with runs carrying every kind of parameter, metric and tag."""
    if request.param == "postgresql":
        from pg_server import get_server

        server = get_server()
        name = server.create_database()
        uri = f"{server.uri(name)}?artifacts={tmp_path_factory.mktemp('objects')}"
    else:
        uri = str(tmp_path_factory.mktemp("fuzz") / "store")
    store = open_store(uri)
    for i, params in enumerate([{"lr": 0.1, "opt": "adam", "flag": True, "layers": [1, 2]},
                                {"lr": 3, "opt": "é'\"", "flag": False, "odd key": None},
                                {"lr": "high", "opt": {"a": 1}}]):
        with dl.start_run(name=f"fuzz{i}", params=params, tags={"stage": ["dev", "prod", "1"][i]},
                          capture=False, store=store) as run:
            run.log_metric("acc", 0.5 + i / 10)
            run.log_metric("val.loss", 1.0 / (i + 1))
    yield store
    close_all()
    if request.param == "postgresql":
        server.drop_database(name)


def _compile(text: str):
    try:
        return compile_where(text)
    except DlopsError as error:
        assert str(error) and "\n" not in str(error)  # one clear line
        return None


@FUZZ
@given(any_input)
def test_compiler_raises_only_its_own_errors(text):
    compiled = _compile(text)
    if compiled is not None:
        sql, params = compiled
        assert sql.count("?") == len(params)
        # Values travel as parameters: the only literals in the SQL are the fixed type name,
        # the NaN guard of metric comparisons and the fixed fragments of MLflow's fields.
        fixed = sql.replace(PARAM_TEXT, "").replace(ATTRIBUTES["artifact_uri"], "")
        assert "'" not in fixed.replace("'bool'", "").replace("'NaN'", "")


@FUZZ
@given(st.one_of(expressions, mutated()))
def test_compiled_where_runs_on_a_real_store(populated, text):
    compiled = _compile(text)
    if compiled is None:
        return
    sql, params = compiled
    populated.read(f"SELECT run.run_id FROM run WHERE {sql}", params)  # no driver error
    assert isinstance(populated.search_run_ids(text), list)


@FUZZ
@given(st.one_of(keys, keys.map(lambda k: "-" + k), keys.map(lambda k: k + " desc"), st.text(max_size=20)))
def test_sort_compiles_and_runs(populated, text):
    try:
        order, params = compile_sort(text)
    except QuerySyntaxError:
        return
    populated.read(f"SELECT run.run_id FROM run ORDER BY {order}", params)


def test_store_unchanged_by_bad_where(populated):
    before = populated.read("SELECT run_id, status FROM run ORDER BY run_id")
    for bad in ("metrics.acc >", "params.lr = 'x\x00'", "name = 'é", "status = 1; DROP TABLE run"):
        with pytest.raises(DlopsError):
            populated.search_run_ids(bad)
    assert populated.read("SELECT run_id, status FROM run ORDER BY run_id") == before
