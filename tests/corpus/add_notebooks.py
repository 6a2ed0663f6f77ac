"""Copy the notebooks of unpacked Debian documentation packages into the corpus (how they came here).

Usage, after ``apt-get download PACKAGE`` and ``dpkg -x PACKAGE.deb ROOT/PACKAGE`` for each package
in ``PACKAGES``::

    python tests/corpus/add_notebooks.py ROOT

Each notebook is copied as data into ``notebooks/<folder>/`` with its outputs kept small (an image
or HTML output over 50 kB dropped, a stream cut at 2,000 characters, so the corpus stays small on
disk); notebooks over 1 MB are skipped. Where the same file name occurs twice in a package (the
source notebook and a copy rendered into the HTML), the source one is kept. ``SOURCES.tsv`` gets a
row per notebook, and ``licenses/`` the package's copyright file, which holds the licence texts.
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

HERE = Path(__file__).resolve().parent
MAX_NOTEBOOK = 1_000_000
MAX_RICH = 50_000
MAX_STREAM = 2_000

# package -> (folder, version, licence): the versions are Debian 12's, as downloaded.
PACKAGES = {
    "python-sklearn-doc": ("sklearn", "1.2.1+dfsg-1", "BSD-3-Clause"),
    "python-statsmodels-doc": ("statsmodels", "0.13.5+dfsg-7", "BSD-3-Clause"),
    "python-skimage-doc": ("skimage", "0.19.3-8", "BSD-3-Clause"),
    "python-nbsphinx-doc": ("nbsphinx", "0.8.11+ds-1", "MIT"),
    "python-sympy-doc": ("sympy", "1.11.1-1", "BSD-3-Clause"),
    "python-lmfit-doc": ("lmfit", "1.1.0-1", "MIT"),
    "python-notebook-doc": ("notebook", "6.4.12-2.2", "BSD-3-Clause"),
    "python-qutip-doc": ("qutip", "4.7.1-2", "BSD-3-Clause (docs CC-BY-3.0)"),
    "python-astropy-doc": ("astropy", "5.2.1-2+deb12u1", "BSD-3-Clause"),
    "python-nibabel-doc": ("nibabel", "5.0.0-2", "MIT"),
    "python-tables-doc": ("tables", "3.7.0-5", "BSD-3-Clause"),
}


def _preferred(path: Path) -> tuple[int, str]:
    """Sort key: a notebook's source copy before one rendered into the HTML tree."""
    rendered = "/html/" in str(path) and "/_sources/" not in str(path)
    return (1 if rendered else 0, str(path))


def _trim_output(output: dict) -> dict | None:
    if output.get("output_type") == "stream":
        text = "".join(output.get("text", ""))
        if len(text) > MAX_STREAM:
            output["text"] = text[:MAX_STREAM] + "\n[... cut for the corpus]\n"
        return output
    data = output.get("data")
    if isinstance(data, dict):
        for mime in [m for m, v in data.items() if m != "text/plain" and len(json.dumps(v)) > MAX_RICH]:
            del data[mime]
        if not data:
            return None
    return output


def trimmed(text: str) -> str:
    """The notebook's JSON with large outputs dropped (the rest as it was)."""
    nb = json.loads(text)
    for cell in nb.get("cells", []):
        if "outputs" in cell:
            cell["outputs"] = [o for o in map(_trim_output, cell["outputs"]) if o is not None]
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def add_package(root: Path, package: str, rows: list[str]) -> int:
    folder, version, licence = PACKAGES[package]
    base = root / package
    target = HERE / "notebooks" / folder
    target.mkdir(parents=True, exist_ok=True)
    seen: set[str] = set()
    count = 0
    for path in sorted(base.rglob("*.ipynb"), key=_preferred):
        if path.name in seen or path.stat().st_size > MAX_NOTEBOOK:
            continue
        seen.add(path.name)
        (target / path.name).write_text(trimmed(path.read_text(encoding="utf-8")), encoding="utf-8")
        rel = path.relative_to(base)
        rows.append(f"notebooks/{folder}/{path.name}\tdebian:{package}\t{version}\t/{rel}\t{licence}")
        count += 1
    copyright_file = next(base.rglob("copyright"))
    shutil.copyfile(copyright_file, HERE / "licenses" / f"{folder}-copyright")
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path, help="folder with one unpacked package per subfolder")
    args = parser.parse_args(argv)
    rows: list[str] = []
    for package in PACKAGES:
        print(package, add_package(args.root, package, rows))
    with (HERE / "SOURCES.tsv").open("a", encoding="utf-8") as sources:
        sources.write("".join(row + "\n" for row in rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
