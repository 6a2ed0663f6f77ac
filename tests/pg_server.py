"""A throw-away PostgreSQL server for the tests, and fixtures that run a test on both stores.

The server is started once per test process on 127.0.0.1 with a free port (``initdb`` into a
fresh temporary folder, ``pg_ctl start``), every test gets a fresh database, and the server
is stopped and its folder removed when the session ends. PostgreSQL refuses to run as root,
and CI runs as root: there the server runs as the ``postgres`` system user (created by
Debian's package) through ``runuser``.

Use from a conftest::

    from pg_server import any_store_uri, pg_uri, postgres_server  # noqa: F401

``any_store_uri`` is parametrized over ``sqlite`` and ``postgresql`` (the latter marked
``postgres``); it sets ``DLOPS_STORE`` (and ``DLOPS_ARTIFACTS`` for PostgreSQL) and closes the
stores afterwards. Tests skip with a reason only when no PostgreSQL binaries exist at all;
``DLOPS_REQUIRE_POSTGRES=1`` (set by ``make test``) turns that skip into a failure.
"""

from __future__ import annotations

import atexit
import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest

PASSWORD = "pg-test-pw-" + uuid.uuid4().hex[:12]
USER = "dlops"
_server: PostgresServer | None = None


def find_bindir() -> Path | None:
    """The folder holding ``initdb`` and ``pg_ctl``: on PATH, else Debian's newest version."""
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if initdb and pg_ctl:
        return Path(os.path.realpath(pg_ctl)).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
                        key=lambda p: int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0)
    return Path(candidates[-1]).parent if candidates else None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PostgresServer:
    """One PostgreSQL cluster in a temporary folder, listening on 127.0.0.1 only."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.port = free_port()
        # Not under pytest's tmp folder: that one is mode 0700 and owned by root.
        self.root = Path(tempfile.mkdtemp(prefix="dlops-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.run_as = _unprivileged_user()

    def _run(self, *args: str) -> subprocess.CompletedProcess:
        prefix = ["runuser", "-u", self.run_as, "--"] if self.run_as else []
        result = subprocess.run([*prefix, *args], capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(args[:2])} failed: {result.stderr or result.stdout}")
        return result

    def start(self) -> PostgresServer:
        pwfile = self.root / "pw"
        pwfile.write_text(PASSWORD + "\n")
        if self.run_as:
            os.chmod(self.root, 0o755)
            shutil.chown(self.root, self.run_as)
            shutil.chown(pwfile, self.run_as)
        self._run(str(self.bindir / "initdb"), "-D", str(self.data), "-U", USER, "--pwfile", str(pwfile),
                  "--auth-host=scram-sha-256", "--auth-local=trust", "-E", "UTF8", "--no-locale")
        # Durability is not under test here (the client side is): skip fsync for speed.
        options = (f"-c listen_addresses=127.0.0.1 -p {self.port} -c unix_socket_directories='' "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        self._options = options
        self.resume()
        return self

    def resume(self) -> None:
        """Start the (initialised) server again after :meth:`halt`."""
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", self._options,
                  "-w", "-t", "60", "start")

    def halt(self) -> None:
        """Stop the server as an outage would, keeping its data for :meth:`resume`."""
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def stop(self) -> None:
        with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):  # already gone
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)

    def uri(self, database: str = "postgres", password: str | None = PASSWORD) -> str:
        secret = f":{password}" if password else ""
        return f"postgresql://{USER}{secret}@127.0.0.1:{self.port}/{database}"

    def admin(self, statement: str) -> None:
        import psycopg

        with psycopg.connect(self.uri(), autocommit=True) as conn:
            conn.execute(statement)

    def create_database(self) -> str:
        name = "t_" + uuid.uuid4().hex[:16]
        self.admin(f"CREATE DATABASE {name} STRATEGY FILE_COPY")  # 3x faster than WAL_LOG here
        return name

    def drop_database(self, name: str) -> None:
        self.admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _unprivileged_user() -> str | None:
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam("postgres").pw_name
    except KeyError:
        raise RuntimeError("running as root needs the 'postgres' system user (apt-get install postgresql)") from None


def get_server() -> PostgresServer:
    """The process's one server, started on first use; skips (or fails under
    ``DLOPS_REQUIRE_POSTGRES=1``) when PostgreSQL is not installed."""
    global _server
    if _server is None:
        bindir = find_bindir()
        if bindir is None:
            reason = ("no PostgreSQL binaries (initdb, pg_ctl) on PATH or in /usr/lib/postgresql/*/bin; "
                      "`make postgres` installs them")
            if os.environ.get("DLOPS_REQUIRE_POSTGRES") == "1":
                pytest.fail(reason)
            pytest.skip(reason)
        _server = PostgresServer(bindir).start()
        atexit.register(_server.stop)
    return _server


@pytest.fixture(scope="session")
def postgres_server():
    """The session's PostgreSQL server."""
    server = get_server()
    yield server


@pytest.fixture
def pg_uri(postgres_server, tmp_path, monkeypatch):
    """A fresh, empty database's URI, set as ``DLOPS_STORE`` with artifacts under tmp_path."""
    from jupyter_dlops.store import close_all

    name = postgres_server.create_database()
    uri = postgres_server.uri(name)
    monkeypatch.setenv("DLOPS_STORE", uri)
    monkeypatch.setenv("DLOPS_ARTIFACTS", str(tmp_path / "objects"))
    yield uri
    close_all()
    postgres_server.drop_database(name)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_store_uri(request, tmp_path, monkeypatch):
    """The URI of a fresh store of each kind, set as ``DLOPS_STORE``."""
    from jupyter_dlops.store import close_all

    if request.param == "postgresql":
        yield request.getfixturevalue("pg_uri")
        return
    uri = str(tmp_path / "store")
    monkeypatch.setenv("DLOPS_STORE", uri)
    monkeypatch.delenv("DLOPS_ARTIFACTS", raising=False)
    yield uri
    close_all()
