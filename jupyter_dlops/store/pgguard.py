"""``dlops sql`` on PostgreSQL: only the documented views, only harmless functions.

A read-only transaction stops writes, but not ``pg_read_file('/etc/passwd')``,
``SELECT * FROM pg_shadow`` or ``pg_terminate_backend(pid)`` (issue 14). So the statement is
parsed with PostgreSQL's own parser (libpg_query, through pglast) and refused unless it is one
SELECT that reads only the store's views (or its own common table expressions, in scope) and
calls only the functions in :data:`ALLOWED_FUNCTIONS`. What the parser cannot express (a role's
privileges) is the server's job: see "A least-privilege role" in docs/store.md.
"""

from __future__ import annotations

import json
import re

from ..errors import QuerySyntaxError, ReadOnlyQueryError, StoreError

#: Aggregates, window, number, text, time, JSON and array functions: pure computations on
#: their arguments. Nothing that reads files, settings, other sessions or the catalog.
ALLOWED_FUNCTIONS = frozenset(["count", "sum", "avg", "min", "max", "stddev", "stddev_pop", "stddev_samp", "variance", "var_pop", "var_samp", "bool_and", "bool_or", "every", "string_agg", "array_agg", "json_agg", "jsonb_agg", "json_object_agg", "jsonb_object_agg", "percentile_cont", "percentile_disc", "mode", "corr", "covar_pop", "covar_samp", "regr_slope", "regr_intercept", "regr_r2", "row_number", "rank", "dense_rank", "percent_rank", "cume_dist", "ntile", "lag", "lead", "first_value", "last_value", "nth_value", "abs", "round", "ceil", "ceiling", "floor", "trunc", "sqrt", "cbrt", "exp", "ln", "log", "log10", "power", "pow", "sign", "mod", "div", "pi", "degrees", "radians", "width_bucket", "isfinite", "isnan", "greatest", "least", "coalesce", "nullif", "lower", "upper", "length", "char_length", "character_length", "octet_length", "substr", "substring", "trim", "btrim", "ltrim", "rtrim", "replace", "concat", "concat_ws", "left", "right", "position", "strpos", "split_part", "starts_with", "lpad", "rpad", "repeat", "reverse", "initcap", "translate", "regexp_replace", "regexp_match", "regexp_matches", "regexp_like", "regexp_count", "regexp_split_to_array", "regexp_split_to_table", "to_char", "to_number", "to_timestamp", "to_date", "now", "date_trunc", "date_part", "extract", "age", "timezone", "make_interval", "make_timestamp", "make_date", "json_extract_path", "json_extract_path_text", "jsonb_extract_path", "jsonb_extract_path_text", "json_array_length", "jsonb_array_length", "json_typeof", "jsonb_typeof", "json_each", "json_each_text", "jsonb_each", "jsonb_each_text", "json_array_elements", "json_array_elements_text", "jsonb_array_elements", "jsonb_array_elements_text", "json_object_keys", "jsonb_object_keys", "to_json", "to_jsonb", "json_build_object", "jsonb_build_object", "json_build_array", "jsonb_build_array", "jsonb_pretty", "row_to_json", "array_length", "cardinality", "unnest", "array_to_string", "array_position", "string_to_array", "array_remove", "generate_series"])
#: Statements that write; refused wherever they appear (``WITH x AS (DELETE ...)``).
WRITES = frozenset({"InsertStmt", "UpdateStmt", "DeleteStmt", "MergeStmt"})
HINT = "dlops sql is read-only: one SELECT over the views {views}"
_VIEW = re.compile(r"CREATE\s+VIEW\s+(\w+)", re.IGNORECASE)


def documented_views() -> frozenset[str]:
    """The views the migrations create: what ``dlops sql`` may read."""
    from .migrations import all_migrations

    return frozenset(name.lower() for migration in all_migrations()
                     for statement in migration.statements("postgresql")
                     for name in _VIEW.findall(statement))


