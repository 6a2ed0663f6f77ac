"""The bookkeeping shared by the line- and cell-magic translators."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import ConvertError

# Put in ``Context.imports`` by --keep-unknown-magics translations: the renderer defines it.
IPYTHON_HELPER = "_dlops_ipython"
IPYTHON_HELPER_CODE = """\
def _dlops_ipython():
    # --keep-unknown-magics: these magics need IPython, also when run with plain python.
    from IPython import get_ipython
    from IPython.core.interactiveshell import InteractiveShell

    return get_ipython() or InteractiveShell.instance(user_module=__import__("__main__"))
"""


@dataclass
class MagicNote:
    """One magic met in a cell and what became of it."""

    cell: int
    line: int
    magic: str
    action: str

    def to_dict(self) -> dict[str, object]:
        return {"cell": self.cell, "line": self.line, "magic": self.magic, "action": self.action}


@dataclass
class Context:
    """What translating one cell gathers besides the code."""

    cell: int
    keep_unknown: bool = False
    imports: set[str] = field(default_factory=set)
    notes: list[MagicNote] = field(default_factory=list)
    requirements: list[str] = field(default_factory=list)
    opaque: list[str] = field(default_factory=list)  # sources of names no analysis can see
    line: int = 1

    def note(self, magic: str, action: str) -> None:
        self.notes.append(MagicNote(self.cell, self.line, magic.strip(), action))

    def refuse(self, magic: str, why: str = "it has no translation") -> ConvertError:
        return ConvertError(
            f"cell {self.cell}, line {self.line}: cannot export {magic.strip()[:60]!r}: {why}; "
            "rewrite it in Python, tag the cell 'skip', or pass --keep-unknown-magics"
        )


def removed(text: str, ctx: Context, why: str) -> list[str]:
    """A comment line standing where a magic with no lasting effect was."""
    indent = text[: len(text) - len(text.lstrip())]
    ctx.note(text, f"removed ({why})")
    return [f"{indent}# [dlops] removed {text.strip()!r}: {why}"]


def split_args(args: str, ctx: Context) -> list[str]:
    """Shell-like split of a magic's arguments; a clear error for unbalanced quotes."""
    import shlex  # only for the few magics with arguments

    try:
        return shlex.split(args)
    except ValueError as error:
        raise ctx.refuse(args, f"its arguments cannot be parsed ({error})") from None
