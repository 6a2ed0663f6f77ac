"""Translate IPython magics and shell escapes into plain Python (DESIGN.md, "Notebook tags").

Every magic is translated, removed with a note, or refused: nothing is dropped silently.
``translate_cell`` turns one cell's source into code that runs under ``python`` without
``get_ipython()``; the names of the modules the translation needs come back in ``imports``
so the caller can put the ``import`` lines at the top of the cell.
"""

from __future__ import annotations

import re
from collections.abc import Container
from dataclasses import dataclass

from . import cell_magics, line_magics
from .automagic import automagic
from .magic_base import Context, MagicNote, removed
from .prompts import strip_prompts
from .pysource import LineScanner

# Third-party magics whose only effect is a display in the notebook: removed with a note.
# Users extend it with ``dlops export --remove-magic NAME`` or ``c.DlopsScriptExporter.removed_magics``
# (docs/notebook.md). As cell magics (``%%wandb``) the body is kept: the magic only adds a display.
REMOVED_MAGICS = {
    "tensorboard": "TensorBoard display in the notebook; run 'tensorboard --logdir ...' beside the script",
    "wandb": "Weights & Biases display in the notebook",
    "tensorflow_version": "Colab runtime selection; install the TensorFlow version you need",
}

# A cheap test that lets the (vast) majority of cells skip the line scanner.
_CANDIDATE = re.compile(r"^[ \t]*[%!?]|\?[ \t]*$|=[ \t]*[!%]", re.MULTILINE)
_LINE_MAGIC = re.compile(r"^(\s*)%(\w+)[ \t]*(.*)$", re.DOTALL)
_SHELL = re.compile(r"^(\s*)!(?!=)(.*)$", re.DOTALL)
_ASSIGNED = re.compile(r"^(\s*)([A-Za-z_][\w.]*)\s*=\s*([!%])(?!=)(\w*)[ \t]*(.*)$", re.DOTALL)
_HELP = re.compile(r"^\s*(\?{1,2}[\w.]+|[\w.]+\?{1,2})\s*$")


@dataclass
class Translation:
    """A cell's source as plain Python, and what the translation found."""

    code: str
    imports: set[str]
    notes: list[MagicNote]
    requirements: list[str]
    opaque: list[str]
    reads: dict[str, int]


def translate_cell(source: str, cell: int, *, keep_unknown: bool = False, strict_shell: bool = False,
                   removed_magics: dict[str, str] | None = None,
                   defined: Container[str] | None = None) -> Translation:
    """Translate the magics and shell escapes of one code cell.

    Parameters
    ----------
    source : str
        The cell's source.
    cell : int
        The cell's 1-based number in the notebook, for messages.
    keep_unknown : bool
        Keep magics without a translation as calls into IPython instead of refusing them.
    strict_shell : bool
        Make a failing shell command stop the script (``check=True``), unlike IPython.
    removed_magics : dict, optional
        Third-party display-only magics to remove, name -> why, added to ``REMOVED_MAGICS``.
    defined : container of str, optional
        Names the notebook defined before this cell; given, a one-line cell such as ``cd sub``
        is read as IPython's automagic would (see automagic.py).

    Returns
    -------
    Translation
        The code, the modules it needs, the notes and the requirements found.

    Raises
    ------
    ConvertError
        A magic without a translation (unless ``keep_unknown``), naming the cell and line.
    """
    ctx = Context(cell=cell, keep_unknown=keep_unknown, strict_shell=strict_shell,
                  removable={**REMOVED_MAGICS, **(removed_magics or {})})
    source = strip_prompts(source)
    magic = automagic(source, defined, ctx.removable) if defined is not None else None
    if magic is not None:
        source = magic  # IPython runs it as this line magic
    if source.lstrip().startswith("%%"):
        code = _cell_magic(source, ctx)
    elif _CANDIDATE.search(source):
        code = translate_lines(source, ctx)
    else:
        code = source
    return Translation(code, ctx.imports, ctx.notes, ctx.requirements, ctx.opaque, ctx.reads)


def _cell_magic(source: str, ctx: Context) -> str:
    leading = len(source) - len(source.lstrip())
    ctx.line = source[:leading].count("\n") + 1
    first, _, body = source.lstrip().partition("\n")
    name, _, args = first[2:].partition(" ")
    handler = cell_magics.HANDLERS.get(name)
    if handler is None and name in ctx.removable:
        why = ctx.removable[name]
        ctx.note(first, f"removed ({why}), cell body kept")
        return f"# [dlops] removed {first.strip()!r}: {why}\n" + translate_lines(body, ctx, ctx.line + 1)
    if handler is None:
        if not ctx.keep_unknown:
            raise ctx.refuse(first)
        return cell_magics.fallback(name, args.strip(), body, ctx)
    return handler(args.strip(), body, ctx, ctx.line + 1)


def translate_lines(source: str, ctx: Context, first_line: int = 1) -> str:
    """Translate the line magics and shell escapes of a block of Python lines."""
    lines = source.split("\n")
    scanner = LineScanner()
    out: list[str] = []
    i = 0
    while i < len(lines):
        ctx.line = first_line + i
        line = lines[i]
        if scanner.at_logical_start and _looks_magic(line):
            count = _continued(lines, i)
            out.extend(translate_line("\n".join(lines[i:i + count]), ctx))
            i += count
            continue
        scanner.feed(line)
        out.append(line)
        i += 1
    return "\n".join(out)


def _looks_magic(line: str) -> bool:
    stripped = line.lstrip()
    if stripped[:1] in ("%", "?") or (stripped[:1] == "!" and stripped[1:2] != "="):
        return True
    return bool(_HELP.match(line) or _ASSIGNED.match(line))


def _continued(lines: list[str], i: int) -> int:
    count = 1
    while lines[i + count - 1].endswith("\\") and i + count < len(lines):
        count += 1
    return count


def translate_line(text: str, ctx: Context) -> list[str]:
    """The Python lines for one (possibly backslash-continued) magic or shell line."""
    joined = re.sub(r"[ \t]*\\\n\s*", " ", text)
    if _HELP.match(joined):
        return removed(joined, ctx, "help lookup, interactive only")
    assigned = _ASSIGNED.match(joined)
    if assigned:
        indent, target, sigil, name, rest = assigned.groups()
        return line_magics.assigned(indent, target, sigil, name, rest, ctx)
    shell = _SHELL.match(joined)
    if shell:
        return line_magics.shell(shell.group(1), shell.group(2).strip(), ctx)
    magic = _LINE_MAGIC.match(joined)
    if magic is None:
        raise ctx.refuse(joined, "it is not valid IPython syntax")
    indent, name, args = magic.groups()
    handler = line_magics.HANDLERS.get(name)
    if handler is None and name in ctx.removable:
        return removed(joined.rstrip(), ctx, ctx.removable[name])
    if handler is None:
        if not ctx.keep_unknown:
            raise ctx.refuse(joined)
        return line_magics.fallback(indent, name, args.strip(), ctx)
    return handler(indent, args.strip(), ctx)
