"""The generated references in docs/ match the code (regenerate them with the scripts named)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"


def load(name: str):
    spec = importlib.util.spec_from_file_location(name, DOCS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_cli_reference_is_current():
    generator = load("gen_cli_reference")
    assert (DOCS / "cli.md").read_text(encoding="utf-8") == generator.render(), (
        "docs/cli.md is stale: run python docs/gen_cli_reference.py")


def test_cli_reference_covers_every_command():
    from jupyter_dlops.cli import build_parser

    generator = load("gen_cli_reference")
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    commands = [" ".join(path) for path, _ in generator.walk(build_parser()) if path]
    assert {"runs", "sweep", "export", "data add", "data query"} <= set(commands)
    for command in commands:
        assert f"## `dlops {command}`" in text


def test_config_reference_is_current():
    generator = load("gen_config_reference")
    assert (DOCS / "configuration.md").read_text(encoding="utf-8") == generator.render(), (
        "docs/configuration.md is stale: run python docs/gen_config_reference.py")


@pytest.mark.parametrize("script", ["gen_cli_reference.py", "gen_config_reference.py"])
def test_check_mode_fails_on_a_stale_file(script, tmp_path):
    """--check exits 1 with one line when the file differs (run on a copy of docs/)."""
    copy = tmp_path / "docs"
    copy.mkdir()
    (copy / script).write_text((DOCS / script).read_text(encoding="utf-8"), encoding="utf-8")
    target = "cli.md" if "cli" in script else "configuration.md"
    (copy / target).write_text("stale\n", encoding="utf-8")
    result = subprocess.run([sys.executable, str(copy / script), "--check"], capture_output=True,
                            text=True, check=False, cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "stale" in result.stderr and len(result.stderr.strip().splitlines()) == 1
