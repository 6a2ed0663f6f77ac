"""Parameter values typed against the defaults of the notebook's ``parameters`` cell.

``-p epochs 5`` arrives as the string ``"5"``; the parameters cell says ``epochs = 10``, so
the value becomes the int 5. A name the cell does not define is an error with a
did-you-mean; a value that does not parse as the parameter's type is an error that names both.
"""

from __future__ import annotations

import ast
import difflib
from pathlib import Path
from typing import Any

from ..errors import NotFoundError, UsageError
from .notebook_io import UNKNOWN

TRUE = {"true", "yes", "1", "on"}
FALSE = {"false", "no", "0", "off"}


def check_names(names: list[str], declared: dict[str, Any], source: str) -> None:
    """Refuse a parameter the notebook does not define, suggesting the closest name."""
    if names and not declared:
        raise UsageError(
            f"{source} has no cell tagged 'parameters', so it takes no parameters; "
            "tag the cell that sets the defaults with 'parameters'"
        )
    for name in names:
        if name in declared:
            continue
        close = difflib.get_close_matches(name, list(declared), n=1, cutoff=0.5)
        hint = f"did you mean '{close[0]}'? " if close else ""
        raise UsageError(
            f"unknown parameter '{name}': {hint}the parameters cell of {source} defines "
            f"{', '.join(sorted(declared))}"
        )


def _type_label(default: Any) -> str:
    if default is UNKNOWN or default is None:
        return "a value"
    kind = type(default).__name__
    return f"an {kind}" if kind[0] in "aeiou" else f"a {kind}"


def _bad(name: str, raw: Any, default: Any) -> UsageError:
    return UsageError(
        f"parameter '{name}' expects {_type_label(default)} (default {default!r}), "
        f"and {raw!r} does not parse as one"
    )


def parse_text(name: str, raw: str, default: Any) -> Any:
    """A command-line string typed like ``default``."""
    text = raw.strip()
    if isinstance(default, bool):
        if text.lower() in TRUE | FALSE:
            return text.lower() in TRUE
        raise _bad(name, raw, default)
    if isinstance(default, int):
        try:
            return int(text)
        except ValueError:
            raise _bad(name, raw, default) from None
    if isinstance(default, float):
        try:
            return float(text)
        except ValueError:
            raise _bad(name, raw, default) from None
    if isinstance(default, str):
        return raw
    if isinstance(default, (list, tuple, dict)):
        value = _literal(text)
        if not isinstance(value, (list, tuple, dict)) or isinstance(value, dict) != isinstance(default, dict):
            raise _bad(name, raw, default)
        return list(value) if isinstance(value, tuple) else value
    value = _literal(text)  # default None or not a literal: take Python literals, else a string
    return raw if value is _NOPE else value


_NOPE = object()


def _literal(text: str) -> Any:
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        lowered = text.lower()
        if lowered in ("true", "false"):
            return lowered == "true"
        if lowered in ("none", "null"):
            return None
        return _NOPE


def coerce(name: str, value: Any, default: Any) -> Any:
    """A value from the API or a YAML file (already typed) checked against ``default``."""
    if isinstance(value, str) and not isinstance(default, str):
        return parse_text(name, value, default)
    if default is UNKNOWN or default is None or value is None:
        return value
    if isinstance(default, bool):
        if isinstance(value, bool):
            return value
        raise _bad(name, value, default)
    if isinstance(default, int) and isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(default, float) and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(default, (list, tuple)) and isinstance(value, (list, tuple)):
        return list(value)
    if isinstance(value, type(default)) and not (isinstance(value, bool) and not isinstance(default, bool)):
        return value
    raise _bad(name, value, default)


def type_values(values: dict[str, list[Any]], declared: dict[str, Any], source: str,
                *, from_text: bool) -> dict[str, list[Any]]:
    """Every value of every parameter typed against the declared defaults."""
    check_names(list(values), declared, source)
    convert = parse_text if from_text else coerce
    return {name: [convert(name, v, declared[name]) for v in items] for name, items in values.items()}


def read_yaml(file: Path, what: str) -> Any:
    """The YAML document in ``file``; a missing file or bad YAML is one clear line."""
    import yaml

    if not file.is_file():
        raise NotFoundError(f"{what} {file} does not exist")
    try:
        return yaml.safe_load(file.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise UsageError(f"{what} {file} is not valid YAML ({_yaml_where(error)})") from None


def load_params_file(path: str | Path) -> dict[str, Any]:
    """``-f params.yaml``: a mapping of parameter name to value."""
    file = Path(path)
    data = read_yaml(file, "parameters file")
    if data is None:
        return {}
    if not isinstance(data, dict) or not all(isinstance(k, str) for k in data):
        raise UsageError(f"parameters file {file} must be a mapping of parameter name to value")
    return data


def _yaml_where(error: Exception) -> str:
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or "syntax error"
    return f"line {mark.line + 1}: {problem}" if mark is not None else str(problem)
