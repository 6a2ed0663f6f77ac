"""``dlops gc --grace 0`` while a run writes never removes an object a run references
(issue 14: 11 of 400 artifacts were lost). The writer is a real process; gc runs in a loop."""

from __future__ import annotations

import os
import subprocess
import sys
import time

WRITER = r'''
import os, sys
import jupyter_dlops as dl
old = [bytes.fromhex(h) for h in sys.argv[2].split(",")]
with dl.start_run(name="writer", capture=False) as run:
    for i in range(int(sys.argv[1])):
        data = old[i] if i < len(old) else os.urandom(64) + str(i).encode()
        run.client.log_bytes(run.run_id, data, f"a/{i}.bin")
print("done")
'''
COUNT = 400


def test_gc_with_no_grace_never_removes_what_a_writing_run_references(store_dir):
    from jupyter_dlops.store import close_all, open_store
    from jupyter_dlops.store.gc import check, collect

    store = open_store(str(store_dir))
    # Old unreferenced objects the writer will reuse (deduplicate against) first.
    old = [os.urandom(32) for _ in range(20)]
    for data in old:
        path = store.objects.path(store.objects.put_bytes(data))
        os.utime(path, (time.time() - 7200,) * 2)
    garbage = store.objects.put_bytes(b"nobody references this")
    os.utime(store.objects.path(garbage), (time.time() - 7200,) * 2)
    env = {**os.environ, "DLOPS_STORE": str(store_dir), "DLOPS_FLUSH_INTERVAL": "0.05"}
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(COUNT), ",".join(d.hex() for d in old)],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    passes = 0
    while writer.poll() is None or passes == 0:
        collect(store, grace_seconds=0)
        passes += 1
    out, err = writer.communicate(timeout=300)
    assert writer.returncode == 0 and "done" in out, err
    collect(store, grace_seconds=0)
    close_all()
    store = open_store(str(store_dir))
    assert store.read("SELECT COUNT(*) FROM artifact")[0][0] == COUNT
    assert check(store)["missing"] == [], f"gc removed referenced objects ({passes} gc passes)"
    assert not store.objects.exists(garbage)  # gc still removes what nothing references
