"""What reaches the terminal: control characters escaped, a closed pipe ended quietly.

Run names, parameters, tags, metric names, SQL results and error messages come from users
and from stored records; printed raw, an ANSI/OSC escape or a carriage return in one of them
clears the screen, retitles the terminal or overwrites a line (issue 14). :func:`main` wraps
``sys.stdout`` and ``sys.stderr`` in :class:`EscapingStream`, so every line the CLI prints
goes through :func:`escape_controls`, the one place where this is decided.
"""

from __future__ import annotations

import os
import re
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import TextIO

#: The only escape sequences the CLI itself emits (bold, yellow, reset, erase to the end of
#: the line): they may pass; any other escape, and every other control character, is shown.
OWN_SEQUENCES = ("\033[1m", "\033[33m", "\033[0m", "\033[K")
# C0 but tab and newline; DEL and C1 (0x9b is a one-byte CSI); bidi overrides and isolates
_CONTROL_CODES = [*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0),
                  *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
# C0 never appears raw inside JSON text; the others may, where \uXXXX keeps JSON valid
_TABLE = {code: f"\\x{code:02x}" if code < 0x7F else f"\\u{code:04x}" for code in _CONTROL_CODES}
_ANY = re.compile("[" + "".join(re.escape(chr(code)) for code in _CONTROL_CODES) + "]")
_OWN = re.compile("(" + "|".join(re.escape(s) for s in OWN_SEQUENCES) + ")")


def escape_controls(text: str) -> str:
    """``text`` with every control character shown as an escape (``\\x1b``, ``\\u009b``).

    Tabs and newlines stay; so do the few sequences the CLI emits itself
    (:data:`OWN_SEQUENCES`). Linear time; text without controls is
    returned as is.
    """
    if not _ANY.search(text):
        return text
    if "\033" not in text:
        return _ANY.sub(_escape, text)
    # split keeps the CLI's own sequences at the odd positions, untouched
    return "".join(part if index % 2 else _ANY.sub(_escape, part)
                   for index, part in enumerate(_OWN.split(text)))


def _escape(match: re.Match) -> str:
    # a regex with a lookup beats str.translate here: translate to multi-character strings
    # goes through a slow per-character path
    return _TABLE[ord(match.group())]


class EscapingStream:
    """A text stream that escapes control characters in everything written to it.

    ``write_trusted`` writes the CLI's own cursor movements (the sweep progress bar's
    carriage return) unchanged."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        return self.stream.write(escape_controls(text))

    def write_trusted(self, text: str) -> int:
        return self.stream.write(text)

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str):
        return getattr(self.stream, name)


class escaped_output:  # noqa: N801 - used as a context manager, named like one
    """Within the block, ``sys.stdout`` and ``sys.stderr`` escape control characters."""

    def __enter__(self) -> None:
        self.saved = sys.stdout, sys.stderr
        sys.stdout, sys.stderr = EscapingStream(sys.stdout), EscapingStream(sys.stderr)

    def __exit__(self, *exc) -> None:
        sys.stdout, sys.stderr = self.saved


def silence_stdout() -> None:
    """After the reader of a pipe went away (``dlops show RUN | head``): point stdout at
    /dev/null so that the flush at exit raises no second BrokenPipeError ("Exception
    ignored ... Broken pipe", exit 120), as the Python documentation recommends. stderr too
    where it shares the closed pipe (``dlops sweep ... 2>&1 | head``)."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BrokenPipeError:
            _to_devnull(stream)
        except (OSError, ValueError):
            pass
    _to_devnull(sys.stdout)


def _to_devnull(stream) -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass  # no real file descriptor behind the stream (an in-process caller): nothing to flush
