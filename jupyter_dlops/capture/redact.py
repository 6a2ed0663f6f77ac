"""Nothing secret is ever stored: names and values that look like credentials are redacted.

:func:`redact_text` is the one function every text goes through before the store keeps it
(the store calls it: :meth:`~jupyter_dlops.store.objects.ObjectStore.put_text` for text
objects, :func:`redact_row` for every row written). It replaces

* credential-shaped strings (:mod:`.secret_shapes`: AWS, GitHub, GitLab, Slack, OpenAI,
  Hugging Face, Stripe, Google API keys, JWTs, PEM private keys);
* passwords inside URLs (``scheme://user:PASSWORD@host``);
* values assigned to secret-looking names (:mod:`.secret_names`): ``API_SECRET = "..."``,
  ``password: '...'``, ``"api_key": "..."`` (quoted values), ``TOKEN=abc`` and
  ``--password=abc`` (unquoted, shell style);
* every value the environment holds under a secret-looking name, every URL password in the
  environment, and every value this process has seen under a secret-looking name.

Every step is linear in the length of the text (issue 14: the old URL pattern backtracked,
100 KB of one word took 12.5 s): each pattern either starts with a literal and cannot scan
past the next start of the same pattern, or is tried only where a secret-looking word is.
"""

from __future__ import annotations

import os
import re
from typing import Any

from .secret_names import is_secret_name
from .secret_shapes import redact_shapes

__all__ = ["REDACTED", "is_secret_name", "known_secrets", "redact_argv", "redact_counted",
           "redact_text", "redact_value"]

REDACTED = "***redacted***"
MIN_SECRET_LENGTH = 6

# ``://user:`` then the password up to ``@``: starts only at ``://`` and stops at ``/``, which the
# next ``://`` contains, so no two attempts scan the same characters.
URL_PASSWORD = re.compile(r"(://[^:/@\s]*:)([^@/\s]+)@")

# A secret-looking word somewhere in the text (lower-cased): only then are assignments looked for.
KEYWORDS = ("pass", "pwd", "secret", "token", "key", "auth", "cred", "cookie", "dsn", "signature",
            "conn")
# An assignment anchored at the start of a name (at most 80 characters, so a long word costs
# a bounded scan). A value's scan stops at its quote, a backslash or the end of the line; a
# later attempt starts after that quote, so no two attempts scan the same characters.
_ASSIGNMENT = re.compile(
    r"""(?P<name>-{0,2}[A-Za-z_][\w.-]{0,79})(?P<q1>\\?["']?)\]?"""
    r"""(?P<sep>[ \t]{0,16}(?::=|=>|[:=](?!=))[ \t]{0,16})"""
    # a quoted value must close on its line and not run into a word: in
    # ``print("secret:", os.environ[...])`` the quote after ``secret:`` closes a string
    r"""(?:"(?P<dq>[^"\\\n]*)"(?!\w)|'(?P<sq>[^'\\\n]*)'(?!\w)|\\"(?P<jq>[^"\\\n]*)\\"(?!\w)"""
    r"""|(?P<bare>[^\s&'"(),;=\[\]{}<>\\]+)(?P<after>[\s&;'"\\]|$))"""
)
_NAME_TAIL = re.compile(r"[\w.-]*\Z")  # searched up to a hit: where the name holding it starts
_NAME_RUN = re.compile(r"[\w.-]*")
_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")


def redact_text(text: str, known: set[str] | None = None) -> str:
    """``text`` with every secret this module recognises replaced by ``***redacted***``.

    Parameters
    ----------
    text : str
        Any text about to be stored.
    known : set of str, optional
        Secret values to scrub; by default :func:`known_secrets`.
    """
    return redact_counted(text, known)[0]


def redact_counted(text: str, known: set[str] | None = None) -> tuple[str, int]:
    """``(redacted text, number of secrets replaced)``; see :func:`redact_text`."""
    if not text:
        return text, 0
    count = 0
    if "://" in text:
        text, n = URL_PASSWORD.subn(_url_password, text)
        count += n
    text, n = redact_shapes(text, REDACTED)
    count += n
    text, n = _redact_assignments(text)
    count += n
    for secret in sorted(known if known is not None else known_secrets(), key=len, reverse=True):
        if secret in text:
            text, n = _replace_known(text, secret)
            count += n
    return text, count


def _replace_known(text: str, secret: str) -> tuple[str, int]:
    """Every occurrence of a known secret; one made of hex digits only where it is not part of
    a longer hex string, so a commit or object id that happens to contain it stays intact."""
    if _HEX_DIGITS.issuperset(secret):
        return re.subn(f"(?<![0-9a-fA-F]){re.escape(secret)}(?![0-9a-fA-F])", REDACTED, text)
    return text.replace(secret, REDACTED), text.count(secret)


def _url_password(match: re.Match) -> str:
    return f"{match[1]}{REDACTED}@"