def check_query(text: str, views: frozenset[str] | None = None) -> None:
    """Refuse ``text`` unless it is one SELECT over ``views`` calling allowed functions.

    Raises
    ------
    ReadOnlyQueryError
        A write, a second statement, ``SELECT INTO``, ``FOR UPDATE``, a relation that is not a
        documented view, or a function outside :data:`ALLOWED_FUNCTIONS`.
    QuerySyntaxError
        PostgreSQL's parser refuses the text.
    StoreError
        pglast, the parser's binding, is not installed (refusing is safer than guessing).
    """
    views = documented_views() if views is None else views
    stmts = _parse(text)
    hint = HINT.format(views=", ".join(sorted(views)))
    if len(stmts) != 1 or "SelectStmt" not in (stmts[0].get("stmt") or {}):
        raise ReadOnlyQueryError(hint)
    _Walker(views, hint).walk(stmts[0]["stmt"])


def _parse(text: str) -> list[dict]:
    try:
        from pglast.parser import ParseError, parse_sql_json
    except ImportError:
        raise StoreError("dlops sql on PostgreSQL checks each query with pglast; "
                         "run: pip install 'jupyter-dlops[postgres]'") from None
    try:
        return json.loads(parse_sql_json(text)).get("stmts", [])
    except ParseError as error:
        raise QuerySyntaxError(f"SQL error: {error}") from None
    except RecursionError:
        raise QuerySyntaxError("the query is nested too deeply; simplify it") from None


class _Walker:
    """Walks the parse tree (JSON) without recursion, tracking which CTE names are in scope."""

    def __init__(self, views: frozenset[str], hint: str) -> None:
        self.views, self.hint = views, hint

    def walk(self, root: dict) -> None:
        stack: list[tuple[object, frozenset[str]]] = [(root, frozenset())]
        while stack:
            node, scope = stack.pop()
            if isinstance(node, list):
                stack.extend((item, scope) for item in node)
            elif isinstance(node, dict):
                for key, value in node.items():
                    stack.extend(self.visit(key, value, scope))

    def visit(self, key: str, value: object, scope: frozenset[str]) -> list:
        if key in WRITES or key in ("intoClause", "lockingClause"):
            raise ReadOnlyQueryError(self.hint)
        if key == "FuncCall":
            self.check_function(value)
        elif key == "RangeVar":
            self.check_relation(value, scope)
        elif key == "SelectStmt" and isinstance(value, dict) and value.get("withClause"):
            return self.with_scopes(value, scope)
        return [(value, scope)]

    def with_scopes(self, select: dict, scope: frozenset[str]) -> list:
        """A ``WITH`` list's names are visible in the statement; in a CTE's own body only the
        earlier ones, unless ``RECURSIVE`` (else ``WITH pg_shadow AS (SELECT * FROM pg_shadow)``
        would read the catalog under a borrowed name)."""
        clause = select["withClause"]
        ctes = [item.get("CommonTableExpr", {}) for item in clause.get("ctes", [])]
        names = [str(cte.get("ctename", "")).lower() for cte in ctes]
        out: list = [({k: v for k, v in select.items() if k != "withClause"}, scope | set(names))]
        for index, cte in enumerate(ctes):
            visible = names if clause.get("recursive") else names[:index]
            out.append((cte.get("ctequery"), scope | set(visible)))
        return out

    def check_function(self, call: dict) -> None:
        parts = [part.get("String", {}).get("sval", "") for part in call.get("funcname", [])]
        name = parts[-1].lower() if parts else ""
        schema_ok = len(parts) == 1 or (len(parts) == 2 and parts[0].lower() == "pg_catalog")
        if not schema_ok or name not in ALLOWED_FUNCTIONS:
            raise ReadOnlyQueryError(f"dlops sql does not allow the function {'.'.join(parts)}(); "
                                     "it allows aggregates and number, text, time and JSON functions")

    def check_relation(self, relation: dict, scope: frozenset[str]) -> None:
        name = str(relation.get("relname", "")).lower()
        qualified = relation.get("schemaname") or relation.get("catalogname")
        if qualified or (name not in self.views and name not in scope):
            shown = ".".join(str(p) for p in (relation.get("schemaname"), relation.get("relname")) if p)
            raise ReadOnlyQueryError(f"dlops sql reads only the views {', '.join(sorted(self.views))}; "
                                     f"not {shown}")
