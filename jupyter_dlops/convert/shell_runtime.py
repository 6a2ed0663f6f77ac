"""The run-time helpers an exported script defines for its shell escapes and awaits (issue 16).

The converter copies each section below a ``# --- runtime: NAME ---`` line into the first
script cell that needs ``NAME``, so the script runs under plain ``python`` (``--standalone``
too) without importing IPython or jupyter_dlops; this module only exists so the helpers are
tested and linted as ordinary code. ``_dlops_sh`` keeps IPython's meaning of ``!cmd``:

- ``$name``, ``$name.attr``, ``{expr}`` and ``$$`` are expanded at run time from the caller's
  namespace exactly as ``InteractiveShell.var_expand`` does with ``DollarFormatter``
  (IPython/utils/text.py): when any field fails, the command is left as written;
- the command runs in ``$SHELL`` (else ``sh``), as IPython runs it;
- stdout and stderr are flushed first, so ``print`` and ``!echo`` interleave as in a notebook;
- a failing command does not stop the script; its exit status is ``_exit_code`` in the
  caller's globals (``check=True``, from ``--strict-shell``, raises ``CalledProcessError``);
- ``x = !cmd`` gives a list of lines (stdout and stderr, as IPython's ``getoutput``) with the
  helpers of IPython's ``SList``: ``.s .n .l .p .grep .fields``.

``_dlops_await`` runs a cell that has top-level ``await`` (see asynccell.py) in one event loop
kept for the whole script, as IPython keeps one for the session.

``_dlops_pandas`` (called once, in the first cell that imports a third-party module) gives
pandas the display defaults it has in a Jupyter kernel, so printed frames look the same.
"""

# ruff: noqa: N801
# --- runtime: _dlops_sh ---
import string as _dlops_string


class _dlops_DollarFormatter(_dlops_string.Formatter):
    # IPython's DollarFormatter: $name / $name.attr fields, {expr} evaluated, $$ -> $.
    import re as _re

    _dollar = _re.compile(r"(.*?)\$(\$?[\w\.]+)(?=([^']*'[^']*')*[^']*$)")

    def parse(self, fmt):
        for literal, field, spec, conversion in super().parse(fmt):
            done, text = 0, ""
            for match in self._dollar.finditer(literal):
                before, name = match.group(1, 2)
                if name.startswith("$"):
                    text += before + name
                else:
                    yield text + before, name, "", None
                    text = ""
                done = match.end()
            yield text + literal[done:], field, spec, conversion

    def vformat(self, fmt, args, kwargs):
        out = []
        for literal, field, spec, conversion in self.parse(fmt):
            out.append(literal or "")
            if field is not None:
                expression = f"{field}:{spec}" if spec else field
                value = eval(expression, dict(kwargs))  # noqa: S307 - IPython evaluates them too
                out.append(self.format_field(self.convert_field(value, conversion), ""))
        return "".join(out)


def _dlops_expand(text, depth=1):
    """``text`` with IPython's ``$name`` and ``{expr}`` fields expanded from the caller's names."""
    import sys

    frame = sys._getframe(depth)
    names = {**frame.f_globals, **frame.f_locals}
    try:
        return _dlops_DollarFormatter().vformat(text, [], names)
    except Exception:  # as IPython does: a field that fails leaves the command as written
        return text


class _dlops_SList(list):
    # IPython's SList (IPython/utils/text.py): a list of lines with a few string views.
    @property
    def s(self):
        return " ".join(self)

    @property
    def n(self):
        return "\n".join(self)

    @property
    def l(self):  # noqa: E743 - IPython's name
        return self

    @property
    def p(self):
        import os
        import pathlib

        return [pathlib.Path(line) for line in self if os.path.exists(line)]

    spstr, nlstr, list, paths = s, n, l, p

    def grep(self, pattern, prune=False, field=None):
        import re

        def target(line):
            if field is None:
                return line
            parts = line.split()
            return parts[field] if -len(parts) <= field < len(parts) else ""

        match = (lambda line: re.search(pattern, line, re.IGNORECASE)) if isinstance(pattern, str) else pattern
        return type(self)(line for line in self if bool(match(target(line))) != bool(prune))

    def fields(self, *indices):
        if not indices:
            return [line.split() for line in self]
        out = _dlops_SList()
        for parts in (line.split() for line in self):
            picked = [parts[i] for i in indices if -len(parts) <= i < len(parts)]
            if picked:
                out.append(" ".join(picked))
        return out


