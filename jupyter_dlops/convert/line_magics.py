"""Translations of line magics (``%name args``) and shell escapes (``!cmd``).

Each handler takes the line's indentation, the magic's arguments and the translation
context, and returns the replacement lines. ``{expression}`` fields in shell commands and
paths are kept as f-string fields, as IPython expands them; ``$NAME`` is left to the shell.
"""

from __future__ import annotations

from collections.abc import Callable

from .magic_base import IPYTHON_HELPER, Context, removed, split_args
from .pysource import py_format_string, py_string

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
    "timeit": "timing only; %timeit runs its statement in a private scope",
    "who": "display only",
    "whos": "display only",
    "who_ls": "display only",
    "lsmagic": "display only",
    "pwd": "display only",
    "precision": "display only",
    "pprint": "display only",
    "xmode": "display only",
    "history": "display only",
    "notebook": "session only",
    "qtconsole": "session only",
    "pdb": "interactive debugging only",
}


def shell(indent: str, command: str, ctx: Context) -> list[str]:
    """``!cmd`` -> ``subprocess.run(cmd, shell=True, check=True)``; pip installs become requirements."""
    words = command.split()
    if len(words) > 1 and words[0] in ("pip", "pip3", "conda", "mamba") or words[:3] == [
        "python", "-m", "pip"
    ]:
        return _package_command(indent, command, ctx)
    ctx.imports.add("subprocess")
    ctx.note("!" + command, "subprocess.run(..., shell=True, check=True)")
    return [f"{indent}subprocess.run({py_format_string(command)}, shell=True, check=True)"]


def assigned(indent: str, target: str, sigil: str, name: str, rest: str, ctx: Context) -> list[str]:
    """``x = !cmd``, ``x = %sx cmd``, ``x = %time expr``, ``x = %pwd``, ``x = %env NAME``."""
    if sigil == "!" or name in ("sx", "system"):
        command = (name + " " + rest).strip() if sigil == "!" else rest
        ctx.imports.add("subprocess")
        ctx.note(f"{target} = {sigil}{name} {rest}", "subprocess.run(...).stdout.splitlines()")
        call = f"subprocess.run({py_format_string(command)}, shell=True, check=True, capture_output=True, text=True)"
        return [f"{indent}{target} = {call}.stdout.splitlines()"]
    if name == "time" and rest:
        ctx.note(f"{target} = %time {rest}", "timing removed, expression kept")
        return [f"{indent}{target} = {rest}"]
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
    return [f"{indent}# [dlops] requirement(s) {listed}: install them before running (was {words[0]} install)"]


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


def _time(indent: str, args: str, ctx: Context) -> list[str]:
    if not args:
        return removed(indent + "%time", ctx, "timing only")
    ctx.note("%time " + args, "timing removed, statement kept")
    return [f"{indent}{args}"]


def _cd(indent: str, args: str, ctx: Context) -> list[str]:
    words = split_args(args, ctx) if args else ["~"]
    if len(words) != 1 or words[0].startswith("-"):
        raise ctx.refuse("%cd " + args, "only '%cd PATH' has a translation")
    ctx.imports.add("os")
    ctx.note("%cd " + args, "os.chdir(...)")
    return [f"{indent}os.chdir(os.path.expanduser({py_format_string(words[0])}))"]


def _env(indent: str, args: str, ctx: Context) -> list[str]:
    if not args or ("=" not in args and " " not in args):
        return removed(indent + "%env " + args, ctx, "display only")
    name, _, value = args.partition("=") if "=" in args else args.partition(" ")
    ctx.imports.add("os")
    ctx.note("%env " + args, "os.environ[...] = ...")
    return [f"{indent}os.environ[{py_string(name.strip())}] = {py_format_string(value.strip())}"]


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
    "time": _time,
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
}
