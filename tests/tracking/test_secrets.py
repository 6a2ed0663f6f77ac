"""No secret from the environment, the arguments or the output ever lands in the store."""

import subprocess
import sys

from helpers import snapshot

SECRETS = {
    "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
    "GITHUB_TOKEN": "ghp_0123456789abcdefghijABCDEFGHIJklmnop",
    "DB_PASSWORD": "correct-horse-battery-staple",
    "HF_TOKEN": "hf_abcdefghijklmnopqrstuvwxyzABCD",
}
URL_PASSWORD = "pa55w0rd-in-url"

SCRIPT = """
import os, sys, jupyter_dlops as dl
with dl.start_run(params={"api_key": sys.argv[2], "lr": 0.1}) as run:
    print("token is", os.environ["GITHUB_TOKEN"], "key is", sys.argv[2])
    print("url", os.environ["DATABASE_URL"], file=sys.stderr)
    dl.set_tag("db", os.environ["DATABASE_URL"])
    dl.log_metric("acc", 0.5)
    raise SystemExit(0)
"""


def test_no_secret_reaches_the_store(store_dir, tmp_path):
    script = tmp_path / "leaky.py"
    script.write_text(SCRIPT)
    env = {**SECRETS, "DATABASE_URL": f"postgresql://admin:{URL_PASSWORD}@db.example:5432/prod",
           "DLOPS_STORE": str(store_dir), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, str(script), "--password=argv-secret-456", "param-secret-value-123"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    files = snapshot(store_dir)
    assert any(name.startswith("objects/") for name in files)  # logs and code were stored
    everything = b"".join(files.values())
    planted = [*SECRETS.values(), URL_PASSWORD, "param-secret-value-123", "argv-secret-456"]
    leaked = [s for s in planted if s.encode() in everything]
    assert leaked == []
    assert b"***redacted***" in everything
