"""The PostgreSQL ``dlops sql`` check on parsed statements (no server needed; the refusals are
also run against a real server in tests/reliability/test_team_store.py)."""

from __future__ import annotations

import pytest

pytest.importorskip("pglast")

from jupyter_dlops.errors import QuerySyntaxError, ReadOnlyQueryError  # noqa: E402
from jupyter_dlops.store.pgguard import check_query, documented_views  # noqa: E402


def test_the_views_come_from_the_migrations():
    assert {"runs", "params", "metrics", "metric_summaries", "tags", "artifacts", "data_versions",
            "cell_executions", "sweeps"} <= documented_views()
    assert not {"run", "param", "metric", "meta"} & documented_views()


@pytest.mark.parametrize("query", [
    "SELECT pg_read_file('/etc/passwd')",
    "SELECT * FROM pg_shadow",
    "SELECT 1 FROM runs WHERE EXISTS (SELECT 1 FROM pg_stat_activity)",
    "SELECT lo_import('/etc/passwd')",
    "SELECT * FROM runs r JOIN LATERAL (SELECT pg_terminate_backend(1)) x ON true",
    "WITH a AS (SELECT 1), b AS (SELECT * FROM c), c AS (SELECT * FROM pg_authid) SELECT * FROM b",
    "SELECT * FROM runs UNION SELECT * FROM information_schema.tables",
    "SELECT dblink_exec('x', 'y')",
    "VALUES ((SELECT current_setting('config_file')))",
])
def test_refused(query):
    with pytest.raises(ReadOnlyQueryError):
        check_query(query)


@pytest.mark.parametrize("query", [
    "SELECT r.name, max(m.value) FROM runs r JOIN metrics m USING (run_id) GROUP BY r.name",
    "WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 5) SELECT * FROM t",
    "WITH best AS (SELECT run_id FROM metric_summaries ORDER BY last DESC LIMIT 1) "
    "SELECT * FROM params WHERE run_id IN (SELECT run_id FROM best)",
    "SELECT key, percentile_cont(0.5) WITHIN GROUP (ORDER BY value) FROM metrics GROUP BY key",
    "TABLE runs",
])
def test_allowed(query):
    check_query(query)


@pytest.mark.parametrize("depth", [100, 3000])
def test_deep_nesting_is_checked_or_one_clear_error(depth):
    query = "SELECT " + "(SELECT " * depth + "pg_sleep(1)" + ")" * depth
    with pytest.raises((QuerySyntaxError, ReadOnlyQueryError)):  # never a RecursionError
        check_query(query)
