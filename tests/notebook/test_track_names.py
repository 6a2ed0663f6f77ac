"""The static name analysis: the converter's, plus what live tracking adds."""

from __future__ import annotations

import pytest

from jupyter_dlops.tracking.names import analyze


@pytest.mark.parametrize("source, used, defined, mutated", [
    ("x = y + 1", {"y"}, {"x"}, set()),
    ("x = x + 1", {"x"}, {"x"}, set()),
    ("x += 1", {"x"}, {"x"}, {"x"}),  # in place for lists and arrays
    ("df.loc[0, 'a'] = v", {"df", "v"}, set(), {"df"}),
    ("obj.attr = 5", {"obj"}, set(), {"obj"}),
    ("lst.append(item)", {"lst", "item"}, set(), {"lst"}),
    ("df.dropna(inplace=True)", {"df"}, set(), {"df"}),
    ("w.add_(1)", {"w"}, set(), {"w"}),
    ("model.fit(X, y)", {"model", "X", "y"}, set(), {"model"}),
    ("df.head()", {"df"}, set(), set()),
    ("import numpy as np\na = np.ones(3)", set(), {"np", "a"}, set()),
    ("def f(a):\n    return a + scale", {"scale"}, {"f"}, set()),
    ("sq = [i * k for i in range(3)]", {"k"}, {"sq"}, set()),
    ("for i in items:\n    total = i", {"items"}, {"i", "total"}, set()),
    ("with open(p) as fh:\n    data = fh.read()", {"p"}, {"fh", "data"}, set()),
    ("print(len(x))", {"x"}, set(), set()),
    ("class A(Base):\n    z = q", {"Base", "q"}, {"A"}, set()),
    ("if (n := compute()) > 3:\n    pass", {"compute"}, {"n"}, set()),
], ids=lambda v: v if isinstance(v, str) else None)
def test_reads_writes_and_mutations(source, used, defined, mutated):
    names = analyze(source)
    assert set(names.used) == used
    assert set(names.defined) == defined
    assert set(names.mutated) == mutated


def test_deletes():
    names = analyze("a = 1\ndel b, a\ndel lst[0]")
    assert set(names.deleted) == {"a", "b"} and "a" not in names.defined
    assert "lst" in names.mutated


def test_literal_params_are_typed():
    names = analyze("lr = 0.1\nepochs: int = 3\nname = 'x'\nneg = -2\nshape = (3, 4)\n"
                    "derived = lr * 2\nflag = True\na = b = 1")
    assert names.params == {"lr": 0.1, "epochs": 3, "name": "x", "neg": -2, "shape": (3, 4),
                            "flag": True}


def test_syntax_errors_propagate():
    with pytest.raises(SyntaxError):
        analyze("x = (")
