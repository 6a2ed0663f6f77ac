"""The ``--where`` language, compiled to parameterised SQL over the ``run`` table.

    metrics.acc > 0.9 and params.lr < 0.1 and tags.stage = "prod"
    status in ('finished', 'killed') or not (name like 'bench%')
    params.optimizer = 'adam' and metrics.`val.loss` is not null

Fields: ``params.KEY``, ``metrics.KEY`` (the last value logged), ``tags.KEY``, ``datasets.KEY``
and the run attributes (``status``, ``name``, ``duration``...); MLflow's run-search names and
forms are all accepted too (see :mod:`.where_fields`). Everything after the first dot is the
key; back-quote or double-quote a key with odd characters. Values are numbers, quoted strings, ``true``,
``false`` and ``null``; they always travel as SQL parameters, never inside the SQL text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from ..errors import QuerySyntaxError
from .where_fields import Field, resolve_field

COMPARISONS = {"=": "=", "==": "=", "!=": "<>", "<>": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
KEYWORDS = {"and", "or", "not", "in", "is", "null", "like", "ilike", "true", "false"}
#: Limits that keep a hostile or generated expression from exhausting the parser's stack or
#: the databases' own limits (SQLite refuses expression trees deeper than 1000, issue 14).
MAX_NESTING = 32
MAX_CONDITIONS = 256
MAX_VALUES = 2000

TOKEN = re.compile(
    r"""(?P<ws>\s+)
      | (?P<number>-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)
      | (?P<field>(?:[A-Za-z_]\w*|`[^`]+`|"(?:[^"]|"")+"(?=\.))(?:\.(?:`[^`]+`|"(?:[^"]|"")+"|[\w.\-/:]+))?)
      | (?P<string>'(?:[^']|'')*'|"(?:[^"]|"")*")
      | (?P<op><=|>=|==|!=|<>|<|>|=)
      | (?P<punct>[(),])
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
        self.depth = 0
        self.conditions = 0

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
        sql = self.disjunction(False)
        if self.tok.kind != "end":
            raise self.error(f"unexpected {self.tok.text!r}; join conditions with 'and' or 'or'")
        return sql

    # ``negated`` carries a ``not`` down to the conditions (De Morgan), where it becomes the
    # three-valued NOT: a condition on a missing key stays unknown, as in SQL and MLflow.
    def disjunction(self, negated: bool) -> str:
        parts = [self.conjunction(negated)]
        while self.accept_keyword("or"):
            parts.append(self.conjunction(negated))
        return _balanced(parts, "AND" if negated else "OR")

    def conjunction(self, negated: bool) -> str:
        parts = [self.negation(negated)]
        while self.accept_keyword("and"):
            parts.append(self.negation(negated))
        return _balanced(parts, "OR" if negated else "AND")

    def negation(self, negated: bool) -> str:
        if self.accept_keyword("not"):
            with self.nested():
                return self.negation(not negated)
        if self.tok.kind == "punct" and self.tok.text == "(":
            self.i += 1
            with self.nested():
                inner = self.disjunction(negated)
            self.expect_punct(")")
            return inner
        self.conditions += 1
        if self.conditions > MAX_CONDITIONS:
            raise self.error(f"more than {MAX_CONDITIONS} conditions; match many values with one "
                             "'in (...)' list, e.g. params.seed in (1, 2, 3)")
        return self.comparison(negated)

    @contextmanager
    def nested(self) -> Iterator[None]:
        """One level of parentheses or ``not``; refused past :data:`MAX_NESTING`."""
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise self.error(f"parentheses or 'not' nested more than {MAX_NESTING} levels deep; "
                             "simplify the expression")
        try:
            yield
        finally:
            self.depth -= 1

    def comparison(self, negated: bool) -> str:
        field_token = self.tok
        if field_token.kind != "field":
            raise self.error("expected a field such as metrics.acc, params.lr, tags.stage or status")
        self.i += 1
        field = resolve_field(field_token, self)
        if self.accept_keyword("is"):
            negate = self.accept_keyword("not")
            if not self.accept_keyword("null"):
                raise self.error("expected 'null' after 'is'")
            return field.null_test(negate != negated)
        negate = self.accept_keyword("not")
        if self.accept_keyword("in"):
            return field.membership(self.value_list(), negate != negated)
        if self.tok.kind == "keyword" and self.tok.text.lower() in ("like", "ilike"):
            insensitive = self.tok.text.lower() == "ilike"
            self.i += 1
            value = self.value()
            if not isinstance(value, str):
                raise self.error(f"'{self.tokens[self.i - 2].text}' needs a quoted pattern",
                                 self.tokens[self.i - 1])
            return field.like(value, insensitive, negate != negated)
        if negate:
            raise self.error("expected 'in', 'like' or 'ilike' after 'not'")
        if self.tok.kind != "op":
            raise self.error("expected a comparison (=, !=, <, <=, >, >=, in, like, ilike, is null)")
        op = COMPARISONS[self.tok.text]
        self.i += 1
        value = self.value()
        if value is None:
            raise self.error("compare with null using 'is null' or 'is not null'", self.tokens[self.i - 1])
        return field.compare(op, value, negated)

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
            if len(self.params) + len(items) > MAX_VALUES:
                raise self.error(f"more than {MAX_VALUES} values in one expression; split the query")
        self.expect_punct(")")
        return items


def _balanced(parts: list[str], op: str) -> str:
    """``a OP b OP c...`` grouped as a balanced tree: a flat chain of N terms is an expression
    N deep for SQLite, which refuses depths over 1000."""
    if len(parts) == 1:
        return parts[0]
    middle = len(parts) // 2
    return f"({_balanced(parts[:middle], op)} {op} {_balanced(parts[middle:], op)})"


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
    field = resolve_field(parser.tok, parser)
    if field.table == "dataset":
        raise QuerySyntaxError("--sort cannot sort by datasets.*; a run may have many", text=text, position=0)
    return field, descending


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
