"""Version 4: sweeps. One row per sweep (its name, the notebook, the spec it ran, when, and
how it ended); runs point at it through ``run.sweep_id`` (a column since version 1). The
name is unique because running a sweep again under the same name resumes it."""

VERSION = 4

TABLES = [
    """CREATE TABLE IF NOT EXISTS sweep (
        sweep_id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        notebook TEXT NOT NULL,
        spec TEXT NOT NULL,
        created DOUBLE PRECISION NOT NULL,
        status TEXT NOT NULL
    )""",
    "CREATE UNIQUE INDEX IF NOT EXISTS sweep_name ON sweep (name)",
    "CREATE INDEX IF NOT EXISTS run_sweep ON run (sweep_id)",
]

VIEWS = [
    "DROP VIEW IF EXISTS sweeps",
    """CREATE VIEW sweeps AS SELECT s.sweep_id, s.name, s.notebook, s.spec, s.created, s.status,
        (SELECT COUNT(*) FROM run r WHERE r.sweep_id = s.sweep_id) AS runs,
        (SELECT COUNT(*) FROM run r WHERE r.sweep_id = s.sweep_id AND r.status = 'finished') AS finished,
        (SELECT COUNT(*) FROM run r WHERE r.sweep_id = s.sweep_id AND r.status = 'failed') AS failed
        FROM sweep s""",
]


def statements(dialect: str) -> list[str]:
    return TABLES + VIEWS