def _dlops_shell(command):
    """The shell IPython runs ``!cmd`` with: ``$SHELL``, else ``sh`` (None: subprocess's default)."""
    import os
    import shutil

    if not isinstance(command, str):
        return None
    return shutil.which(os.environ.get("SHELL") or "sh")


def _dlops_piped(command, input, echo):  # noqa: A002
    """Run ``command`` with stdout and stderr piped together; each line goes to ``echo`` as it
    comes (when given), else all of it comes back."""
    import subprocess
    import threading

    shell = isinstance(command, str)  # !cmd mixes stderr in, as IPython's pexpect does; %%bash not
    process = subprocess.Popen(
        command, shell=shell, executable=_dlops_shell(command), text=True, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT if shell else None, stdin=subprocess.PIPE if input is not None else None,
    )

    def feed():
        try:
            with process.stdin:
                process.stdin.write(input)
        except OSError:  # the command stopped reading
            pass

    if input is not None:  # in a thread: a command may answer before it has read it all
        threading.Thread(target=feed, daemon=True).start()
    lines = []
    with process.stdout:
        for line in process.stdout:
            if echo is None:
                lines.append(line)
            else:
                echo.write(line)
                echo.flush()
    return process.wait(), "".join(lines)


def _dlops_sh(command, capture=False, check=False, input=None, expand=True):  # noqa: A002
    """Run a shell command as IPython's ``!`` does: expanded, flushed first, ``_exit_code`` set."""
    import subprocess
    import sys

    caller = sys._getframe(1)
    if expand and isinstance(command, str):
        command = _dlops_expand(command, 2)
    sys.stdout.flush()
    sys.stderr.flush()
    if capture or sys.stdout is not sys.__stdout__:
        # Captured, or sys.stdout is redirected (%%capture, a run's log): through Python, as
        # IPython pipes it, line by line.
        code, output = _dlops_piped(command, input, None if capture else sys.stdout)
    else:
        code, output = subprocess.run(command, shell=isinstance(command, str), input=input,
                                      executable=_dlops_shell(command), text=True).returncode, ""
    caller.f_globals["_exit_code"] = code
    if check and code:
        raise subprocess.CalledProcessError(code, command)
    if capture:
        return _dlops_SList(output.splitlines())
    return None


# --- runtime: _dlops_await ---
def _dlops_await(coroutine):
    """Run a top-level-await cell's coroutine in the script's one event loop; return its value."""
    import asyncio

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:  # inside a Jupyter kernel, whose loop is running this very cell: use a thread's loop
        import concurrent.futures

        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            return pool.submit(asyncio.run, coroutine).result()
    loop = globals().get("_dlops_loop")
    if loop is None:
        loop = globals()["_dlops_loop"] = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
    return loop.run_until_complete(coroutine)


# --- runtime: _dlops_pandas ---
def _dlops_pandas():
    """Let pandas show wide frames as it does in a Jupyter kernel: up to 20 columns, wrapped.

    pandas decides at import (``config_init.is_terminal``): outside IPython its default
    ``display.max_columns`` is 0, which elides the middle columns to fit a terminal; inside a
    kernel it is 20. Set when pandas is imported, before any user code can change it.
    """
    import sys

    def configure(pandas):
        if pandas.get_option("display.max_columns") == 0:
            pandas.set_option("display.max_columns", 20)

    class _Finder:
        def find_spec(self, name, path=None, target=None):
            if name != "pandas":
                return None
            sys.meta_path.remove(self)  # once: the import system finds pandas itself below
            import importlib.util

            spec = importlib.util.find_spec(name)
            if spec is not None and spec.loader is not None and hasattr(spec.loader, "exec_module"):
                run = spec.loader.exec_module

                def exec_module(module):
                    run(module)
                    configure(module)

                spec.loader.exec_module = exec_module
            return spec

    if "ipykernel" in sys.modules and "__file__" not in globals():
        return  # a kernel: pandas already shows frames the notebook's way
    if "pandas" in sys.modules:
        configure(sys.modules["pandas"])
    else:
        sys.meta_path.insert(0, _Finder())
