"""The fields of the ``--where`` language and the SQL that tests each of them.

A superset of MLflow's run-search names (issue 19): ``attributes.``/``attribute.``/``attr.``/
``run.`` prefixes, ``run_name``, ``user_id``, ``created``, ``artifact_uri``, ``tags.mlflow.runName``,
``tags.mlflow.user`` and ``datasets.name|digest|context`` (the data versions a run read or wrote).

Missing values follow SQL's three-valued logic: a condition on a key a run lacks is *unknown*,
and ``not`` of unknown is unknown, so ``params.m != 'x'`` and ``not params.m = 'x'`` select the
same runs: those that have ``m`` and a value other than ``'x'``. ``is null`` / ``is not null``
are the way to ask for the runs without a key.
"""

from __future__ import annotations

from typing import Any

ATTRIBUTES = {
    "run_id": "run.run_id", "id": "run.run_id", "name": "run.name", "experiment": "run.experiment",
    "kind": "run.kind", "status": "run.status", "start_time": "run.start_time",
    "end_time": "run.end_time", "host": "run.host", "entry_point": "run.entry_point",
    "sweep_id": "run.sweep_id", "parent_id": "run.parent_id", "error": "run.error",
    "duration": "(COALESCE(run.end_time, run.heartbeat, run.start_time) - run.start_time)",
    # MLflow's names for the same things.
    "run_name": "run.name", "user_id": "run.user_name", "user_name": "run.user_name",
    "artifact_uri": "('runs:/' || run.run_id || '/artifacts')",
}
#: MLflow counts times in milliseconds: ``created`` always, the other times when written with
#: MLflow's ``attributes.`` (or ``attr.``, ``run.``) prefix; bare ``start_time`` stays in seconds.
MS_TIMES = {"start_time": "ROUND(run.start_time * 1000)", "end_time": "ROUND(run.end_time * 1000)",
            "created": "ROUND(run.start_time * 1000)"}
ATTRIBUTE_PREFIXES = {"attributes", "attribute", "attr", "run"}
#: Run attributes that hold numbers; the others hold text.
NUMERIC_ATTRIBUTES = {"start_time", "end_time", "duration", "created"}
#: A NaN metric satisfies no comparison (as in IEEE arithmetic, NumPy and pandas): SQLite
#: stores it as the text 'NaN', which sorts above every number, and PostgreSQL's NaN is
#: greater than every number, so both need this guard. Infinities compare as infinities.
_NOT_NAN = " AND last <> 'NaN'"
TABLES = {"params": "param", "param": "param", "parameters": "param", "metrics": "metric_summary",
          "metric": "metric_summary", "tags": "tag", "tag": "tag",
          "datasets": "dataset", "dataset": "dataset"}
#: How MLflow would show a typed parameter as text (it keeps every parameter as ``str(value)``),
#: so ``params.lr = '0.01'`` and ``params.batch_size != "None"`` mean what they mean there.
PARAM_TEXT = ("(CASE WHEN type = 'str' THEN text WHEN type = 'none' THEN 'None' "
              "WHEN type = 'bool' THEN (CASE WHEN num = 1 THEN 'True' ELSE 'False' END) ELSE json END)")
#: ``datasets.*`` in MLflow: the dataset's name, its digest, and its context (training,
#: evaluation...); here the data version's name, its id, and whether the run read or wrote it.
DATASET_COLUMNS = {"name": "v.name", "digest": "l.version_id", "context": "l.direction"}
DATASET_FROM = ("SELECT l.run_id FROM data_run_link l "
                "JOIN data_version v ON v.version_id = l.version_id WHERE ")


