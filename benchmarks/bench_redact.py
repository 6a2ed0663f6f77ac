"""Redaction throughput: ``redact_text`` over 20 MB of text (target < 1 s, issue 14), for four
kinds of text: one long word (the case that took the old pattern 12.5 s for 100 KB), Python
code, notebook JSON, and random printable characters. Beside it, in the same run: the old
backtracking URL pattern on a short long word ("before"), and detect-secrets (the
well-kept scanner whose patterns we adopted) on 1 MB of code, when the peers venv has it.

Times are CPU seconds of this process (``time.process_time``), with the wall time in the
note: on this shared machine wall time mostly measures the other jobs.

    python benchmarks/bench_redact.py [--quick] [--no-peers] [--json PATH]
"""

from __future__ import annotations

import json
import random
import re
import string
import subprocess
import time

from benchlib import REPO, Report, Row, parse, parser, ratio

MB = 1 << 20
# The pattern redaction used before issue 14: at every start it scans the word, then
# backtracks looking for "://" (quadratic in the length of one word).
OLD_URL_PASSWORD = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)(?P<user>[^:/@\s]*):(?P<pw>[^@/\s]+)@")


def texts(size: int) -> dict[str, str]:
    code = (REPO / "jupyter_dlops" / "store" / "operations.py").read_text()
    cell = {"cell_type": "code", "source": code.splitlines(True)[:40],
            "outputs": [{"name": "stdout", "text": ["epoch 3 loss 0.1234 api call ok\n"] * 20}]}
    notebook = json.dumps({"cells": [cell] * 50, "metadata": {"kernelspec": {"name": "python3"}}}, indent=1)
    rng = random.Random(0)
    noise = "".join(rng.choices(string.printable, k=MB))
    return {"one long word": "x" * size, "Python code": _fill(code, size),
            "notebook JSON": _fill(notebook, size), "random printable": _fill(noise, size)}


def _fill(piece: str, size: int) -> str:
    return (piece * (size // len(piece) + 1))[:size]


def timed(fn, *args) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one call."""
    cpu, wall = time.process_time(), time.perf_counter()
    fn(*args)
    return time.process_time() - cpu, time.perf_counter() - wall


def detect_secrets_rate(sample: str) -> float | None:
    """MB/s of detect-secrets' ``scan_file`` over ``sample``, in the peers venv (or None)."""
    import tempfile

    from peers import have_peer, peer_python

    if not have_peer("detect-secrets"):
        return None
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as handle:
        handle.write(sample)
    code = ("import sys, time\nfrom detect_secrets import SecretsCollection\n"
            "from detect_secrets.settings import default_settings\n"
            "with default_settings():\n    s = SecretsCollection(); t = time.process_time()\n"
            "    s.scan_file(sys.argv[1]); print(time.process_time() - t)\n")
    done = subprocess.run([str(peer_python("detect-secrets")), "-c", code, handle.name],
                          capture_output=True, text=True, timeout=1800)
    if done.returncode != 0:
        return None
    return len(sample) / MB / float(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    args = parse(parser(__doc__.splitlines()[0]), argv)
    from jupyter_dlops.capture.redact import redact_text

    size = (2 if args.quick else 20) * 1_000_000
    report = Report("redact")
    for kind, text in texts(size).items():
        redact_text(text[:1000], set())  # warm: compiled patterns
        cpu, wall = timed(redact_text, text, set())
        report.add(Row(f"redact_text, {size / 1e6:.0f} MB of {kind}", cpu, "s CPU",
                       f"< {size / 20e6:g} s", met=cpu < size / 20e6,
                       note=f"{size / MB / cpu:.0f} MB/s; wall {wall:.2f} s"))
    word = "x" * (5_000 if args.quick else 20_000)
    old_cpu, _ = timed(OLD_URL_PASSWORD.sub, "", word)
    new_cpu, _ = timed(redact_text, word, set())
    report.add(Row(f"one word of {len(word) // 1000} KB: ours vs the old URL pattern alone", new_cpu, "s CPU",
                   peer="pattern before issue 14", peer_value=old_cpu, ratio=ratio(old_cpu, new_cpu),
                   note="the old cost grows with the square of the word (12.5 s at 100 KB)"))
    sample = texts(MB // (4 if args.quick else 1))["Python code"]
    rate = None if args.no_peers else detect_secrets_rate(sample)
    cpu, _ = timed(redact_text, sample, set())
    ours = len(sample) / MB / cpu
    report.add(Row(f"MB/s over {len(sample) / MB:.2f} MB of Python code", ours, "MB/s",
                   peer="detect-secrets scan_file" if rate else "", peer_value=rate,
                   ratio=ours / rate if rate else None))
    report.finish(args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
