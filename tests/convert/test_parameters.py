"""The parameters cell: what becomes a flag, with which type, default, help and name."""

from __future__ import annotations

import ast
import keyword
import math

from convert_helpers import cell, notebook
from hypothesis import given, settings
from hypothesis import strategies as st

from jupyter_dlops.convert import convert_notebook
from jupyter_dlops.convert.parameters import parse_parameters


def params(source: str):
    return parse_parameters(ast.parse(source), source, 1)


def test_types_are_inferred_from_defaults() -> None:
    found = params("a = 1\nb = 1.5\nc = 'x'\nd = True\ne = None\nf = [1]\ng = {'k': 1}\nh2 = (1, 2)\nneg = -3")
    assert {p.name: p.kind for p in found.parameters} == {
        "a": "int", "b": "float", "c": "str", "d": "bool", "e": "none", "f": "list", "g": "dict",
        "h2": "tuple", "neg": "int"}


def test_non_literals_are_kept_as_code_and_reported() -> None:
    found = params("import os\npath = os.environ['HOME']\nn = len([1])\nlr = 1e-3 * 2\nbig = 10 ** 1000\ns = {1, 2}")
    assert [p.name for p in found.parameters] == ["lr"] and math.isclose(found.parameters[0].default, 0.002)
    reasons = " ".join(reason for _, reason in found.kept)
    assert "line 1: not a parameter assignment" in reasons
    assert "path = os.environ['HOME'] is not a literal" in reasons
    assert "exponent too large" in reasons and "a set value" in reasons


def test_reassignment_keeps_the_last_value_and_a_later_non_literal_drops_the_flag() -> None:
    found = params("a = 1\na = 2\nb = 1\nb = compute()")
    assert [(p.name, p.default) for p in found.parameters] == [("a", 2)]


def test_help_comes_from_the_line_comment_even_on_multiline_values() -> None:
    found = params("lr = 0.1  # step size, 100% safe\nlayers = [\n    64,\n    32,\n]  # sizes")
    assert [p.help for p in found.parameters] == ["step size, 100% safe", "sizes"]


def test_flag_names_avoid_argparse_and_tracking_flags() -> None:
    found = params("help = 1\nh = 2\ntrack = True\nno_track = 1\nbatch_size = 3\n_private = 4")
    assert {p.name: p.flags for p in found.parameters} == {
        "help": ("--param-help",), "h": ("--h",), "track": ("--param-track", "--track", "--no-param-track"),
        "no_track": ("--param-no-track", "--no_track"), "batch_size": ("--batch-size", "--batch_size"),
        "_private": ("--_private",)}


def test_no_parameters_cell_means_no_flags_but_tracking_flag() -> None:
    script, report = convert_notebook(notebook(cell("x = 1")))
    assert report.parameters == [] and "--no-track" in script and "_dlops_parse_args({})" in script


literals = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True).filter(
    lambda name: not keyword.iskeyword(name) and not keyword.issoftkeyword(name)), literals,
                       min_size=1, max_size=5))
def test_any_literal_becomes_a_typed_flag_with_its_default(values: dict) -> None:
    source = "\n".join(f"{name} = {value!r}" for name, value in values.items())
    script, report = convert_notebook(notebook(cell(source, "parameters"), cell("pass")))
    found = {p.name: p.default for p in report.parameters}
    assert found == values
    compile(script, "script.py", "exec")
