"""Top-level ``await`` cells export and run as IPython runs them (issue 16)."""

from __future__ import annotations

import json

import pytest
from convert_helpers import cell, notebook, run_python

from jupyter_dlops.convert import convert_notebook, export_notebook
from jupyter_dlops.errors import ConvertError

CELLS = [
    "import asyncio\n\nasync def double(x):\n    await asyncio.sleep(0)\n    return 2 * x",
    "value = await double(21)\nqueue = asyncio.Queue()",  # a loop object used by a later cell
    "await queue.put(value)\nasync def gen():\n    yield 1\n    yield 2\nitems = [x async for x in gen()]",
    "async with asyncio.timeout(5):\n    got = await queue.get()\nfor i in range(2):\n    total = i",
    "def helper():\n    return got + total",
    "print(json.dumps([value, items, got, helper()]))",
]


def test_top_level_await_cells_run_under_python(tmp_path) -> None:
    (tmp_path / "nb.ipynb").write_text(json.dumps(notebook(cell("import json"), *map(cell, CELLS))))
    result = export_notebook(tmp_path / "nb.ipynb", standalone=True)
    assert result.script.count("def _dlops_await(") == 1
    assert [n.magic for n in result.report.magics] == ["top-level await"] * 3
    assert not result.report.hidden_state  # the names the async cells bind stay global
    done = run_python(result.script_path)
    assert json.loads(done.stdout.splitlines()[-1]) == [42, [1, 2], 42, 43]


def test_last_awaited_expression_stays_the_cells_result() -> None:
    script, _ = convert_notebook(notebook(cell("import asyncio"), cell("await asyncio.sleep(0, 'r')")))
    assert "    return await asyncio.sleep(0, 'r')\n\n\n_dlops_await(_dlops_cell_2())" in script


@pytest.mark.parametrize("source", ["def f():\n    await g()", "x = lambda: await g()"])
def test_await_in_a_plain_function_is_still_refused(source: str) -> None:
    with pytest.raises(ConvertError, match="'await' outside async function"):
        convert_notebook(notebook(cell(source)))


def test_await_helper_inside_a_running_loop() -> None:
    import asyncio

    from jupyter_dlops.convert.shell_runtime import _dlops_await

    async def answer():
        await asyncio.sleep(0)
        return 42

    async def kernel_cell():  # a Jupyter kernel runs cells while its loop runs
        return _dlops_await(answer())

    assert asyncio.run(kernel_cell()) == 42
