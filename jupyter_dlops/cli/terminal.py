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
_CONTROLS = re.compile(
    "(" + "|".join(re.escape(s) for s in OWN_SEQUENCES) + ")"
    # C0 but tab and newline; DEL and C1 (0x9b is a one-byte CSI); bidi overrides and isolates
    "|[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]"
)


def _escape(match: re.Match) -> str:
    if match.group(1):
        return match.group(1)
    code = ord(match.group())
    # C0 never appears raw inside JSON text; the others may, where \uXXXX keeps JSON valid
    return f"\\x{code:02x}" if code < 0x7F else f"\\u{code:04x}"


def escape_controls(text: str) -> str:
    """``text`` with every control character shown as an escape (``\\x1b``, ``\\u009b``).

    Tabs and newlines stay; so do the few sequences the CLI emits itself
    (:data:`OWN_SEQUENCES`). Runs in linear time; text without controls is returned as is.
    """
    if not _CONTROLS.search(text):
        return text
    return _CONTROLS.sub(_escape, text)


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
