"""Version 5: what version 2 (data) gained after stores had already been written with it.

``data_tree_state`` and the immutability triggers were added to ``m002_data`` in place, so a
store created before that records version 2 (or later) without them and ``dlops data add``
fails there with "no such table: data_tree_state". Every statement here is idempotent, so
on a store that has them already (any store created since) this changes nothing.
"""

from . import m002_data

VERSION = 5


def statements(dialect: str) -> list[str]:
    tables = [s for s in m002_data.TABLES if "data_tree_state" in s]
    return tables + m002_data.guards(dialect)
