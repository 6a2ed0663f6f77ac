"""Version 6: models. A model version is a content-addressed artifact set (a checkpoint file or
folder) with its framework, parameter count and signature, and the run it came from (so its
params, data versions and code); ``(name, content_id)`` is unique, so saving the same bytes
again gives the existing version. Aliases (``best``, ``production``) point at one version."""

VERSION = 6

TABLES = [
    """CREATE TABLE IF NOT EXISTS model_version (
        name TEXT NOT NULL,
        version BIGINT NOT NULL,
        content_id TEXT NOT NULL,
        path TEXT NOT NULL,
        run_id TEXT,
        flavor TEXT NOT NULL,
        framework_version TEXT,
        parameters BIGINT,
        signature TEXT,
        created DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (name, version)
    )""",
    "CREATE UNIQUE INDEX IF NOT EXISTS model_version_content ON model_version (name, content_id)",
    """CREATE TABLE IF NOT EXISTS model_alias (
        name TEXT NOT NULL,
        alias TEXT NOT NULL,
        version BIGINT NOT NULL,
        PRIMARY KEY (name, alias)
    )""",
]


#: What ``dlops sql`` reads: every version with its lineage key (run_id), and the aliases.
VIEWS = [
    "DROP VIEW IF EXISTS models",
    """CREATE VIEW models AS SELECT name, version, content_id, path, run_id, flavor,
        framework_version, parameters, signature, created FROM model_version""",
    "DROP VIEW IF EXISTS model_aliases",
    "CREATE VIEW model_aliases AS SELECT name, alias, version FROM model_alias",
]


def statements(dialect: str) -> list[str]:
    return TABLES + VIEWS
