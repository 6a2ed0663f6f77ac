"""Translations of line magics (``%name args``) and shell escapes (``!cmd``).

Each handler takes the line's indentation, the magic's arguments and the translation
context, and returns the replacement lines. Shell commands run through the script's
``_dlops_sh`` helper (shell_runtime.py), which keeps IPython's meaning of ``!``: ``$name`` and
``{expr}`` expanded at run time, output flushed first, exit status in ``_exit_code``.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .magic_base import (
    IPYTHON_HELPER,
    Context,
    expanded,
    note_line,
    removed,
    shell_call,
    split_args,
)
from .pysource import py_string

Handler = Callable[[str, str, Context], list[str]]

# Magics whose only effect is on display, timing or the interactive session.
DISPLAY_ONLY = {
    "matplotlib": "display only",
    "load_ext": "IPython extension, display or session only",
    "reload_ext": "IPython extension, session only",
    "unload_ext": "IPython extension, session only",
    "autoreload": "interactive reloading only",
    "aimport": "interactive reloading only",
    "config": "IPython configuration, session only",
    "who": "display only",
    "whos": "display only",
    "who_ls": "display only",
    "lsmagic": "display only",
    "pwd": "display only",
    "precision": "display only",
    "pprint": "display only",
    "xmode": "display only",
    "history": "display only",
    "hist": "display only",
    "recall": "interactive only",
    "notebook": "session only",
    "qtconsole": "session only",
    "connect_info": "display only (the kernel's connection details; a script has no kernel)",
    "pdb": "interactive debugging only",
    "clear": "display only (clears the screen)",
    "man": "display only (pager)",
    "pinfo": "help lookup, interactive only",
    "pinfo2": "help lookup, interactive only",
    "pdoc": "help lookup, interactive only",
    "psource": "help lookup, interactive only",
    "pdef": "help lookup, interactive only",
    "pfile": "help lookup, interactive only",
    "magic": "display only",
    "quickref": "display only",
    "page": "display only (pager)",
    "dhist": "display only",
    "dirs": "display only",
    "bookmark": "session only",
    "colors": "display only",
    "automagic": "session only",
    "autocall": "session only",
    "doctest_mode": "display only",
    "killbgscripts": "session only",
}

# IPython's default shell aliases on Linux (IPython/core/alias.py, default_aliases), run through
# the shell as ``!`` is. ``--color`` is left out: it is --color=always, escape codes in a log.
ALIASES = {
    "mkdir": "mkdir", "rmdir": "rmdir", "mv": "mv", "rm": "rm", "cp": "cp", "cat": "cat",
    "ls": "ls -F", "ll": "ls -F -o", "lf": "ls -F -o %l | grep ^-", "lk": "ls -F -o %l | grep ^l",
    "ldir": "ls -F -o %l | grep /$", "lx": "ls -F -o %l | grep ^-..x",
    # ipykernel's pager magics: in a script the file is printed.
    "less": "cat", "more": "cat",
}


def shell(indent: str, command: str, ctx: Context) -> list[str]:
    """``!cmd`` -> ``_dlops_sh(cmd)`` (IPython's meaning); pip installs become requirements."""
    words = command.split()
    if len(words) > 1 and words[0] in ("pip", "pip3", "conda", "mamba") or words[:3] == [
        "python", "-m", "pip"
    ]:
        return _package_command(indent, command, ctx)
    if command.startswith("!"):  # !!cmd is %sx cmd: its output is the cell's result
        command = command[1:].strip()
    call = shell_call(command, ctx)
    then = "stops the script" if ctx.strict_shell else "goes on, exit status in _exit_code"
    ctx.note("!" + command, f"_dlops_sh(...): IPython's '!'; on failure it {then}")
    return [f"{indent}{call}"]


def alias(name: str) -> Handler:
    """``%ls ARGS`` and the other default aliases: the alias's command through the shell."""

    def handler(indent: str, args: str, ctx: Context) -> list[str]:
        command = ALIASES[name]
        command = command.replace("%l", args) if "%l" in command else f"{command} {args}".rstrip()
        ctx.note(f"%{name} {args}".rstrip(), f"alias: !{command}")
        return [f"{indent}{shell_call(command, ctx)}"]

    return handler


def assigned(indent: str, target: str, sigil: str, name: str, rest: str, ctx: Context) -> list[str]:
    """``x = !cmd``, ``x = %sx cmd``, ``x = %time expr``, ``x = %pwd``, ``x = %env NAME``."""
    if sigil == "!" or name in ("sx", "system"):
        command = (name + " " + rest).strip() if sigil == "!" else rest
        if sigil == "!" and command.startswith("!"):
            command = command[1:].strip()
        ctx.note(f"{target} = {sigil}{name} {rest}", "lines of its output (IPython's SList helpers)")
        return [f"{indent}{target} = {shell_call(command, ctx, capture=True)}"]
    if name in ("time", "prun") and rest:
        ctx.note(f"{target} = %{name} {rest}", "timing removed, expression kept")
        return [f"{indent}{target} = {statement(name, rest)}"]
    if name == "pwd" and not rest:
        ctx.imports.add("os")
        ctx.note(f"{target} = %pwd", "os.getcwd()")
        return [f"{indent}{target} = os.getcwd()"]
    if name == "env" and rest and " " not in rest and "=" not in rest:
        ctx.imports.add("os")
        ctx.note(f"{target} = %env {rest}", "os.environ[...]")
        return [f"{indent}{target} = os.environ[{py_string(rest)}]"]
    text = f"{target} = {sigil}{name} {rest}".strip()
    if not ctx.keep_unknown:
        raise ctx.refuse(text)
    ctx.note(text, "kept as an IPython call (--keep-unknown-magics)")
    ctx.opaque.append(text)
    ctx.imports.add(IPYTHON_HELPER)
    return [f"{indent}{target} = _dlops_ipython().run_line_magic({name!r}, {rest!r})"]


def _package_command(indent: str, command: str, ctx: Context) -> list[str]:
    words = split_args(command, ctx)
    if words[:3] == ["python", "-m", "pip"]:
        words = ["pip", *words[3:]]
    if len(words) < 2 or words[1] != "install":
        return removed(indent + "%" + command, ctx, "package management, run it before the script")
    found = _requirements(words[2:])
    ctx.requirements.extend(found)
    ctx.note("%" + command, "requirements: " + (", ".join(found) or "none"))
    listed = " ".join(found) or "(none)"
    return [note_line(indent, f"requirement(s) {listed}: install them before running (was {words[0]} install)")]


_OPTIONS_WITH_VALUE = {"-c", "--channel", "-i", "--index-url", "--extra-index-url", "-f",
                       "--find-links", "-n", "--name", "-p", "--prefix", "-t", "--target"}


def _requirements(words: list[str]) -> list[str]:
    found: list[str] = []
    skip_next = False
    for i, word in enumerate(words):
        if skip_next:
            skip_next = False
        elif word in ("-r", "--requirement") and i + 1 < len(words):
            found.append(f"-r {words[i + 1]}")
            skip_next = True
        elif word in _OPTIONS_WITH_VALUE:
            skip_next = True
        elif not word.startswith("-"):
            found.append(word)
    return found


# The options of IPython's %time-like magics (parse_options specs): those taking a value, flags.
_OPTIONS = {"time": ("", ""), "prun": ("DlsT", "rq"), "timeit": ("nrp", "tcqo"), "debug": ("b", "")}


def statement(name: str, args: str) -> str:
    """The Python statement of ``%time``/``%prun``/``%timeit`` ARGS, their options dropped."""
    with_value, flags = _OPTIONS[name]
    rest = args.lstrip()
    rest = re.sub(r"^--breakpoint\b", "-b", rest)  # %debug's long option
    while rest.startswith("-") and len(rest) > 1 and (rest[1] in with_value or rest[1] in flags):
        option, _, rest = rest.partition(" ")
        rest = rest.lstrip()
        if option[1] in with_value and len(option) == 2:  # "-n 1": the value is the next word
            rest = rest.partition(" ")[2].lstrip()
    return rest


def _timing(name: str) -> Handler:
    def handler(indent: str, args: str, ctx: Context) -> list[str]:
        code = statement(name, args)
        if not code:
            why = "interactive debugging only" if name == "debug" else "timing only"
            return removed(f"{indent}%{name} {args}".rstrip(), ctx, why)
        if name == "timeit":  # its side effects (L.append(1)) are part of the notebook's state
            ctx.note(f"%{name} {args}", "timing removed, statement run once (not timed repeatedly)")
            return [f"{indent}{code}  # [dlops] %timeit: run once, not timed"]
        ctx.note(f"%{name} {args}", f"{'debugger' if name == 'debug' else 'timing'} removed, statement kept")
        return [f"{indent}{code}"]

    return handler


def _pylab(indent: str, args: str, ctx: Context) -> list[str]:
    # IPython's pylabtools.import_pylab, less its display hooks (display, figsize, getfigs).
    import_all = "--no-import-all" not in args.split()
    ctx.note("%pylab " + args, "the imports %pylab makes" + (" (star imports)" if import_all else ""))
    lines = ["import numpy", "import matplotlib", "from matplotlib import pylab, mlab, pyplot",
             "np = numpy", "plt = pyplot"]
    if import_all:
        lines += ["from matplotlib.pylab import *  # noqa: F403", "from numpy import *  # noqa: F403"]
    return [f"{indent}{line}" for line in lines]


def _reset(indent: str, args: str, ctx: Context) -> list[str]:
    words = args.split()
    if words and set(words) <= {"in", "out", "dhist"}:
        return removed(f"{indent}%reset {args}", ctx, "history only")
    if not set(words) <= {"-f", "-s", "-sf", "-fs", "--aggressive"}:
        raise ctx.refuse("%reset " + args, "only '%reset [-f] [-s]' has a translation")
    # The script's own helpers (names starting with "_") survive: IPython keeps its own too.
    ctx.note("%reset " + args, "the script's global names deleted, as %reset does")
    return [
        f"{indent}for _dlops_name in [n for n in globals() if not n.startswith('_')]:  # [dlops] %reset",
        f"{indent}    del globals()[_dlops_name]",
    ]


def _cd(indent: str, args: str, ctx: Context) -> list[str]:
    words = split_args(args, ctx) if args else ["~"]
    if len(words) != 1 or words[0].startswith("-"):
        raise ctx.refuse("%cd " + args, "only '%cd PATH' has a translation")
    ctx.imports.add("os")
    ctx.note("%cd " + args, "os.chdir(...)")
    return [f"{indent}os.chdir(os.path.expanduser({expanded(words[0], ctx)}))"]


def _env(indent: str, args: str, ctx: Context) -> list[str]:
    if not args or ("=" not in args and " " not in args):
        return removed(indent + "%env " + args, ctx, "display only")
    name, _, value = args.partition("=") if "=" in args else args.partition(" ")
    ctx.imports.add("os")
    ctx.note("%env " + args, "os.environ[...] = ...")
    return [f"{indent}os.environ[{py_string(name.strip())}] = {expanded(value.strip(), ctx)}"]


def _run(indent: str, args: str, ctx: Context) -> list[str]:
    words = split_args(args, ctx)
    if not words or words[0].startswith("-") or not words[0].endswith(".py"):
        raise ctx.refuse("%run " + args, "only '%run SCRIPT.py [ARGS]' has a translation")
    ctx.imports.update({"runpy", "sys"})
    ctx.note("%run " + args, "runpy.run_path(...) merged into globals, as %run does")
    ctx.opaque.append("%run " + args)
    path = py_string(words[0])
    argv = ", ".join(py_string(word) for word in words)
    return [
        f"{indent}_dlops_argv, sys.argv = sys.argv, [{argv}]",
        f"{indent}try:",
        f"{indent}    _dlops_ran = runpy.run_path({path}, run_name='__main__')",
        f"{indent}finally:",
        f"{indent}    sys.argv = _dlops_argv",
        f"{indent}globals().update({{k: v for k, v in _dlops_ran.items() if not k.startswith('__')}})",
    ]


def _package(manager: str) -> Handler:
    def handler(indent: str, args: str, ctx: Context) -> list[str]:
        return _package_command(indent, f"{manager} {args}", ctx)

    return handler


def _shell_magic(indent: str, args: str, ctx: Context) -> list[str]:
    return shell(indent, args, ctx)


def _display_only(name: str) -> Handler:
    def handler(indent: str, args: str, ctx: Context) -> list[str]:
        return removed(f"{indent}%{name} {args}".rstrip(), ctx, DISPLAY_ONLY[name])

    return handler


def fallback(indent: str, name: str, args: str, ctx: Context) -> list[str]:
    """--keep-unknown-magics: call the magic through IPython (needs IPython to run)."""
    ctx.note(f"%{name} {args}", "kept as an IPython call (--keep-unknown-magics)")
    ctx.opaque.append(f"%{name} {args}")
    ctx.imports.add(IPYTHON_HELPER)
    return [f"{indent}_dlops_ipython().run_line_magic({name!r}, {args!r})"]


HANDLERS: dict[str, Handler] = {
    "time": _timing("time"),
    "prun": _timing("prun"),
    "debug": _timing("debug"),  # %debug STATEMENT runs it (under the debugger)
    "timeit": _timing("timeit"),
    "reset": _reset,
    "pylab": _pylab,
    "cd": _cd,
    "env": _env,
    "set_env": _env,
    "run": _run,
    "pip": _package("pip"),
    "conda": _package("conda"),
    "mamba": _package("mamba"),
    "sx": _shell_magic,
    "system": _shell_magic,
    **{name: _display_only(name) for name in DISPLAY_ONLY},
    **{name: alias(name) for name in ALIASES},
}
