"""Translations of cell magics (a first line ``%%name args``).

Each handler takes the magic's arguments, the cell body, the translation context and the line
number where the body starts, and returns the cell's new source.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from .line_magics import statement
from .magic_base import IPYTHON_HELPER, SHELL_HELPER, Context, expanded, split_args
from .pysource import indent, py_string

CellHandler = Callable[[str, str, Context, int], str]

# Cell magics that only display their body.
DISPLAY_CELLS = {"html", "HTML", "markdown", "latex", "javascript", "js", "svg", "SVG"}
# Cell magics that feed their body to an interpreter on stdin, as %%script does.
INTERPRETERS = {
    "bash": "bash", "sh": "sh", "perl": "perl", "ruby": "ruby", "python": "python", "python3": "python3",
    "shell": "bash",  # Colab's %%shell
}


def _python_body(body: str, ctx: Context, first_line: int) -> str:
    from .magics import translate_lines

    return translate_lines(body, ctx, first_line)


def _script(interpreter: str, args: str, body: str, ctx: Context) -> str:
    if args:
        raise ctx.refuse(f"%%{interpreter} {args}", "options of script cell magics have no translation")
    # %%script raises CalledProcessError on a failing exit status (IPython's --raise-error default).
    ctx.imports.add(SHELL_HELPER)
    ctx.note(f"%%{interpreter}", f"_dlops_sh([{interpreter!r}], input=..., check=True)")
    command = "[sys.executable]" if interpreter in ("python", "python3") else f"[{interpreter!r}]"
    if command == "[sys.executable]":
        ctx.imports.add("sys")
    return f"_dlops_sh({command}, input={py_string(body)}, check=True)"


def _interpreter(name: str) -> CellHandler:
    def handler(args: str, body: str, ctx: Context, first_line: int) -> str:
        return _script(INTERPRETERS[name], args, body, ctx)

    return handler


def _script_magic(args: str, body: str, ctx: Context, first_line: int) -> str:
    words = split_args(args, ctx)
    if len(words) != 1:
        raise ctx.refuse("%%script " + args, "only '%%script INTERPRETER' has a translation")
    return _script(words[0], "", body, ctx)


def _time(args: str, body: str, ctx: Context, first_line: int) -> str:
    ctx.note("%%time", "timing removed, cell body kept")
    return "# [dlops] %%time removed: timing only\n" + _python_body(body, ctx, first_line)


def _timeit(args: str, body: str, ctx: Context, first_line: int) -> str:
    # The body's side effects are part of the notebook's state: run setup and body once.
    ctx.note("%%timeit " + args, "timing removed, setup and body run once (not timed repeatedly)")
    setup = statement("timeit", args)
    code = _python_body(body, ctx, first_line)
    return "# [dlops] %%timeit: its body runs once, not timed\n" + (f"{setup}\n" if setup else "") + code


def _prun(args: str, body: str, ctx: Context, first_line: int) -> str:
    ctx.note("%%prun " + args, "profiling removed, cell body kept")
    return "# [dlops] %%prun removed: profiling only\n" + _python_body(body, ctx, first_line)


def _debug(args: str, body: str, ctx: Context, first_line: int) -> str:
    ctx.note("%%debug " + args, "debugger removed, cell body kept")
    return "# [dlops] %%debug removed: interactive debugging only\n" + _python_body(body, ctx, first_line)


def _display(name: str) -> CellHandler:
    def handler(args: str, body: str, ctx: Context, first_line: int) -> str:
        ctx.note(f"%%{name}", "removed (display only)")
        return f"# [dlops] removed a %%{name} cell: display only"

    return handler


def _writefile(args: str, body: str, ctx: Context, first_line: int) -> str:
    words = split_args(args, ctx)
    append = words[:1] in (["-a"], ["--append"])
    paths = words[1:] if append else words
    if len(paths) != 1:
        raise ctx.refuse("%%writefile " + args, "expected '%%writefile [-a] PATH'")
    mode = "a" if append else "w"
    ctx.note("%%writefile " + args, f"open(..., {mode!r}).write(...)")
    text = body if body.endswith("\n") else body + "\n"
    return (
        f"with open({expanded(paths[0], ctx)}, {mode!r}, encoding='utf-8') as _dlops_file:\n"
        f"    _dlops_file.write({py_string(text)})"
    )


def _capture(args: str, body: str, ctx: Context, first_line: int) -> str:
    words = [word for word in split_args(args, ctx) if not word.startswith("--no-")]
    if len(words) > 1 or any(word.startswith("-") for word in words):
        raise ctx.refuse("%%capture " + args, "expected '%%capture [--no-stdout] [--no-stderr] [NAME]'")
    ctx.note("%%capture " + args, "contextlib.redirect_stdout/redirect_stderr")
    code = _python_body(body, ctx, first_line)
    _check_body(code, ctx)
    ctx.imports.update({"contextlib", "io"})
    lines = [
        "_dlops_stdout, _dlops_stderr = io.StringIO(), io.StringIO()",
        "with contextlib.redirect_stdout(_dlops_stdout), contextlib.redirect_stderr(_dlops_stderr):",
        indent(code.strip("\n") if _has_statement(code) else (code.strip("\n") + "\npass").lstrip("\n")),
    ]
    if words:
        ctx.imports.add("types")
        lines.append(
            f"{words[0]} = types.SimpleNamespace(stdout=_dlops_stdout.getvalue(), "
            "stderr=_dlops_stderr.getvalue(), outputs=[])"
        )
    return "\n".join(lines)


def _has_statement(code: str) -> bool:
    # A body of notes only (``%%capture`` around ``!pip install``) would leave ``with:`` empty.
    return bool(ast.parse(code).body)


def _check_body(code: str, ctx: Context) -> None:
    # Indenting a body that does not parse would move the syntax error's line: report it here.
    try:
        ast.parse(code)
    except SyntaxError as error:
        ctx.line = (error.lineno or 0) + 1
        raise ctx.refuse("%%capture", f"its body has a syntax error ({error.msg})") from None


# The data files a tracked cell opens are recorded in the script too (issue 15); where the
# script runs untracked (--no-track, --standalone, no jupyter-dlops), the body runs alone.
_TRACK_OPEN = ('_dlops_watch = globals()["_dlops"].track_data({label!r}) '
               'if globals().get("_dlops") and globals().get("_dlops_track") else None')
_TRACK_CLOSE = "if _dlops_watch is not None:\n    _dlops_watch.stop()"


def _track(args: str, body: str, ctx: Context, first_line: int) -> str:
    # The script is one tracked run already (see the dlops cell), so a tracked cell's body
    # runs as is: its log_metric calls go to that run (issue 5); its data files are recorded.
    ctx.note("%%track " + args, "body kept; the whole script is one tracked run, which records its data files")
    label = f" {args}" if args else ""
    opening = _TRACK_OPEN.format(label=args.strip() or None)
    return (f"# [dlops] %%track{label}: the script's run records this cell and the files it opens\n"
            f"{opening}\n{_python_body(body, ctx, first_line)}\n{_TRACK_CLOSE}")


def fallback(name: str, args: str, body: str, ctx: Context) -> str:
    """--keep-unknown-magics: run the cell magic through IPython (needs IPython to run)."""
    ctx.note(f"%%{name} {args}", "kept as an IPython call (--keep-unknown-magics)")
    ctx.opaque.append(f"%%{name} {args}")
    ctx.imports.add(IPYTHON_HELPER)
    return f"_dlops_ipython().run_cell_magic({name!r}, {args!r}, {py_string(body)})"


HANDLERS: dict[str, CellHandler] = {
    "time": _time,
    "timeit": _timeit,
    "prun": _prun,
    "debug": _debug,
    "writefile": _writefile,
    "file": _writefile,
    "capture": _capture,
    "track": _track,
    "script": _script_magic,
    **{name: _interpreter(name) for name in INTERPRETERS},
    **{name: _display(name) for name in DISPLAY_CELLS},
}
