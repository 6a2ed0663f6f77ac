"""IPython's automagic: a one-line cell ``cd sub`` (no ``%``) is the magic ``%cd sub`` (issue 16).

The rule is IPython's own (``InteractiveShell.transform_cell`` and ``prefilter.AutoMagicChecker``),
which the tests compare with a real ``InteractiveShell``:

- only a cell that is one line once leading blank lines and indentation are removed (IPython
  applies its "dynamic" transformations to single-line input only; a trailing blank line
  makes two lines);
- its first word names a line magic of IPython or ipykernel (aliases such as ``ls`` included);
- that word is not shadowed: no name the notebook defined before, no builtin, no keyword;
- the rest does not start with ``=`` or ``,`` (``ls = 5`` and ``ls, b = 1, 2`` are Python).

Which names the notebook defined before is known from the earlier cells' analysis, which is
what the kernel's namespace held when the notebook ran in order.
"""

from __future__ import annotations

import builtins
import keyword
import re
from collections.abc import Container

# IPython 9's line magics (lsmagic) and ipykernel's KernelMagics, default aliases included.
_MAGIC_NAMES = """
alias alias_magic autoawait autocall automagic bookmark cat cd code_wrap colors conda config cp
debug dhist dirs doctest_mode ed edit env gui hist history killbgscripts ldir lf lk ll load
load_ext loadpy logoff logon logstart logstate logstop ls lsmagic lx macro magic mamba matplotlib
micromamba mkdir mv notebook page pastebin pdb pdef pdoc pfile pinfo pinfo2 pip popd pprint
precision prun psearch psource pushd pwd pycat pylab quickref recall rehashx reload_ext rep rerun
reset reset_selective rm rmdir run save sc set_env sx system tb time timeit unalias unload_ext uv
who who_ls whos xdel xmode
autosave clear connect_info less man more qtconsole subshell
"""
LINE_MAGICS = frozenset(_MAGIC_NAMES.split())
# Names an IPython kernel's namespace holds from the start: they shadow magics too.
_KERNEL_NAMES = frozenset({"In", "Out", "get_ipython", "exit", "quit", "display"})
_BUILTINS = frozenset(dir(builtins)) | frozenset(keyword.kwlist) | _KERNEL_NAMES
_FIRST_WORD = re.compile(r"([\w.*]*)(.*)$", re.DOTALL)


def automagic(source: str, defined: Container[str], extra_magics: Container[str] = ()) -> str | None:
    """The ``%magic`` line IPython would run for ``source``, or None when it is Python.

    Parameters
    ----------
    source : str
        A code cell's source.
    defined : container of str
        Names the notebook defined before this cell (they shadow magics of the same name).
    extra_magics : container of str
        Third-party magic names known to the converter (loaded extensions).

    Returns
    -------
    str or None
        ``"%name rest"`` when IPython's automagic applies, else None.
    """
    line = _single_line(source)
    if line is None:
        return None
    name, rest = _FIRST_WORD.match(line).groups()  # type: ignore[union-attr]  # matches any text
    if not name or (name not in LINE_MAGICS and name not in extra_magics):
        return None
    if name in _BUILTINS or name in defined or rest.lstrip()[:1] in ("=", ","):
        return None
    return f"%{name}{rest}"


def _single_line(source: str) -> str | None:
    if "\n" in source.strip():  # the cheap test first: most cells have many lines
        return None
    text = re.sub(r"^(?:[ \t]*\n)+", "", source)  # IPython's leading_empty_lines
    if not text.endswith("\n"):
        text += "\n"
    lines = text.splitlines()
    if len(lines) != 1 or not lines[0].strip():
        return None
    return lines[0].strip()