def _redact_assignments(text: str) -> tuple[str, int]:
    """Values assigned to secret-looking names, found from the secret-looking words."""
    pieces: list[str] = []
    done = skip = 0  # text[:done] is settled; text[:skip] was tried
    count = 0
    for hit in _keyword_hits(text.lower()):
        if hit < done or hit < skip:
            continue
        start = _NAME_TAIL.search(text, max(done, hit - 80), hit).start()
        skip = _NAME_RUN.match(text, hit).end()  # later hits in this name: the same attempt
        match = _ASSIGNMENT.match(text, start)
        if match is None or not _is_secret_assignment(match):
            continue
        value_start, value_end = match.span(_value_group(match))
        pieces.append(text[done:value_start])
        pieces.append(REDACTED)
        done = value_end
        count += 1
    if not count:
        return text, 0
    pieces.append(text[done:])
    return "".join(pieces), count


def _keyword_hits(lowered: str) -> list[int]:
    """Where secret-looking words start, in order (``str.find`` runs at memory speed; one
    regex alternation over the text would be ten times slower)."""
    hits: list[int] = []
    for word in KEYWORDS:
        at = lowered.find(word)
        while at >= 0:
            hits.append(at)
            at = lowered.find(word, at + 1)
    hits.sort()
    return hits


def _value_group(match: re.Match) -> str:
    return next(g for g in ("dq", "sq", "jq", "bare") if match[g] is not None)


def _is_secret_assignment(match: re.Match) -> bool:
    group = _value_group(match)
    value = match[group]
    if not value or value == REDACTED or REDACTED in value:
        return False
    # Unquoted values only shell style (NAME=value, --flag=value, ?token=value): in code,
    # ``login(token=token)`` or ``password = get()`` name a variable, not a secret.
    if group == "bare" and (match["sep"] != "=" or match["q1"]):
        return False
    return is_secret_name(match["name"].rstrip(".-"))


# Values this process has seen under secret-looking names (parameters, tags): scrubbed from
# everything stored later too, so a secret parameter that gets printed stays out of the logs.
_seen_secrets: set[str] = set()


def remember_secret(value: Any) -> None:
    """Scrub ``value`` (a secret given under a secret-looking name) from every later text."""
    if isinstance(value, str) and len(value) >= MIN_SECRET_LENGTH and value != REDACTED:
        _seen_secrets.add(value)


def redact_value(name: str, value: Any, known: set[str] | None = None) -> Any:
    """A value to store under ``name``: fully redacted when the name looks secret, else
    strings are scrubbed and containers walked."""
    if is_secret_name(name):
        for item in value if isinstance(value, (list, tuple)) else [value]:
            remember_secret(item)  # strings only: a number would scrub every copy of it
        return REDACTED
    if isinstance(value, str):
        return redact_text(value, known)
    if isinstance(value, list):
        return [redact_value(name, v, known) for v in value]
    if isinstance(value, dict):
        return {k: redact_value(str(k), v, known) for k, v in value.items()}
    return value


def known_secrets(environ: dict[str, str] | None = None) -> set[str]:
    """Values the environment holds under secret-looking names, URL passwords in it, and the
    values seen under secret-looking names (:func:`remember_secret`)."""
    environ = os.environ if environ is None else environ
    found = set(_seen_secrets)
    for name, value in environ.items():
        if is_secret_name(name) and len(value) >= MIN_SECRET_LENGTH:
            found.add(value)
        if "://" in value:
            for match in URL_PASSWORD.finditer(value):
                if len(match[2]) >= 3:
                    found.add(match[2])
    return found


def redact_argv(argv: list[str], known: set[str] | None = None) -> list[str]:
    """Command-line arguments with the values of secret-looking flags redacted: the next
    argument after a flag (``--token X``), every value after a parameter name up to the next
    option (``-p api_key A B C``)."""
    out: list[str] = []
    hide_next = hide_values = False
    for arg in argv:
        if hide_values and arg.startswith("-"):
            hide_values = False
        if hide_next or hide_values:
            remember_secret(arg)
            out.append(REDACTED)
            hide_next = False
            continue
        flag, eq, value = arg.partition("=")
        # "--password X", "--token=X", and parameters given as names: "-p api_key X", "api_key=X"
        if (arg.startswith("-") or ARG_NAME.fullmatch(flag)) and is_secret_name(flag):
            if eq:
                remember_secret(value)
                out.append(f"{redact_text(flag, known)}={REDACTED}")
            else:  # the name itself may be a known secret that merely looks like a name
                out.append(redact_text(arg, known))
                hide_next, hide_values = True, not arg.startswith("-")
            continue
        out.append(redact_text(arg, known))
    return out


ARG_NAME = re.compile(r"[A-Za-z_][\w-]*")  # a bare name; file names (dots, slashes) are not
