"""The names analysis (jupyter_dlops.convert.names), reusable for live hidden-state checks."""

from __future__ import annotations

import pytest

from jupyter_dlops.convert.names import cell_names


def test_reads_before_writes_in_execution_order() -> None:
    names = cell_names("x = x + 1\ny = 2\nz = y")
    assert names.used == {"x"} and names.defined == {"x", "y", "z"}


def test_builtins_imports_and_except_names() -> None:
    names = cell_names("import os.path\nimport numpy as np\nfrom a import b as c\nprint(len(os), np, c)\n"
                       "try:\n    pass\nexcept ValueError as e:\n    print(e)")
    assert names.used == set() and {"os", "np", "c", "e"} <= names.defined


def test_comprehension_scopes() -> None:
    names = cell_names("r = [i * k for i in items if i]\ns = {j: v for j, v in pairs}\n"
                       "g = [(m := i) for i in items]")
    assert names.used == {"items", "k", "pairs"}
    assert "i" not in names.defined and "j" not in names.defined and "m" in names.defined


def test_function_bodies_are_deferred_and_globals_define() -> None:
    names = cell_names("def f(a, b=default):\n    global counter\n    counter = 1\n"
                       "    return a + model + [q for q in data]\nh = lambda t: t + hidden")
    assert names.used == {"default"}
    assert names.deferred == {"model", "data", "hidden"}
    assert {"f", "h", "counter"} <= names.defined


def test_class_body_runs_now_and_methods_later() -> None:
    names = cell_names("class C(Base):\n    z = 1\n    w = z + outer\n    def m(self):\n        return later")
    assert names.used == {"Base", "outer"} and names.deferred == {"later"}
    assert names.defined == {"C"}


def test_mutations_count_as_writes() -> None:
    names = cell_names("lst.append(1)\ndf.loc[0, 'a'] = 2\nobj.attr = 3\ncount += 1\ndel cache[0]")
    assert names.mutated == {"lst", "df", "obj", "count", "cache"}
    assert names.used == {"lst", "df", "obj", "count", "cache"}


def test_match_with_and_for_targets() -> None:
    names = cell_names("with open(p) as fh:\n    pass\nfor k, v in d.items():\n    pass\n"
                       "match cmd:\n    case [first, *rest]:\n        pass\n    case {'a': 1, **others}:\n        pass")
    assert {"fh", "k", "v", "first", "rest", "others"} <= names.defined
    assert names.used == {"p", "d", "cmd"}


def test_star_import_and_lines() -> None:
    names = cell_names("from os import *\n\nprint(later)")
    assert names.star and names.lines["later"] == 3


def test_syntax_errors_raise() -> None:
    with pytest.raises(SyntaxError):
        cell_names("x = (")
