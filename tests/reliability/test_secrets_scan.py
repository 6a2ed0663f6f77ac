"""At least 40 planted secrets (environment, URL passwords, secret-named parameters and tags,
secret flags, printed tokens and assignments, error messages, literals hard-coded in scripts and
notebooks, a saved notebook output, an uncommitted git diff, sweep values, ``%%track --params``),
every kind of run (script, attach, papermill, ``dlops run``, sweeps on both engines, Dask, a
``%%track`` session whose notebook path is known, an exported script with a secret flag) on
both stores; then every byte of the store is scanned, objects decompressed where compressed
and PostgreSQL's tables read back through SQL (TOAST compresses long values): zero found."""

from __future__ import annotations

import gzip
import io
import secrets
import string
import subprocess
import zipfile
import zlib
from pathlib import Path

import pytest
from secret_kinds import KINDS, Project

from jupyter_dlops.capture.redact import REDACTED
from jupyter_dlops.store import close_all, open_store


def _alnum(n: int, alphabet: str = string.ascii_letters + string.digits) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(n))


def plant() -> tuple[dict[str, str], dict[str, str]]:
    """``(environment additions, {what: secret})``: 44 distinct secrets."""
    s = {
        "env AWS_SECRET_ACCESS_KEY": _alnum(40),
        "env AWS_ACCESS_KEY_ID": "AKIA" + _alnum(16, string.ascii_uppercase + string.digits),
        "env GITHUB_TOKEN": "ghp_" + _alnum(36),
        "env DB_PASSWORD": "pw-" + _alnum(14),
        "env HF_TOKEN": "hf_" + _alnum(34),
        "env OPENAI_API_KEY": "sk-" + _alnum(40),
        "env SLACK_BOT_TOKEN": "xoxb-" + _alnum(24),
        "env MY_SERVICE_SECRET": _alnum(24),
        "env PGPASSWORD": _alnum(16),
        "env WANDB_API_KEY": _alnum(40),
        "env AZURE_CLIENT_SECRET": _alnum(32),
        "env SMTP_PASS": _alnum(18),
        "password in DATABASE_URL": _alnum(18),
        "param api_key": _alnum(32),
        "password in a URL param": _alnum(18),
        "nested param auth.token": _alnum(28),
        "param credentials list": _alnum(22),
        "argv --password=": _alnum(20),
        "argv --token VALUE": _alnum(20),
        "printed GitHub token": "ghp_" + _alnum(36),
        "printed URL password": _alnum(18),
        "printed JWT": f"eyJ{_alnum(20)}.eyJ{_alnum(30)}.{_alnum(43)}",
        "printed Slack token": "xoxp-" + _alnum(30),
        "printed shell-style API_SECRET=": _alnum(26),
        "printed Stripe key": "sk_live_" + _alnum(24),
        "printed AWS key id": "ASIA" + _alnum(16, string.ascii_uppercase + string.digits),
        "error token=": _alnum(24),
        "tag deploy_token": _alnum(26),
        "tag auth": _alnum(26),
        "code: OpenAI key literal": "sk-proj-" + _alnum(40),
        "code: HF token literal": "hf_" + _alnum(34),
        "code: API_SECRET = literal": _alnum(30),
        "code: password in a dict": _alnum(21),
        "code: PEM private key body": "MII" + _alnum(60),
        "saved output: GitHub token": "ghp_" + _alnum(36),
        "uncommitted diff: DB_PASSWORD =": _alnum(25),
        "dlops run -p api_key": _alnum(30),
        "sweep api_key value 1": _alnum(30),
        "sweep api_key value 2": _alnum(30),
        "script-engine sweep api_key 1": _alnum(30),
        "script-engine sweep api_key 2": _alnum(30),
        "dask sweep api_key": _alnum(30),
        "%%track --params value": _alnum(30),
        "exported script --api-key": _alnum(30),
    }
    env = {name.split()[1]: value for name, value in s.items() if name.startswith("env ")}
    env["DATABASE_URL"] = f"postgresql://app:{s['password in DATABASE_URL']}@db.internal:5432/prod"
    env["PLANTED"] = repr(s)  # the child reads the non-environment secrets from here
    return env, s


