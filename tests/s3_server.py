"""A real S3-compatible server for the tests: moto's standalone server on 127.0.0.1 (issue 19).

The server (``python -m moto.server``, from ``moto[server]`` in the test extra) is started once
per test process on a free port, in a subprocess: the client under test talks HTTP to it as it
would to AWS or MinIO; nothing in the client is mocked. Every test gets its own bucket, the
standard AWS variables pointing at the server, and its own local read cache.

Use from a conftest::

    from s3_server import objects_location, s3_location, s3_server  # noqa: F401
"""

from __future__ import annotations

import atexit
import os
import subprocess
import sys
import time
import urllib.request
import uuid

import pytest
from pg_server import free_port

_server: S3Server | None = None


class S3Server:
    """``moto.server`` in a subprocess; ``endpoint`` is its URL."""

    def __init__(self) -> None:
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while not self._ready():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"moto.server did not start on port {self.port}")
            time.sleep(0.2)

    def _ready(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.endpoint}/moto-api/", timeout=2):
                return True
        except OSError:
            return False

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def get_server() -> S3Server:
    global _server
    try:
        import boto3  # noqa: F401
        import moto  # noqa: F401
    except ImportError:
        pytest.skip("needs moto[server] and boto3: pip install 'jupyter-dlops[test]'")
    if _server is None:
        _server = S3Server()
        atexit.register(_server.stop)
    return _server


@pytest.fixture(scope="session")
def s3_server():
    """The session's S3 server."""
    return get_server()


def point_at(server: S3Server, monkeypatch) -> None:
    """The standard AWS variables, aimed at the test server (and nothing else)."""
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", server.endpoint)
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)


@pytest.fixture
def s3_location(s3_server, tmp_path, monkeypatch) -> str:
    """``s3://<fresh bucket>/objects`` on the test server, with a private read cache."""
    import boto3

    point_at(s3_server, monkeypatch)
    monkeypatch.setenv("DLOPS_CACHE_DIR", str(tmp_path / "cache"))
    bucket = f"dlops-{uuid.uuid4().hex[:12]}"
    boto3.session.Session().client("s3").create_bucket(Bucket=bucket)
    return f"s3://{bucket}/objects"


@pytest.fixture(params=["local", pytest.param("s3", marks=pytest.mark.s3)])
def objects_location(request, tmp_path) -> str:
    """An object location of each kind: a folder, and a bucket on the test server."""
    if request.param == "s3":
        return request.getfixturevalue("s3_location")
    return str(tmp_path / "objects")
