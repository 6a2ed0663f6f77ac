"""Which names hold secrets: environment variables, parameters, flags, keys in code and JSON.

The rule, exactly (issue 14). A name is split into lower-case words at ``_ - . /``, spaces,
and camelCase boundaries (leading dashes of a flag dropped). It is secret when

* it contains ``password``, ``passwd``, ``passphrase``, ``secret``, ``credential``, ``apikey``,
  ``accesskey``, ``privatekey`` or ``connstr`` anywhere (so ``PGPASSWORD``, ``dbPassword``,
  ``client_secrets``); or ``token`` not followed by ``iz`` or ``s`` (``GITHUB_TOKEN``,
  ``hftoken``; not ``tokenizer`` nor ``max_tokens``);
* or one of its words is ``pass``, ``pwd``, ``auth``, ``oauth``, ``authorization``, ``creds``,
  ``cookie``, ``dsn`` or ``signature`` (so ``auth``, ``db_pwd``, ``SMTP_PASS``; not ``author``,
  ``XAUTHORITY``, ``passes``);
* or its **last** word is ``key`` (``key``, ``--key``, ``api_key``, ``apiKey``, ``sort_key``;
  not ``keyboard``, ``monkey``, ``key_size``).

The environment variables ``PWD`` and ``OLDPWD`` (upper case, exactly) are directories,
never secrets; a parameter ``pwd`` is.
"""

from __future__ import annotations

import re
from functools import lru_cache

STRONG = re.compile(
    r"pass(?:word|wd|phrase)|secret|credential|api_?key|access_?key|private_?key|"
    r"conn(?:ection)?_?str|token(?!iz|s)",
)
SECRET_WORDS = frozenset({"pass", "pwd", "auth", "oauth", "authorization", "creds", "cookie", "dsn", "signature"})
LAST_WORDS = frozenset({"key"})
NOT_SECRET_NAMES = frozenset({"PWD", "OLDPWD"})
_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z0-9]+")


def words(name: str) -> list[str]:
    """``name`` split into lower-case words: ``apiKey`` and ``API_KEY`` -> ``['api', 'key']``."""
    return [w.lower() for w in _WORD.findall(name)]


@lru_cache(maxsize=4096)
def is_secret_name(name: str) -> bool:
    """True if a value stored under ``name`` must be treated as a secret (the rule above).

    Parameters
    ----------
    name : str
        An environment variable, parameter, flag (``--token``), tag or dictionary key.
    """
    name = name.strip().lstrip("-")
    if not name or name in NOT_SECRET_NAMES:
        return False
    parts = words(name)
    if not parts:
        return False
    if STRONG.search("_".join(parts)) or STRONG.search(name.lower()):
        return True
    return parts[-1] in LAST_WORDS or any(p in SECRET_WORDS for p in parts)
