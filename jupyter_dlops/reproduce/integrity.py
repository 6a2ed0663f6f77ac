"""Before a reproduction uses anything from the object store, every object it would use is
checked against its BLAKE3 id: a tampered entry notebook was run and called "reproduced"
(issue 14). What a tampered object gives is the verdict "could not run", never a run."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..store.gc import OBJECT_IN_SECTION


def altered_object(sections: dict[str, Any], objects: Any) -> str | None:
    """The reason to refuse, naming the first object the reproduction would use whose
    stored content no longer hashes to its id; None when every one is intact."""
    from ..store.objects import hash_file

    for label, object_id in used_objects(sections):
        path = objects.path(object_id)
        if path.is_file() and hash_file(path) != object_id:
            return (f"the store's copy of {label} (object {object_id[:12]}) was altered; restore the "
                    "store from a backup (`dlops gc --check` lists every altered object)")
    return None


def used_objects(sections: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """``(what it is, object id)`` for every object the code and environment sections name."""
    code = sections.get("code") or {}
    environment = sections.get("environment") or {}
    named = {
        code.get("entry_object"): Path(code.get("entry_point") or "the notebook").name,
        (code.get("git") or {}).get("diff_object"): "the recorded uncommitted diff",
        environment.get("packages_object"): "the recorded list of installed packages",
    }
    seen = set()
    for object_id, label in named.items():
        if object_id:
            seen.add(object_id)
            yield label, object_id
    for section in (code, environment):  # any other object a section names
        for object_id in OBJECT_IN_SECTION.findall(json.dumps(section)):
            if object_id not in seen:
                seen.add(object_id)
                yield f"object {object_id[:12]} of the record", object_id
