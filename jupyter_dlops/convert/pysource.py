"""Small helpers for reading and writing Python source text.

The magic translator needs to know where a *logical* line starts (a ``%`` at the start of a
line inside brackets or a triple-quoted string is Python, not a magic), to write string
literals that stay readable, and to indent a block without touching the inside of its
multi-line strings. None of this imports IPython.
"""

from __future__ import annotations

import io

_OPENERS = "([{"
_CLOSERS = ")]}"


class LineScanner:
    """Follow brackets, strings and backslash continuations across physical lines.

    ``at_logical_start`` is true when the next line fed begins a new logical line: only there
    can IPython's ``%``, ``!`` and ``?`` syntax appear.
    """

    def __init__(self) -> None:
        self.depth = 0
        self.quote: str | None = None
        self.continued = False

    @property
    def at_logical_start(self) -> bool:
        return self.depth == 0 and self.quote is None and not self.continued

    def feed(self, line: str) -> None:
        """Advance the state past one physical line (without its newline)."""
        i, n = 0, len(line)
        in_comment = False
        while i < n:
            char = line[i]
            if self.quote is not None:
                i = self._in_string(line, i)
                continue
            if char == "#":
                in_comment = True
                break
            if char in "\"'":
                self.quote = line[i:i + 3] if line[i:i + 3] in ('"""', "'''") else char
                i += len(self.quote)
                continue
            if char in _OPENERS:
                self.depth += 1
            elif char in _CLOSERS:
                self.depth = max(0, self.depth - 1)
            i += 1
        ends_with_backslash = line.endswith("\\") and not in_comment
        if self.quote in ("'", '"') and not ends_with_backslash:
            self.quote = None  # an unterminated one-line string: a syntax error ast reports
        self.continued = ends_with_backslash and self.quote is None

    def _in_string(self, line: str, i: int) -> int:
        assert self.quote is not None
        if line[i] == "\\":
            return i + 2
        if line.startswith(self.quote, i):
            end = i + len(self.quote)
            self.quote = None
            return end
        return i + 1


def py_string(text: str) -> str:
    """A readable literal for ``text``: triple-quoted when it spans lines, else ``repr``."""
    if "\n" in text.rstrip("\n") and '"""' not in text and not text.endswith(('"', "\\")):
        prefix = "r" if "\\" in text else ""
        return f'{prefix}"""{text}"""'
    return repr(text)


def py_format_string(text: str) -> str:
    """A literal that expands IPython-style ``{expression}`` fields, as ``!cmd`` does."""
    if "{" not in text:
        return py_string(text)
    return "f" + repr(text)


def string_lines(source: str) -> set[int]:
    """1-based numbers of the lines that continue a multi-line string token."""
    import tokenize  # only for %%capture bodies and parameters cells
    plain = _plain_tokens()
    inside: set[int] = set()
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError):
        return inside
    for token in tokens:
        if token.type == tokenize.STRING or token.type not in plain:
            inside.update(range(token.start[0] + 1, token.end[0] + 1))
    return inside


def _plain_tokens() -> set[int]:
    import tokenize

    return {
        tokenize.NAME, tokenize.NUMBER, tokenize.OP, tokenize.COMMENT, tokenize.NEWLINE,
        tokenize.NL, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER, tokenize.ERRORTOKEN,
    }


def indent(source: str, prefix: str = "    ") -> str:
    """Indent every line of ``source`` except blank ones and the inside of multi-line strings."""
    keep = string_lines(source)
    lines = source.split("\n")
    out = [
        line if (number in keep or not line.strip()) else prefix + line
        for number, line in enumerate(lines, start=1)
    ]
    return "\n".join(out)


def line_comments(source: str) -> dict[int, str]:
    """The text of the comment on each line (without ``#``), by 1-based line number."""
    import tokenize

    comments: dict[int, str] = {}
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.COMMENT:
                comments[token.start[0]] = token.string.lstrip("#").strip()
    except (tokenize.TokenError, SyntaxError):
        pass
    return comments
