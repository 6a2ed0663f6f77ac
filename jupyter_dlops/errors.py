"""One exception hierarchy for the whole project.

Every message says what is wrong *and* what to do about it, on one line, because the CLI
prints ``str(error)`` as is and the server returns it as the response's message.
Each class carries the CLI exit status and the HTTP status it maps to.
"""

from __future__ import annotations


class DlopsError(Exception):
    """Base class: a problem the user can fix, reported on one line."""

    exit_code = 1
    http_status = 400

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        self.message = " ".join(message.split())
        self.hint = hint
        super().__init__(self.message if not hint else f"{self.message} ({hint})")


class UsageError(DlopsError):
    """Bad arguments or options (CLI usage, magic options, API arguments)."""

    exit_code = 2


class OverwriteError(UsageError):
    """A file jupyter-dlops did not write would be replaced (pass ``--force`` to replace it)."""

    http_status = 409


class NotFoundError(DlopsError):
    """A run, data version, object or file that does not exist."""

    exit_code = 3
    http_status = 404


class AmbiguousError(DlopsError):
    """An id prefix or name that matches more than one record."""

    exit_code = 3
    http_status = 409


class QuerySyntaxError(UsageError):
    """A malformed ``--where`` expression or data query; ``position`` is 0-based."""

    def __init__(self, message: str, *, text: str = "", position: int | None = None) -> None:
        self.text = text
        self.position = position
        where = f" at position {position + 1}" if position is not None else ""
        pointer = ""
        if text and position is not None:
            rest = text[position:position + 24]
            pointer = f" (near {rest!r})" if rest else " (at the end)"
        super().__init__(f"{message}{where}{pointer}")


class StoreError(DlopsError):
    """The store cannot be opened or written (locked, corrupt, read-only, too new)."""

    exit_code = 4
    http_status = 503


class SchemaVersionError(StoreError):
    """The store was written by a newer jupyter-dlops."""


class InvalidValueError(UsageError, ValueError):
    """A value the store cannot hold (a metric step beyond 64 bits, a name that is not
    UTF-8), refused in the caller's thread, where it was given."""


class ReadOnlyQueryError(UsageError):
    """A statement given to ``dlops sql`` that would write."""


class DataError(DlopsError):
    """A data version problem: missing files, changed content, bad metadata."""

    exit_code = 5


class DataChangedError(DataError):
    """Data no longer matches its recorded version."""

    exit_code = 6


class ConvertError(DlopsError):
    """A notebook that cannot be exported (untranslatable magic, hidden state in strict mode)."""

    exit_code = 7
    http_status = 422


class ExecutionError(DlopsError):
    """A notebook or script run that failed (a cell raised, the kernel died, a timeout)."""

    exit_code = 8
    http_status = 500


EXIT_CODES = {
    0: "success",
    1: "general error",
    2: "usage error (bad arguments, bad --where, bad parameter)",
    3: "not found or ambiguous (run, version, file)",
    4: "store error (locked, corrupt, read-only, newer schema)",
    5: "data error",
    6: "data changed since it was versioned (verify found differences)",
    7: "export refused (untranslatable magic, hidden state with --strict)",
    8: "a run failed, or a reproduction differs",
    9: "the store's copy of an object a reproduction needs was altered",
    130: "interrupted (Ctrl-C)",
}