class Field:
    """A resolved field: how to test it in SQL (``negate`` asks for the three-valued NOT)."""

    def __init__(self, parser: Any, column: str, table: str | None = None, key: str | None = None,
                 name: str = ""):
        self.parser, self.column, self.table, self.key, self.name = parser, column, table, key, name

    def _scoped(self, predicate: str, args: list[Any], negate: bool) -> str:
        params = self.parser.params
        predicate = f"NOT ({predicate})" if negate else predicate
        if self.table is None:
            params.extend(args)
            return predicate
        if self.table == "dataset":
            params.extend(args)
            return f"run.run_id IN ({DATASET_FROM}{predicate})"
        params.append(self.key)
        params.extend(args)
        if self.table == "metric_summary":  # a NaN fails every comparison, so passes its NOT
            predicate = f"({predicate} OR last = 'NaN')" if negate else predicate + _NOT_NAN
        return f"run.run_id IN (SELECT run_id FROM {self.table} WHERE key = ? AND {predicate})"

    def column_for(self, value: Any) -> str:
        if self.table == "param":
            return PARAM_TEXT if isinstance(value, str) else "num"
        if self.table == "tag":
            return "value"
        return self.column

    def compare(self, op: str, value: Any, negate: bool) -> str:
        if self.table == "param" and isinstance(value, bool):
            return self._scoped(f"type = 'bool' AND num {op} ?", [float(value)], negate)
        if self.table in ("tag", "dataset") and not isinstance(value, str):
            value = _tag_text(value)
        self._refuse_text_metric(isinstance(value, str))
        return self._scoped(f"{self.column_for(value)} {op} ?", [self._attribute_value(value)], negate)

    def like(self, pattern: str, insensitive: bool, negate: bool) -> str:
        """``like`` is case-sensitive on both stores (SQLite's connections set
        ``case_sensitive_like``); ``ilike`` lowers both sides."""
        self._refuse_text_metric(True)
        column, value = self.column_for(pattern), self._attribute_value(pattern)
        if insensitive:
            return self._scoped(f"LOWER({column}) LIKE LOWER(?)", [value], negate)
        return self._scoped(f"{column} LIKE ?", [value], negate)

    def _refuse_text_metric(self, is_text: bool) -> None:
        if self.table == "metric_summary" and is_text:
            raise self.parser.error(
                f"metrics are numbers; compare metrics.{self.key} with a number",
                self.parser.tokens[self.parser.i - 1],
            )

    def _attribute_value(self, value: Any) -> Any:
        """Run attributes are typed columns: PostgreSQL compares text with text and numbers
        with numbers only (SQLite would convert a number to text for a text column)."""
        if self.table is not None or value is None:
            return _sql_value(value)
        if self.name in NUMERIC_ATTRIBUTES:
            if isinstance(value, str):
                raise self.parser.error(f"{self.name} is a number; compare it with a number")
            return _sql_value(value)
        text = value if isinstance(value, str) else str(_sql_value(value))
        # MLflow writes statuses in capitals (FINISHED); the store keeps them in lower case.
        return text.lower() if self.name == "status" else text

    def membership(self, items: list[Any], negate: bool) -> str:
        kinds = {isinstance(v, str) for v in items}
        if len(kinds) > 1:
            raise self.parser.error("an 'in' list must hold only strings or only numbers")
        if self.table == "metric_summary" and True in kinds:
            raise self.parser.error(f"metrics are numbers; list numbers for metrics.{self.key}")
        column = self.column_for(items[0])
        text_valued = self.table in ("tag", "dataset")
        values = [_tag_text(v) if text_valued else self._attribute_value(v) for v in items]
        marks = ", ".join("?" for _ in values)
        return self._scoped(f"{column} IN ({marks})", values, negate)

    def null_test(self, negate: bool) -> str:
        """``is null`` (``negate`` false): the run has no value; two-valued, never unknown."""
        if self.table is None:
            return f"{self.column} IS {'NOT ' if negate else ''}NULL"
        if self.table == "dataset":
            sql = f"run.run_id IN ({DATASET_FROM}{self.column} IS NOT NULL)"
        else:
            self.parser.params.append(self.key)
            sql = f"run.run_id IN (SELECT run_id FROM {self.table} WHERE key = ?)"
        return sql if negate else f"NOT ({sql})"


def unquote(part: str) -> str:
    """A key or prefix without its back-quotes or double quotes (``""`` inside is one ``"``)."""
    if len(part) >= 2 and part[0] == part[-1] == "`":
        return part[1:-1]
    if len(part) >= 2 and part[0] == part[-1] == '"':
        return part[1:-1].replace('""', '"')
    return part


def split_field(text: str) -> tuple[str, str]:
    """``(prefix, key)`` of a field token; the key is everything after the first dot."""
    if text[0] in "`\"":
        end = text.index(text[0], 1)
        while text[0] == '"' and text[end + 1:end + 2] == '"':
            end = text.index('"', end + 2)
        return unquote(text[:end + 1]), unquote(text[end + 2:])
    head, _, key = text.partition(".")
    return head, unquote(key)


def resolve_field(token: Any, parser: Any) -> Field:
    head, key = split_field(token.text)
    head = head.lower()
    key = parser.check_text(key, token)
    if head == "tags" and key in ("mlflow.runName", "mlflow.user"):  # MLflow's own tags
        head, key = "attributes", "run_name" if key == "mlflow.runName" else "user_id"
    if head in TABLES:
        if not key:
            raise parser.error(f"'{head}' needs a key, as in {head}.NAME", token)
        table = TABLES[head]
        if table == "dataset":
            if key.lower() not in DATASET_COLUMNS:
                raise parser.error(f"unknown field '{token.text}'; datasets have name, digest "
                                   "and context", token)
            return Field(parser, DATASET_COLUMNS[key.lower()], table, name=key.lower())
        return Field(parser, "last" if table == "metric_summary" else "", table, key)
    if head in ATTRIBUTE_PREFIXES and key:
        name = "run_name" if key.lower() == "run name" else key.lower()
        if name in MS_TIMES:
            return Field(parser, MS_TIMES[name], name=name)
        head, key = name, ""
    if head == "created" and not key:
        return Field(parser, MS_TIMES["created"], name="created")
    if key or head not in ATTRIBUTES:
        known = "params.KEY, metrics.KEY, tags.KEY, datasets.KEY, " + ", ".join(sorted(ATTRIBUTES))
        raise parser.error(f"unknown field '{token.text}'; fields are {known}", token)
    return Field(parser, ATTRIBUTES[head], name=head)


def _sql_value(value: Any) -> Any:
    return float(value) if isinstance(value, bool) else value


def _tag_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
