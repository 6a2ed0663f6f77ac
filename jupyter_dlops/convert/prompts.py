"""Pasted interpreter prompts, stripped as IPython strips them before running a cell.

IPython's ``classic_prompt`` and ``ipython_prompt`` transformers (inputtransformer2.py): when a
cell's first line starts with a prompt (``>>> `` or ``In [3]: ``), that prompt and the
continuation prompts (``... `` or ``   ...: ``) are removed from every line that has one; a cell
whose first line has none is left as it is.
"""

from __future__ import annotations

import re

# (prompt on the first line, any prompt) for the two styles IPython accepts
_STYLES = (
    (re.compile(r"^>>>( |$)"), re.compile(r"^(>>>|\.\.\.)( |$)")),
    (re.compile(r"^In \[\d+\]: "), re.compile(r"^(In \[\d+\]: |\s*\.{3,}: ?)")),
)


def strip_prompts(source: str) -> str:
    """``source`` without pasted ``>>>``/``...`` or ``In [N]:`` prompts, as IPython runs it."""
    lines = source.splitlines(keepends=True)
    first = next((line for line in lines if line.strip()), "")
    for initial, prompt in _STYLES:
        if initial.match(first):
            return "".join(prompt.sub("", line, count=1) for line in lines)
    return source
