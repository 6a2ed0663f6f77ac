"""Placeholder for version 3, reserved for notebook cells (notebook branch), so that the sweeps
migration can keep its number 4 while that branch is not merged. Delete this file when the
real m003 lands (the lead does this at merge)."""

VERSION = 3


def statements(dialect: str) -> list[str]:
    return []
