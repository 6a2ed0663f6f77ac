"""Manifests and version ids.

A manifest is the sorted list of (relative path, size, BLAKE3) of every file. Its canonical
form is one JSON array per line, ASCII-escaped, paths sorted by code point, so that names
with spaces, newlines or any Unicode serialise unambiguously. The version id is the BLAKE3
of a header (format version, the metadata table's hash, and for a slice its parent and
query) followed by that canonical manifest.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import blake3

FORMAT = "dlops-data-manifest/1"


@dataclass(frozen=True)
class FileRecord:
    """One file of a version."""

    path: str
    size: int
    hash: str


def canonical(files: list[FileRecord]) -> bytes:
    """The canonical bytes of a manifest (files sorted by path)."""
    ordered = sorted(files, key=lambda f: f.path)
    lines = [json.dumps([f.path, f.size, f.hash], separators=(",", ":")) for f in ordered]
    return ("\n".join(lines) + "\n").encode("ascii")


def version_id(files: list[FileRecord], *, meta_hash: str | None = None,
               parent_id: str | None = None, query: str | None = None) -> str:
    """The id of the version made of ``files`` (and its metadata table, parent and query).

    Parameters
    ----------
    files
        The manifest, in any order.
    meta_hash
        BLAKE3 of the metadata table, if the version carries one.
    parent_id, query
        For a slice saved from a query: where it came from.

    Returns
    -------
    str
        64 hexadecimal characters.
    """
    header = json.dumps(
        {"format": FORMAT, "meta": meta_hash, "parent": parent_id, "query": query},
        sort_keys=True, separators=(",", ":"),
    )
    hasher = blake3.blake3(header.encode("ascii") + b"\n")
    hasher.update(canonical(files))
    return hasher.hexdigest()
