"""Export scikit-learn's bundled iris data to ``train.csv`` and ``test.csv`` (no download).

    python iris_data.py data      # what `make demo` runs before `dlops data add data`

The split is fixed (``random_state=0``) and the files are written only when missing, so the
folder's content, and therefore its data version id, is the same on every machine.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def export_splits(folder: str | os.PathLike[str] = "data") -> Path:
    """Write the train/test split into ``folder`` unless it is there already; return the folder."""
    from sklearn.datasets import load_iris
    from sklearn.model_selection import train_test_split

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    frame = load_iris(as_frame=True).frame
    frame.columns = [c.replace(" (cm)", "").replace(" ", "_") for c in frame.columns]
    train, test = train_test_split(frame, test_size=0.3, random_state=0, stratify=frame.target)
    for split, part in {"train": train, "test": test}.items():
        target = folder / f"{split}.csv"
        if not target.exists():
            # Write then rename: the runs of a parallel sweep may get here at the same time.
            scratch = folder / f".{split}.{os.getpid()}.tmp"
            part.to_csv(scratch, index=False)
            os.replace(scratch, target)
    return folder


if __name__ == "__main__":
    print(export_splits(sys.argv[1] if len(sys.argv) > 1 else "data"))
