"""The ``--where`` language, compiled to parameterised SQL over the ``run`` table.

    metrics.acc > 0.9 and params.lr < 0.1 and tags.stage = "prod"
    status in ('finished', 'killed') or not (name like 'bench%')
    params.optimizer = 'adam' and metrics.`val.loss` is not null

Fields: ``params.KEY``, ``metrics.KEY`` (the last value logged), ``tags.KEY`` and the run
attributes (``status``, ``name``, ``duration``...). Everything after the first dot is the key;
back-quote a key with odd characters. Values are numbers, quoted strings, ``true``,
``false`` and ``null``; they always travel as SQL parameters, never inside the SQL text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..errors import QuerySyntaxError

ATTRIBUTES = {
    "run_id": "run.run_id", "id": "run.run_id", "name": "run.name", "experiment": "run.experiment",
    "kind": "run.kind", "status": "run.status", "start_time": "run.start_time",
    "end_time": "run.end_time", "host": "run.host", "entry_point": "run.entry_point",
    "sweep_id": "run.sweep_id", "parent_id": "run.parent_id", "error": "run.error",
    "duration": "(COALESCE(run.end_time, run.heartbeat, run.start_time) - run.start_time)",
}
#: Run attributes that hold numbers; the others hold text.
NUMERIC_ATTRIBUTES = {"start_time", "end_time", "duration"}
#: A NaN metric satisfies no comparison (as in IEEE arithmetic, NumPy and pandas): SQLite
#: stores it as the text 'NaN', which sorts above every number, and PostgreSQL's NaN is
#: greater than every number, so both need this guard. Infinities compare as infinities.
_NOT_NAN = " AND last <> 'NaN'"
COMPARISONS = {"=": "=", "==": "=", "!=": "<>", "<>": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
KEYWORDS = {"and", "or", "not", "in", "is", "null", "like", "true", "false"}

TOKEN = re.compile(
    r"""(?P<ws>\s+)
      | (?P<number>-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)
      | (?P<string>'(?:[^']|'')*'|"(?:[^"]|"")*")
      | (?P<op><=|>=|==|!=|<>|<|>|=)
      | (?P<punct>[(),])
      | (?P<field>(?:[A-Za-z_][\w]*)(?:\.(?:`[^`]+`|[\w.\-/:]+))?)
    """,
    re.VERBOSE | re.UNICODE,
)


@dataclass
class Token:
    kind: str
    text: str
    pos: int


def tokenize(text: str) -> list[Token]:
    tokens, pos = [], 0
    while pos < len(text):
        match = TOKEN.match(text, pos)
        if not match:
            raise QuerySyntaxError(f"unexpected character {text[pos]!r}", text=text, position=pos)
        kind = match.lastgroup
        if kind != "ws":
            word = match.group()
            if kind == "field" and word.lower() in KEYWORDS:
                kind = "keyword"
            tokens.append(Token(kind, word, pos))
        pos = match.end()
    tokens.append(Token("end", "", len(text)))
    return tokens


class Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.i = 0
        self.params: list[Any] = []

    # -- helpers ------------------------------------------------------------------------
    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def error(self, message: str, token: Token | None = None) -> QuerySyntaxError:
        token = token or self.tok
        return QuerySyntaxError(message, text=self.text, position=token.pos)

    def accept_keyword(self, word: str) -> bool:
        if self.tok.kind == "keyword" and self.tok.text.lower() == word:
            self.i += 1
            return True
        return False

    def expect_punct(self, char: str) -> None:
        if self.tok.kind != "punct" or self.tok.text != char:
            raise self.error(f"expected '{char}'")
        self.i += 1

    # -- grammar ------------------------------------------------------------------------
    def parse(self) -> str:
        if self.tok.kind == "end":
            raise self.error("empty expression")
        sql = self.disjunction()
        if self.tok.kind != "end":
            raise self.error(f"unexpected {self.tok.text!r}; join conditions with 'and' or 'or'")
        return sql

    def disjunction(self) -> str:
        parts = [self.conjunction()]
        while self.accept_keyword("or"):
            parts.append(self.conjunction())
        return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"

    def conjunction(self) -> str:
        parts = [self.negation()]
        while self.accept_keyword("and"):
            parts.append(self.negation())
        return parts[0] if len(parts) == 1 else "(" + " AND ".join(parts) + ")"

    def negation(self) -> str:
        if self.accept_keyword("not"):
            return f"NOT ({self.negation()})"
        if self.tok.kind == "punct" and self.tok.text == "(":
            self.i += 1
            inner = self.disjunction()
            self.expect_punct(")")
            return inner
        return self.comparison()

    def comparison(self) -> str:
        field_token = self.tok
        if field_token.kind != "field":
            raise self.error("expected a field such as metrics.acc, params.lr, tags.stage or status")
        self.i += 1
        field = resolve_field(field_token, self)
        if self.accept_keyword("is"):
            negate = self.accept_keyword("not")
            if not self.accept_keyword("null"):
                raise self.error("expected 'null' after 'is'")
            return field.null_test(negate)
        negate = self.accept_keyword("not")
        if self.accept_keyword("in"):
            return field.membership(self.value_list(), negate)
        if self.accept_keyword("like"):
            value = self.value()
            if not isinstance(value, str):
                raise self.error("'like' needs a quoted pattern", self.tokens[self.i - 1])
            return field.compare("LIKE", value, negate)
        if negate:
            raise self.error("expected 'in' or 'like' after 'not'")
        if self.tok.kind != "op":
            raise self.error("expected a comparison (=, !=, <, <=, >, >=, in, like, is null)")
        op = COMPARISONS[self.tok.text]
        self.i += 1
        value = self.value()
        if value is None:
            raise self.error("compare with null using 'is null' or 'is not null'", self.tokens[self.i - 1])
        return field.compare(op, value, False)

    def value(self) -> Any:
        token = self.tok
        self.i += 1
        if token.kind == "number":
            if re.fullmatch(r"-?\d+", token.text) and abs(int(token.text)) < 2**63:
                return int(token.text)
            return float(token.text)  # beyond 64 bits no SQL integer holds it: compare as a float
        if token.kind == "string":
            quote = token.text[0]
            return self.check_text(token.text[1:-1].replace(quote * 2, quote), token)
        if token.kind == "keyword" and token.text.lower() in ("true", "false", "null"):
            return {"true": True, "false": False, "null": None}[token.text.lower()]
        self.i -= 1
        raise self.error("expected a value: a number, a quoted string, true, false or null")

    def check_text(self, text: str, token: Token) -> str:
        """Refuse what no store can hold in text: NUL characters and lone surrogates."""
        if "\x00" in text:
            raise self.error("strings cannot contain NUL characters", token)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise self.error("strings must be valid Unicode (found a lone surrogate)", token) from None
        return text

    def value_list(self) -> list[Any]:
        self.expect_punct("(")
        items = [self.value()]
        while self.tok.kind == "punct" and self.tok.text == ",":
            self.i += 1
            items.append(self.value())
        self.expect_punct(")")
        return items


class Field:
    """A resolved field: how to test it in SQL."""

    def __init__(self, parser: Parser, column: str, table: str | None = None, key: str | None = None,
                 name: str = ""):
        self.parser, self.column, self.table, self.key, self.name = parser, column, table, key, name

    def _scoped(self, predicate: str, args: list[Any], negate: bool) -> str:
        params = self.parser.params
        if self.table is None:
            params.extend(args)
            return f"NOT ({predicate})" if negate else predicate
        params.append(self.key)
        params.extend(args)
        sql = f"run.run_id IN (SELECT run_id FROM {self.table} WHERE key = ? AND {predicate})"
        return f"NOT ({sql})" if negate else sql

    def column_for(self, value: Any) -> str:
        if self.table == "param":
            return "text" if isinstance(value, str) else "num"
        if self.table == "tag":
            return "value"
        return self.column

    def compare(self, op: str, value: Any, negate: bool) -> str:
        column = self.column_for(value)
        if self.table == "param" and isinstance(value, bool):
            return self._scoped(f"type = 'bool' AND {column} {op} ?", [float(value)], negate)
        if self.table == "tag" and not isinstance(value, str):
            value = _tag_text(value)
        if self.table == "metric_summary" and isinstance(value, str):
            raise self.parser.error(
                f"metrics are numbers; compare metrics.{self.key} with a number",
                self.parser.tokens[self.parser.i - 1],
            )
        return self._scoped(f"{column} {op} ?{_NOT_NAN if self.table == 'metric_summary' else ''}",
                            [self._attribute_value(value)], negate)

    def _attribute_value(self, value: Any) -> Any:
        """Run attributes are typed columns: PostgreSQL compares text with text and numbers
        with numbers only (SQLite would convert a number to text for a text column)."""
        if self.table is not None or value is None:
            return _sql_value(value)
        if self.name in NUMERIC_ATTRIBUTES:
            if isinstance(value, str):
                raise self.parser.error(f"{self.name} is a number; compare it with a number")
            return _sql_value(value)
        return value if isinstance(value, str) else str(_sql_value(value))

    def membership(self, items: list[Any], negate: bool) -> str:
        kinds = {isinstance(v, str) for v in items}
        if len(kinds) > 1:
            raise self.parser.error("an 'in' list must hold only strings or only numbers")
        if self.table == "metric_summary" and True in kinds:
            raise self.parser.error(f"metrics are numbers; list numbers for metrics.{self.key}")
        column = self.column_for(items[0])
        values = [_tag_text(v) if self.table == "tag" else self._attribute_value(v) for v in items]
        marks = ", ".join("?" for _ in values)
        nan = _NOT_NAN if self.table == "metric_summary" else ""
        return self._scoped(f"{column} IN ({marks}){nan}", values, negate)

    def null_test(self, negate: bool) -> str:
        if self.table is None:
            return f"{self.column} IS {'NOT ' if negate else ''}NULL"
        # "params.x is null" means the run has no value for x.
        return self._scoped("1 = 1", [], not negate)


def resolve_field(token: Token, parser: Parser) -> Field:
    head, _, key = token.text.partition(".")
    head = head.lower()
    if key.startswith("`") and key.endswith("`"):
        key = key[1:-1]
    key = parser.check_text(key, token)
    tables = {"params": "param", "param": "param", "metrics": "metric_summary",
              "metric": "metric_summary", "tags": "tag", "tag": "tag"}
    if head in tables:
        if not key:
            raise parser.error(f"'{head}' needs a key, as in {head}.NAME", token)
        return Field(parser, "last" if tables[head] == "metric_summary" else "", tables[head], key)
    if head == "attributes" and key:
        head, key = key.lower(), ""
    if key or head not in ATTRIBUTES:
        known = "params.KEY, metrics.KEY, tags.KEY, " + ", ".join(sorted(ATTRIBUTES))
        raise parser.error(f"unknown field '{token.text}'; fields are {known}", token)
    return Field(parser, ATTRIBUTES[head], name=head)


def _sql_value(value: Any) -> Any:
    return float(value) if isinstance(value, bool) else value


def _tag_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def compile_where(text: str) -> tuple[str, list[Any]]:
    """``(sql, params)`` for a ``--where`` expression; raises :class:`QuerySyntaxError`."""
    parser = Parser(text)
    sql = parser.parse()
    return sql, parser.params


def _sort_spec(text: str) -> tuple[Field, bool]:
    """The field of a ``--sort`` and whether it is descending."""
    spec = text.strip()
    descending = spec.startswith("-")
    spec = spec.lstrip("-+").strip()
    words = spec.rsplit(None, 1)
    if len(words) == 2 and words[1].lower() in ("asc", "desc"):
        spec, descending = words[0], words[1].lower() == "desc"
    parser = Parser(spec)
    if parser.tok.kind != "field" or parser.tokens[1].kind != "end":
        raise QuerySyntaxError("--sort takes one field, e.g. metrics.acc or -start_time", text=text, position=0)
    return resolve_field(parser.tok, parser), descending


def metric_sort(text: str | None) -> tuple[str, str] | None:
    """``(key, 'ASC' | 'DESC')`` when ``--sort`` is a metric, else None; the store then
    reads the order from the metric summaries' index instead of sorting every run."""
    if not text or not text.strip():
        return None
    field, descending = _sort_spec(text)
    if field.table != "metric_summary":
        return None
    return field.key, "DESC" if descending else "ASC"


def compile_sort(text: str | None) -> tuple[str, list[Any]]:
    """ORDER BY for ``--sort``: a field, optionally prefixed by ``-`` or followed by
    ``asc``/``desc``; default newest first. Missing values sort last."""
    if not text or not text.strip():
        return "run.start_time DESC", []
    field, descending = _sort_spec(text)
    direction = "DESC" if descending else "ASC"
    if field.table is None:
        return f"({field.column}) IS NULL, {field.column} {direction}, run.start_time DESC", []
    if field.table == "metric_summary":  # NaN sorts with the missing values, last
        expr = "(SELECT last FROM metric_summary s WHERE s.run_id = run.run_id AND s.key = ?)"
        return (f"({expr} IS NULL OR {expr} = 'NaN'), {expr} {direction}, run.start_time DESC",
                [field.key] * 3)
    if field.table != "param":
        expr = "(SELECT value FROM tag s WHERE s.run_id = run.run_id AND s.key = ?)"
        return f"({expr}) IS NULL, {expr} {direction}, run.start_time DESC", [field.key] * 2
    # Numbers and strings live in two columns (PostgreSQL cannot COALESCE them into one):
    # runs without the parameter last, then numbers before strings, as SQLite orders them.
    num = "(SELECT num FROM param s WHERE s.run_id = run.run_id AND s.key = ?)"
    text = "(SELECT text FROM param s WHERE s.run_id = run.run_id AND s.key = ?)"
    order = (f"({num} IS NULL AND {text} IS NULL), ({num}) IS NULL, {num} {direction}, "
             f"{text} {direction}, run.start_time DESC")
    return order, [field.key] * 5
