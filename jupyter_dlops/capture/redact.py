"""Nothing secret is ever stored: names and values that look like credentials are redacted.

Three layers, used everywhere the record is written:

* a *name* test (``API_KEY``, ``db_password``, ``github_token``...) for environment
  variables, parameters and command-line flags;
* a *value* test for well-known credential shapes (AWS keys, GitHub/Slack/OpenAI tokens,
  JWTs, private keys) and passwords inside URLs;
* a *known-secrets* scrubber that replaces, in any text we store (logs, diffs, argv), every
  value that the current environment holds under a secret-looking name.
"""

from __future__ import annotations

import os
import re
from typing import Any

REDACTED = "***redacted***"
SECRET_NAME = re.compile(
    r"(pass(word|wd|phrase)?|(^|[_-])pwd($|[_-])|secret|token(?!iz)|api[_-]?key|apikey|access[_-]?key|private[_-]?key|"
    r"credential|auth(?!or)|session[_-]?key|signature|cookie|dsn|conn(ection)?[_-]?str)",
    re.IGNORECASE,
)
SECRET_VALUE = re.compile(
    r"(AKIA[0-9A-Z]{16}|ASIA[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|"
    r"xox[abposr]-[A-Za-z0-9-]{10,}|sk-[A-Za-z0-9_-]{20,}|hf_[A-Za-z0-9]{20,}|glpat-[A-Za-z0-9_-]{20,}|"
    r"eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}|"
    r"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----)"
)
URL_PASSWORD = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)(?P<user>[^:/@\s]*):(?P<pw>[^@/\s]+)@")
MIN_SECRET_LENGTH = 6


NOT_SECRET_NAMES = {"PWD", "OLDPWD", "XAUTHORITY"}


def is_secret_name(name: str) -> bool:
    return name.upper() not in NOT_SECRET_NAMES and bool(SECRET_NAME.search(name))


def redact_text(text: str, known: set[str] | None = None) -> str:
    """``text`` with URL passwords, credential-shaped strings and known secrets replaced."""
    if not text:
        return text
    text = URL_PASSWORD.sub(lambda m: f"{m['scheme']}{m['user']}:{REDACTED}@", text)
    text = SECRET_VALUE.sub(REDACTED, text)
    for secret in sorted(known if known is not None else known_secrets(), key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, REDACTED)
    return text


# Values this process has seen under secret-looking names (parameters, tags): scrubbed from
# everything stored later too, so a secret parameter that gets printed stays out of the logs.
_seen_secrets: set[str] = set()


def redact_value(name: str, value: Any, known: set[str] | None = None) -> Any:
    """A value to store under ``name``: fully redacted when the name looks secret, else
    strings are scrubbed and containers walked."""
    if is_secret_name(name):
        if isinstance(value, str) and len(value) >= MIN_SECRET_LENGTH:
            _seen_secrets.add(value)
        return REDACTED
    if isinstance(value, str):
        return redact_text(value, known)
    if isinstance(value, list):
        return [redact_value(name, v, known) for v in value]
    if isinstance(value, dict):
        return {k: redact_value(str(k), v, known) for k, v in value.items()}
    return value


def known_secrets(environ: dict[str, str] | None = None) -> set[str]:
    """Values the environment holds under secret-looking names, and URL passwords in it."""
    environ = os.environ if environ is None else environ
    found = set(_seen_secrets)
    for name, value in environ.items():
        if is_secret_name(name) and len(value) >= MIN_SECRET_LENGTH:
            found.add(value)
        for match in URL_PASSWORD.finditer(value):
            if len(match["pw"]) >= 3:
                found.add(match["pw"])
    return found


def redact_argv(argv: list[str], known: set[str] | None = None) -> list[str]:
    """Command-line arguments with the values of secret-looking flags redacted."""
    out: list[str] = []
    hide_next = False
    for arg in argv:
        if hide_next:
            out.append(REDACTED)
            hide_next = False
            continue
        flag, eq, value = arg.partition("=")
        # "--password X", "--token=X", and parameters given as names: "-p api_key X", "api_key=X"
        if (arg.startswith("-") or ARG_NAME.fullmatch(flag)) and is_secret_name(flag):
            if eq:
                out.append(f"{redact_text(flag, known)}={REDACTED}")
            else:  # the name itself may be a known secret that merely looks like a name
                out.append(redact_text(arg, known))
                hide_next = True
            continue
        out.append(redact_text(arg, known))
    return out


ARG_NAME = re.compile(r"[A-Za-z_][\w-]*")  # a bare name; file names (dots, slashes) are not
