"""Version 2: immutable data versions (issue 3).

A version is one ``data_version`` row plus its manifest in ``data_file``; both are written
once, in one transaction, and never updated (only ``has_content`` may go from 0 to 1 when
the same content is later copied into the object store, which does not change what the
version is). ``data_name`` is the history of each name (``dlops data log NAME``),
``data_stat_cache`` remembers the hash of every file by (path, size, mtime_ns, inode) so
that unchanged files are never re-read, ``data_tree_state`` remembers, per folder, the
digest of all its files' stats and the version they made (so re-adding an unchanged folder
skips even the per-file cache), and ``data_run_link`` records which versions a run
read and wrote.
"""

VERSION = 2

TABLES = [
    """CREATE TABLE IF NOT EXISTS data_version (
        version_id TEXT PRIMARY KEY,
        name TEXT,
        source_path TEXT NOT NULL,
        created DOUBLE PRECISION NOT NULL,
        file_count BIGINT NOT NULL,
        total_bytes BIGINT NOT NULL,
        has_content BIGINT NOT NULL DEFAULT 0,
        meta_object TEXT,
        meta_hash TEXT,
        meta_path_column TEXT,
        meta_rows BIGINT,
        parent_id TEXT,
        query TEXT
    )""",
    "CREATE INDEX IF NOT EXISTS data_version_created ON data_version (created)",
    "CREATE INDEX IF NOT EXISTS data_version_parent ON data_version (parent_id)",
    """CREATE TABLE IF NOT EXISTS data_file (
        version_id TEXT NOT NULL,
        path TEXT NOT NULL,
        size BIGINT NOT NULL,
        hash TEXT NOT NULL,
        PRIMARY KEY (version_id, path)
    )""",
    "CREATE INDEX IF NOT EXISTS data_file_hash ON data_file (hash)",
    """CREATE TABLE IF NOT EXISTS data_name (
        name TEXT NOT NULL,
        version_id TEXT NOT NULL,
        created DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (name, version_id, created)
    )""",
    "CREATE INDEX IF NOT EXISTS data_name_version ON data_name (version_id)",
    """CREATE TABLE IF NOT EXISTS data_stat_cache (
        path TEXT PRIMARY KEY,
        size BIGINT NOT NULL,
        mtime_ns BIGINT NOT NULL,
        inode BIGINT NOT NULL,
        hash TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS data_tree_state (
        root TEXT NOT NULL,
        meta_key TEXT NOT NULL,
        stat_digest TEXT NOT NULL,
        version_id TEXT NOT NULL,
        PRIMARY KEY (root, meta_key)
    )""",
    """CREATE TABLE IF NOT EXISTS data_run_link (
        run_id TEXT NOT NULL,
        version_id TEXT NOT NULL,
        direction TEXT NOT NULL,
        created DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (run_id, version_id, direction)
    )""",
    "CREATE INDEX IF NOT EXISTS data_run_link_version ON data_run_link (version_id)",
]

VIEWS = [
    "DROP VIEW IF EXISTS data_versions",
    """CREATE VIEW data_versions AS SELECT version_id, name, source_path, created, file_count,
        total_bytes, has_content, meta_rows, meta_path_column, parent_id, query
        FROM data_version""",
    "DROP VIEW IF EXISTS data_files",
    "CREATE VIEW data_files AS SELECT version_id, path, size, hash FROM data_file",
    "DROP VIEW IF EXISTS run_data",
    "CREATE VIEW run_data AS SELECT run_id, version_id, direction, created FROM data_run_link",
]


IDENTITY = ("version_id, name, source_path, created, file_count, total_bytes, meta_object, "
            "meta_hash, meta_path_column, meta_rows, parent_id, query")
MESSAGE = "data versions are immutable; add the data again to record a new version"


def guards(dialect: str) -> list[str]:
    """Triggers that refuse to change a recorded version or its manifest, whatever writes."""
    if dialect == "sqlite":
        body = f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
        return [
            f"CREATE TRIGGER IF NOT EXISTS data_file_immutable BEFORE UPDATE ON data_file {body}",
            f"CREATE TRIGGER IF NOT EXISTS data_version_immutable BEFORE UPDATE OF {IDENTITY} "
            f"ON data_version {body}",
        ]
    return [
        "CREATE OR REPLACE FUNCTION dlops_data_immutable() RETURNS trigger LANGUAGE plpgsql AS "
        f"$$ BEGIN RAISE EXCEPTION '{MESSAGE}'; END $$",
        "DROP TRIGGER IF EXISTS data_file_immutable ON data_file",
        "CREATE TRIGGER data_file_immutable BEFORE UPDATE ON data_file "
        "FOR EACH ROW EXECUTE FUNCTION dlops_data_immutable()",
        "DROP TRIGGER IF EXISTS data_version_immutable ON data_version",
        f"CREATE TRIGGER data_version_immutable BEFORE UPDATE OF {IDENTITY} ON data_version "
        "FOR EACH ROW EXECUTE FUNCTION dlops_data_immutable()",
    ]


def statements(dialect: str) -> list[str]:
    return TABLES + VIEWS + guards(dialect)


# Objects these tables keep alive in ``dlops gc``: stored file contents and metadata tables.
OBJECT_REFERENCES = [("data_file", "hash"), ("data_version", "meta_object")]
