"""The view list has one source, the schema: the generated module, docs/store.md, ``dlops sql
--help`` (so docs/cli.md) and its read-only error all name every view (issue 15)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from helpers import run_cli
from pg_server import any_store_uri, pg_uri, postgres_server  # noqa: F401 (fixtures)

from jupyter_dlops.views import VIEW_LIST, VIEWS

DOCS = Path(__file__).resolve().parents[2] / "docs"
sys.path.insert(0, str(DOCS))
import gen_views  # noqa: E402


def test_generated_module_and_store_doc_match_the_schema():
    schema = gen_views.schema_views()
    assert {name: list(columns) for name, columns in VIEWS.items()} == schema, (
        "jupyter_dlops/views.py is stale: run python docs/gen_views.py")
    assert {"cell_executions", "data_files", "run_data", "sweeps"} <= set(schema)
    text = (DOCS / "store.md").read_text(encoding="utf-8")
    assert gen_views.render_table(schema) in text, "docs/store.md is stale: run python docs/gen_views.py"


def test_sql_help_reference_and_error_name_every_view(any_store_uri):  # noqa: F811 (fixture)
    from jupyter_dlops.store import open_store

    open_store(any_store_uri, create=True)
    help_text = run_cli("sql", "--help").stdout
    reference = (DOCS / "cli.md").read_text(encoding="utf-8")
    reference = reference[reference.index("## `dlops sql`"):]
    done = run_cli("sql", "DELETE FROM run")  # refused by SQLite's authorizer or PostgreSQL
    assert done.returncode != 0
    for view in VIEWS:
        assert view in help_text and view in reference and view in done.stderr, view
    assert done.stderr.strip() == (f"dlops: error: dlops sql is read-only: only SELECT over the "
                                   f"views {VIEW_LIST} is allowed")
    for view in VIEWS:  # and each one really is there to read
        assert run_cli("sql", f"SELECT * FROM {view} LIMIT 1").returncode == 0, view


def test_check_mode_fails_when_the_schema_gains_a_view(tmp_path):
    root = tmp_path / "repo"
    shutil.copytree(DOCS.parent / "jupyter_dlops", root / "jupyter_dlops")
    (root / "docs").mkdir()
    for name in ("gen_views.py", "store.md"):
        shutil.copy(DOCS / name, root / "docs" / name)
    migration = root / "jupyter_dlops" / "store" / "migrations" / "m001_core.py"
    migration.write_text(migration.read_text().replace(
        '"CREATE VIEW tags AS SELECT run_id, key, value FROM tag",',
        '"CREATE VIEW tags AS SELECT run_id, key, value FROM tag",\n'
        '        "CREATE VIEW tag_keys AS SELECT DISTINCT key FROM tag",'))
    check = [sys.executable, str(root / "docs" / "gen_views.py"), "--check"]
    env = {"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(check, capture_output=True, text=True, env=env, cwd=root, check=False)
    assert done.returncode == 1 and "stale" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    subprocess.run(check[:-1], capture_output=True, text=True, env=env, cwd=root, check=True)
    assert "'tag_keys': (" in (root / "jupyter_dlops" / "views.py").read_text()
    assert "| `tag_keys` | key |" in (root / "docs" / "store.md").read_text()