def git_project(folder: Path, s: dict[str, str]) -> None:
    """A repository whose uncommitted diff holds a secret (stored as the run's diff)."""
    def git(*args: str) -> None:
        subprocess.run(["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args],
                       cwd=folder, check=True, capture_output=True)

    folder.mkdir()
    git("init", "-q")
    (folder / "settings.py").write_text("DEBUG = True\n")
    git("add", "settings.py")
    git("commit", "-qm", "init")
    (folder / "settings.py").write_text(f"DEBUG = True\nDB_PASSWORD = '{s['uncommitted diff: DB_PASSWORD =']}'\n")


def expand(data: bytes) -> list[bytes]:
    """``data`` and, when it is compressed (gzip, zlib, zip), what it decompresses to."""
    out = [data]
    try:
        if data[:2] == b"\x1f\x8b":
            out.append(gzip.decompress(data))
        elif data[:1] == b"\x78" and data[1:2] in (b"\x01", b"\x5e", b"\x9c", b"\xda"):
            out.append(zlib.decompress(data))
        elif data[:4] == b"PK\x03\x04":
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                out.extend(archive.read(name) for name in archive.namelist())
    except (OSError, zlib.error, zipfile.BadZipFile, EOFError):
        pass
    return out


def scan(paths: list[Path], planted: dict[str, str], extra: dict[str, bytes] | None = None) -> dict[str, list[str]]:
    """``{what: [where]}`` over every byte of every file under ``paths`` (decompressed too)
    and the ``extra`` named texts."""
    found: dict[str, list[str]] = {}
    blobs = dict(extra or {})
    for root in paths:
        for file in [root] if root.is_file() else sorted(root.rglob("*")):
            if file.is_file():
                for i, data in enumerate(expand(file.read_bytes())):
                    blobs[f"{file}{'' if not i else f' (decompressed {i})'}"] = data
    for where, data in blobs.items():
        for what, secret in planted.items():
            if secret.encode() in data:
                found.setdefault(what, []).append(where)
    return found


def tables_as_text(store) -> dict[str, bytes]:
    """Every row of every table, read through SQL: PostgreSQL compresses long values (TOAST),
    so the data directory's bytes alone could hide one."""
    if store.dialect == "sqlite":
        names = [r[0] for r in store.read("SELECT name FROM sqlite_master WHERE type = 'table'")]
    else:
        names = [r[0] for r in store.read("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")]
    return {f"table {name}": repr(store.read(f"SELECT * FROM {name}")).encode() for name in names}


@pytest.mark.slow
@pytest.mark.timeout(1200)
def test_no_planted_secret_is_stored(any_store_uri, child_env, tmp_path, request):
    env_secrets, planted = plant()
    if "postgresql" in any_store_uri:
        from pg_server import PASSWORD

        planted["store URI password"] = PASSWORD
    git_project(tmp_path / "project", planted)
    project = Project(tmp_path / "project", child_env(any_store_uri, **env_secrets), planted)
    named = [name for kind in KINDS if (name := kind(project))]

    close_all()
    store = open_store(any_store_uri)
    for name in named:  # the secrets really went through the record, redacted
        run = store.get_run(store.search_run_ids(f"name = '{name}'")[0])
        assert run.params["api_key"] == REDACTED and run.tags["deploy_token"] == REDACTED
        assert run.params["config"]["auth"] == REDACTED and run.params["credentials"] == REDACTED
        if name == "secret-script":  # the five literals in the code, and the diff's one
            assert run.sections["code"]["redactions"] == 6, run.sections["code"]
        if name != "secret-papermill":
            assert run.status == "failed" and REDACTED in run.error
    runs = store.search_runs()
    # script, attach, papermill, dlops run, 2 + 2 sweep runs, 2 Dask runs, the session, the export
    assert len(runs) == 12 and all(r.status in ("finished", "failed") for r in runs), [r.name for r in runs]
    roots = [store.objects.root]
    if store.dialect == "sqlite":
        roots.append(store.folder)
    else:
        server = request.getfixturevalue("postgres_server")
        server.admin("CHECKPOINT")
        roots.append(server.data)
    leaks = scan(roots, planted, tables_as_text(store))
    assert leaks == {}, f"secrets found in the store: {leaks}"
    assert len(planted) >= 40


def test_the_scan_finds_a_leak(tmp_path):
    """The scanner itself: a secret written anywhere under the store is found, inside a
    compressed object too."""
    _, planted = plant()
    store = open_store(str(tmp_path / "store"))
    with store.write() as cursor:
        cursor.execute("INSERT INTO meta (key, value) VALUES ('leak', ?)", (planted["env DB_PASSWORD"],))
    store.objects.put_bytes(planted["param api_key"].encode())
    store.objects.put_bytes(gzip.compress(planted["tag auth"].encode()))
    leaks = scan([store.folder], planted, tables_as_text(store))
    close_all()
    assert set(leaks) == {"env DB_PASSWORD", "param api_key", "tag auth"}
    assert any("decompressed" in where for where in leaks["tag auth"])
