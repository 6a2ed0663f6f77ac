"""Credential shapes recognised in any text, whatever name they are stored under.

The shapes are those of detect-secrets' plugins (Yelp/detect-secrets 1.5: AWSKeyDetector,
GitHubTokenDetector, GitLabTokenDetector, SlackDetector, StripeDetector, JwtTokenDetector,
PrivateKeyDetector, OpenAIDetector, NpmDetector, PypiTokenDetector, SendGridDetector,
TwilioKeyDetector) plus Hugging Face and Google API keys, rewritten so that each runs in
linear time: every pattern starts with a literal, and a negative look-behind placed after
that literal refuses a start inside a longer word. Two attempts of one pattern therefore
never scan the same run of characters ('eyJ' * 100_000 costs one scan, not 100_000).
detect-secrets itself is not used: it scans line by line through every plugin, about
1 MB/s here (benchmarks/bench_redact.py), and some of its patterns backtrack.
"""

from __future__ import annotations

import re

W = "A-Za-z0-9_-"  # the characters of a token (URL-safe base64)


def _shape(literal: str, rest: str, before: str = W) -> tuple[str, re.Pattern]:
    """A pattern ``literal + rest`` that starts only where ``literal`` does not continue a
    word made of ``before`` characters."""
    escaped = re.escape(literal)
    return literal, re.compile(f"{escaped}(?<![{before}]{escaped}){rest}")


SHAPES: list[tuple[str, re.Pattern]] = [
    *(_shape(p, "[0-9A-Z]{16}(?![0-9A-Za-z])", "0-9A-Za-z") for p in ("AKIA", "ASIA", "ABIA", "ACCA")),
    ("gh", re.compile(f"gh(?<![{W}]gh)[pousr]_[{W}]{{20,}}")),
    _shape("github_pat_", f"[{W}]{{20,}}"),
    _shape("glpat-", f"[{W}]{{20,}}"),
    _shape("xox", "[abposr]-[A-Za-z0-9-]{10,}"),
    _shape("sk-", f"[{W}]{{20,}}"),
    ("k_live_", re.compile(f"[sr]k_live_(?<![{W}][sr]k_live_)[0-9a-zA-Z]{{20,}}")),
    ("k_test_", re.compile(f"[sr]k_test_(?<![{W}][sr]k_test_)[0-9a-zA-Z]{{20,}}")),
    _shape("hf_", "[A-Za-z0-9]{20,}"),
    _shape("AIza", f"[{W}]{{35}}"),
    _shape("npm_", "[A-Za-z0-9]{36}"),
    _shape("pypi-AgEIcHlwaS5vcmc", f"[{W}]{{20,}}"),
    _shape("SG.", f"[{W}]{{16,}}\\.[{W}]{{16,}}"),
    _shape("eyJ", f"[{W}]{{10,}}\\.[{W}]{{10,}}\\.[{W}]{{10,}}"),
    # A PEM private key: the body runs to the next "-----" (the END line, or the next BEGIN),
    # so the key is removed even when its END line was cut off.
    ("-----BEGIN", re.compile(r"-----BEGIN[A-Z ]{0,40}PRIVATE KEY-----[^-]*(?:-(?!----)[^-]*)*"
                              r"(?:-----END[A-Z ]{0,40}PRIVATE KEY-----)?")),
]


def redact_shapes(text: str, replacement: str) -> tuple[str, int]:
    """``text`` with every credential shape replaced, and how many were."""
    count = 0
    for literal, pattern in SHAPES:
        if literal in text:  # a substring test runs at memory speed; most texts skip the regex
            text, n = pattern.subn(replacement, text)
            count += n
    return text, count
