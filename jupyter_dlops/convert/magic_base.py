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
    strict_shell: bool = False  # --strict-shell: a failing shell command stops the script
    removable: dict[str, str] = field(default_factory=dict)  # extra display-only magics, name -> why
    imports: set[str] = field(default_factory=set)
    notes: list[MagicNote] = field(default_factory=list)
    requirements: list[str] = field(default_factory=list)
    opaque: list[str] = field(default_factory=list)  # sources of names no analysis can see
    reads: dict[str, int] = field(default_factory=dict)  # {expr} field names -> line, read at run time
    line: int = 1

    def read(self, names: set[str]) -> None:
        for name in names:
            self.reads.setdefault(name, self.line)

    def note(self, magic: str, action: str) -> None:
        self.notes.append(MagicNote(self.cell, self.line, magic.strip(), action))

    def refuse(self, magic: str, why: str = "it has no translation") -> ConvertError:
        return ConvertError(
            f"cell {self.cell}, line {self.line}: cannot export {magic.strip()[:60]!r}: {why}; "
            "rewrite it in Python, tag the cell 'skip', or pass --keep-unknown-magics"
        )


# What a translated script needs at run time beside imports: the shell helpers of
# shell_runtime.py (defined once, in the first cell that uses them) and the names they define.
SHELL_HELPER = "_dlops_sh"
EXPAND_HELPER = "_dlops_expand"
EXIT_CODE = "_exit_code"


def note_line(indent: str, text: str) -> str:
    """A ``# [dlops]`` comment; indented, it is a ``pass`` so that it never empties a block."""
    return f"{indent}pass  # [dlops] {text}" if indent else f"# [dlops] {text}"


def removed(text: str, ctx: Context, why: str) -> list[str]:
    """A comment line standing where a magic with no lasting effect was."""
    indent = text[: len(text) - len(text.lstrip())]
    ctx.note(text, f"removed ({why})")
    return [note_line(indent, f"removed {text.strip()!r}: {why}")]


def shell_call(command: str, ctx: Context, *, capture: bool = False) -> str:
    """The call that runs ``command`` as IPython's ``!`` does (see shell_runtime.py)."""
    ctx.imports.update({SHELL_HELPER, EXIT_CODE})
    ctx.read(field_names(command))
    options = ", capture=True" if capture else ""
    if ctx.strict_shell:
        options += ", check=True"
    return f"_dlops_sh({command!r}{options})"


def expanded(text: str, ctx: Context) -> str:
    """A literal for a magic's argument, expanded at run time when it has ``$`` or ``{`` fields."""
    if "$" not in text and "{" not in text:
        return repr(text)
    ctx.imports.update({SHELL_HELPER, EXPAND_HELPER})  # the expansion helper comes with the shell's
    ctx.read(field_names(text))
    return f"_dlops_expand({text!r})"


def field_names(text: str) -> set[str]:
    """The names the ``{expr}`` fields of a command read, for the hidden-state analysis.

    ``$name`` fields are left out: ``$HOME`` is usually the shell's, and IPython leaves the
    command to the shell when the name is not Python's.
    """
    if "{" not in text:
        return set()
    import ast
    import string

    names: set[str] = set()
    try:
        fields = [(name, spec) for _, name, spec, _ in string.Formatter().parse(text) if name]
    except ValueError:  # unbalanced braces: IPython runs the command as written
        return names
    for name, spec in fields:
        try:
            tree = ast.parse(f"{name}:{spec}" if spec else name, mode="eval")
        except SyntaxError:
            continue
        names.update(node.id for node in ast.walk(tree) if isinstance(node, ast.Name))
    return names


def split_args(args: str, ctx: Context) -> list[str]:
    """Shell-like split of a magic's arguments; a clear error for unbalanced quotes."""
    import shlex  # only for the few magics with arguments

    try:
        return shlex.split(args)
    except ValueError as error:
        raise ctx.refuse(args, f"its arguments cannot be parsed ({error})") from None
