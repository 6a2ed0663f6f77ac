"""Placeholder for version 2, reserved for data versions (data branch), so that the sweeps
migration can keep its number 4 while that branch is not merged. Delete this file when the
real m002 lands (the lead does this at merge)."""

VERSION = 2


def statements(dialect: str) -> list[str]:
    return []
