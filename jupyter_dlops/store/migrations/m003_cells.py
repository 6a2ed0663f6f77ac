"""Version 3: notebook cell executions recorded by ``%%track`` (issue 4).

One row per execution of a tracked cell, written once and never updated. The source is kept
in the object store (content-addressed, so re-running an unchanged cell stores nothing new);
reads, writes, fingerprints, parameters, files, metrics, stale-name flags and the outputs
summary are JSON documents, so the schema does not move when a fingerprint grows a field.
The ``cell_executions`` view is what ``dlops sql`` users query.
"""

VERSION = 3

TABLES = [
    """CREATE TABLE IF NOT EXISTS cell_execution (
        run_id TEXT NOT NULL,
        exec_order BIGINT NOT NULL,
        execution_count BIGINT,
        cell_id TEXT,
        cell_name TEXT,
        source_object TEXT NOT NULL,
        start_time DOUBLE PRECISION NOT NULL,
        duration DOUBLE PRECISION NOT NULL,
        reads TEXT NOT NULL DEFAULT '[]',
        writes TEXT NOT NULL DEFAULT '[]',
        deleted TEXT NOT NULL DEFAULT '[]',
        fingerprints TEXT NOT NULL DEFAULT '{}',
        params TEXT NOT NULL DEFAULT '{}',
        files TEXT NOT NULL DEFAULT '[]',
        metrics TEXT NOT NULL DEFAULT '{}',
        stale TEXT NOT NULL DEFAULT '[]',
        error TEXT,
        outputs TEXT NOT NULL DEFAULT '{}',
        PRIMARY KEY (run_id, exec_order)
    )""",
    "CREATE INDEX IF NOT EXISTS cell_execution_cell ON cell_execution (run_id, cell_id)",
    "CREATE INDEX IF NOT EXISTS cell_execution_source ON cell_execution (source_object)",
]


def views(dialect: str) -> list[str]:
    return [
        "DROP VIEW IF EXISTS cell_executions",
        """CREATE VIEW cell_executions AS SELECT run_id, exec_order, execution_count, cell_id,
            cell_name, source_object, start_time, duration, reads, writes, deleted,
            fingerprints, params, files, metrics, stale, error, outputs FROM cell_execution""",
    ]


def statements(dialect: str) -> list[str]:
    return TABLES + views(dialect)


OBJECT_REFERENCES = [("cell_execution", "source_object")]
