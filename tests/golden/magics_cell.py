#!/usr/bin/env python3
# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: "Python 3"
#     language: "python"
#     name: "python3"
# ---

# %% tags=["dlops-cli"]
# jupyter-dlops: what the notebook shows, the script shows: each cell's last expression,
# display(...) and the figures a cell leaves open are printed (repr, shortened) and, when the run
# is tracked, recorded in it (outputs/cell-N/).
# Export with --no-outputs to leave this out.
class _DlopsOutputs:
    def __init__(self, recorder=None):
        self.recorder = recorder

    def cell(self, number):
        import atexit

        self.figures()  # the previous cell's, shown then closed as Jupyter's inline backend does
        if self.recorder is not None:
            self.recorder.cell(number)
        atexit.unregister(self.figures)  # re-registered: runs before the run's own exit handler
        atexit.register(self.figures)

    def show(self, value):
        if value is not None:
            self.display(value)

    def display(self, *values, **options):
        for value in values:
            text = repr(value)
            if self.recorder is None or self.recorder.record(value, text):
                print(self.shorten(text), flush=True)

    def figures(self):
        pyplot = __import__("sys").modules.get("matplotlib.pyplot")  # never imports matplotlib
        if pyplot is not None:
            for number in pyplot.get_fignums():
                self.display(pyplot.figure(number))
            pyplot.close("all")

    @staticmethod
    def shorten(text, lines=40, width=4000):
        if len(text) <= width and len(text.splitlines()) <= lines:
            return text
        kept = "\n".join(text[:width].splitlines()[:lines])
        return f"{kept}\n... (shortened: {len(text.splitlines())} lines, {len(text)} characters)"


def _dlops_outputs():
    import sys

    if "ipykernel" in sys.modules and "__file__" not in globals():
        return (lambda number: None), (lambda value: value), None  # IPython shows results itself
    try:
        from jupyter_dlops.tracking.outputs import OutputRecorder
    except ImportError:  # the script also runs where jupyter-dlops is not installed
        OutputRecorder = None
    outputs = _DlopsOutputs(OutputRecorder() if OutputRecorder is not None else None)
    return outputs.cell, outputs.show, outputs.display


_dlops_cell, _dlops_show, _dlops_display = _dlops_outputs()
try:
    display
except NameError:  # IPython's display(), for plain python
    display = _dlops_display

# %% tags=["dlops-cli"]
# jupyter-dlops: the parameters cell's values as command-line flags (python magics_cell.py --help).
# Inside a Jupyter kernel (papermill) no flags are read: the values the cells set win.
def _dlops_parse_args(values):
    import argparse
    import sys

    if "ipykernel" in sys.modules and "__file__" not in globals():
        return dict(values), True

    parser = argparse.ArgumentParser(description='magics_cell: exported from a notebook by jupyter-dlops', allow_abbrev=False)
    parser.add_argument("--no-track", dest="_dlops_no_track", action="store_true",
                        help="do not record this run with jupyter-dlops")
    parser.set_defaults(**values)
    args = vars(parser.parse_args())
    if args.get("_dlops_no_track"):  # nothing recorded: the notebook's own dl.* calls neither
        import os

        os.environ["DLOPS_NO_TRACK"] = "1"
    track = not args.pop("_dlops_no_track", False)
    return args, track


_dlops_params, _dlops_track = _dlops_parse_args({})

try:
    import jupyter_dlops as _dlops
except ImportError:  # the script also runs where jupyter-dlops is not installed
    _dlops = None
if _dlops is not None and _dlops_track:
    _dlops_run = _dlops.start_run(
        # Under python the run is named after the script and its id ("train-3f9a1c"): unique.
        name=None if "__file__" in globals() else 'magics_cell', params=_dlops_params,
        entry_point=globals().get("__file__"),
        kind="script" if "__file__" in globals() else None,  # None: the kernel's kind, guessed
    )

# %%
# jupyter-dlops: !cmd and $name expansion under plain python, as IPython does (dlops export --help).
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

_dlops_cell(1)
_dlops_sh(['bash'], input="""echo from bash
ls > /dev/null""", check=True)

# %%
import contextlib
import io
import types

_dlops_cell(2)
_dlops_stdout, _dlops_stderr = io.StringIO(), io.StringIO()
with contextlib.redirect_stdout(_dlops_stdout), contextlib.redirect_stderr(_dlops_stderr):
    print('hidden output')
captured = types.SimpleNamespace(stdout=_dlops_stdout.getvalue(), stderr=_dlops_stderr.getvalue(), outputs=[])

# %%
_dlops_cell(3)
with open('out.txt', 'w', encoding='utf-8') as _dlops_file:
    _dlops_file.write("""line one
line two
""")

# %%
_dlops_cell(4)
# [dlops] %%time removed: timing only
slow = sum(range(100))

# %%
_dlops_cell(5)
# [dlops] %%timeit: its body runs once, not timed
_dlops_show(sum(range(100)))

# %%
_dlops_cell(6)
# [dlops] removed a %%html cell: display only

# %%
_dlops_cell(7)
# [dlops] %%track training: the script's run records this cell and the files it opens
_dlops_cell = globals()["_dlops"].track_data('training') if globals().get("_dlops") and globals().get("_dlops_track") else None
result = slow * 2
print(result)
if _dlops_cell is not None:
    _dlops_cell.stop()

# %%
_dlops_cell(8)
_dlops_sh(['sh'], input='echo from sh', check=True)
