"""The export route: paths confined to the server root, bad bodies refused, and (once the
converter is merged) a real export."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import nbformat
import pytest
from tornado.httpclient import HTTPClientError

HAS_CONVERTER = importlib.util.find_spec("jupyter_dlops.convert") is not None
needs_converter = pytest.mark.skipif(not HAS_CONVERTER, reason="jupyter_dlops.convert (issue: converter) is not merged yet")


async def post_export(jp_fetch: Any, body: Any) -> Any:
    data = body if isinstance(body, bytes) else json.dumps(body)
    return await jp_fetch("jupyter-dlops", "export", method="POST", body=data)


async def export_error(jp_fetch: Any, body: Any, status: int) -> str:
    with pytest.raises(HTTPClientError) as info:
        await post_export(jp_fetch, body)
    assert info.value.code == status, info.value.response.body
    return json.loads(info.value.response.body)["message"]


def write_notebook(path: Path, cells: list[tuple[str, list[str]]]) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "Python 3"}
    nb.cells = [nbformat.v4.new_code_cell(source, metadata={"tags": tags}) for source, tags in cells]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


@pytest.mark.parametrize("path", ["../outside.ipynb", "a/../../outside.ipynb", "/etc/passwd", "~/x.ipynb", ""])
async def test_paths_outside_root_refused(jp_fetch, jp_root_dir, path):
    write_notebook(jp_root_dir.parent / "outside.ipynb", [("x = 1", [])])
    message = await export_error(jp_fetch, {"path": path}, 400)
    assert "\n" not in message


@pytest.mark.parametrize("path", [
    "a\x00b.ipynb", "nb\n.ipynb", "a" * 60_000 + ".ipynb", "a/" * 30_000 + "x.ipynb", "over-path-max-after-the-root",
], ids=["nul-byte", "newline", "60kb-name", "60kb-of-folders", "over-path-max-after-the-root"])
async def test_unopenable_paths_are_400_and_never_show_the_root(jp_fetch, jp_root_dir, path):
    if path == "over-path-max-after-the-root":  # under 4096 bytes alone, over it under the root
        room = 4096 - len(str(jp_root_dir).encode()) - 1
        path = ("d" * 99 + "/") * (room // 100) + "x" * (room % 100) + "xx.ipynb"
        assert len(path) < 4096
    message = await export_error(jp_fetch, {"path": path}, 400)
    assert str(jp_root_dir) not in message and str(jp_root_dir.resolve()) not in message
    assert len(message) < 300 and "\n" not in message and "\x00" not in message


async def test_symlink_escaping_root_refused(jp_fetch, jp_root_dir):
    target = write_notebook(jp_root_dir.parent / "secret.ipynb", [("x = 1", [])])
    (jp_root_dir / "link.ipynb").symlink_to(target)
    assert "outside" in await export_error(jp_fetch, {"path": "link.ipynb"}, 400)


async def test_missing_notebook_is_404(jp_fetch):
    assert "save" in await export_error(jp_fetch, {"path": "Untitled.ipynb"}, 404)


async def test_not_a_notebook_is_400(jp_fetch, jp_root_dir):
    (jp_root_dir / "notes.txt").write_text("hi")
    assert "not a notebook" in await export_error(jp_fetch, {"path": "notes.txt"}, 400)


async def test_bad_bodies(jp_fetch):
    await export_error(jp_fetch, b"not json", 400)
    await export_error(jp_fetch, [1, 2], 400)
    await export_error(jp_fetch, {"path": 3}, 400)
    await export_error(jp_fetch, {"path": "x" * 70_000}, 413)


@needs_converter
async def test_export_writes_runnable_script(jp_fetch, jp_root_dir):
    write_notebook(jp_root_dir / "nb" / "train.ipynb", [
        ("lr = 0.1\nepochs = 2", ["parameters"]),
        ("print('exploring')", ["skip"]),
        ("print(lr * epochs)", []),
    ])
    response = await post_export(jp_fetch, {"path": "nb/train.ipynb"})
    data = json.loads(response.body)
    assert data["script_path"] == "nb/train.py"
    assert data["report"]["cells_skipped"]
    script = jp_root_dir / data["script_path"]
    assert "exploring" not in script.read_text()
    help_text = subprocess.run([sys.executable, str(script), "--help"], capture_output=True, text=True, check=True).stdout
    assert "--lr" in help_text and "--epochs" in help_text


@needs_converter
async def test_strict_failure_is_422(jp_fetch, jp_root_dir):
    write_notebook(jp_root_dir / "hidden.ipynb", [("y = 2", ["skip"]), ("print(y)", [])])
    message = await export_error(jp_fetch, {"path": "hidden.ipynb", "strict": True}, 422)
    assert "y" in message


@needs_converter
async def test_script_symlink_pointing_outside_is_replaced_not_followed(jp_fetch, jp_root_dir):
    outside = jp_root_dir.parent / "victim.py"
    outside.write_text("untouched\n")
    write_notebook(jp_root_dir / "nb.ipynb", [("x = 1", [])])
    (jp_root_dir / "nb.py").symlink_to(outside)
    await export_error(jp_fetch, {"path": "nb.ipynb"}, 409)  # not a script dlops wrote: asked first
    await post_export(jp_fetch, {"path": "nb.ipynb", "force": True})
    assert outside.read_text() == "untouched\n"
    assert not (jp_root_dir / "nb.py").is_symlink()


@needs_converter
@pytest.mark.parametrize("jp_server_config", [{
    "ServerApp": {"jpserver_extensions": {"jupyter_dlops": True}, "allow_unauthenticated_access": False},
    "JupyterDlops": {"removed_magics": {"comet": "Comet display"}, "strict_shell": True},
}])
async def test_export_button_reads_the_magic_table_and_strict_shell(jp_fetch, jp_root_dir):
    write_notebook(jp_root_dir / "nb.ipynb", [("%comet show\n!false", [])])
    data = json.loads((await post_export(jp_fetch, {"path": "nb.ipynb"})).body)
    script = (jp_root_dir / data["script_path"]).read_text()
    assert script.rstrip().endswith("# [dlops] removed '%comet show': Comet display\n_dlops_sh('false', check=True)")


async def test_a_foreign_script_is_409_until_forced(jp_fetch, jp_root_dir):
    write_notebook(jp_root_dir / "nb.ipynb", [("x = 1", [])])
    (jp_root_dir / "nb.py").write_text("print('hand-written')\n")
    message = await export_error(jp_fetch, {"path": "nb.ipynb"}, 409)
    assert "was not written by jupyter-dlops" in message and str(jp_root_dir) not in message
    assert (jp_root_dir / "nb.py").read_text() == "print('hand-written')\n"
    await export_error(jp_fetch, {"path": "nb.ipynb", "force": "yes"}, 409)  # only a JSON true forces
    data = json.loads((await post_export(jp_fetch, {"path": "nb.ipynb", "force": True})).body)
    assert data["script_path"] == "nb.py" and "x = 1" in (jp_root_dir / "nb.py").read_text()
    await post_export(jp_fetch, {"path": "nb.ipynb"})  # now ours: a new export replaces it silently
