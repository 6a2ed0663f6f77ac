"""Write ``expected.json``: each corpus notebook's export verdict, why a refusal is or is not right,
whether the notebook can run here both ways, and (with ``--run``) what running it both ways gave.

Regenerate after a deliberate converter change (the export part takes about a minute)::

    PYTHONPATH=$PWD python tests/corpus/corpus_verdicts.py          # export verdicts, runnable
    PYTHONPATH=$PWD python tests/corpus/corpus_verdicts.py --run    # also run both ways (long)

Without ``--run`` the recorded both-ways results of notebooks whose export is unchanged are kept.
Each record has ``export`` (``"ok"`` or ``"exit N"``) and, for a refusal, ``error`` (the message)
and ``refusal``: ``"legitimate: ..."`` (not valid IPython, a third-party magic, another kernel) or
``"wrong: ..."`` (IPython runs it, so the converter should export it). An exported notebook has
``runnable`` (``"yes"`` or why not: a missing library, network, files) and, once run, ``run``.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import importlib.util
import io
import json
import re
import sys
import tempfile
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
EXPECTED_FILE = HERE / "expected.json"
NETWORK = re.compile(r"https?://|\bfetch_\w+\(|urlopen|urlretrieve|\brequests\.|download|"
                     r"\bpooch\b|load_dataset|get_rdataset|webuse|\bsocket\.")
DATA_FILE = re.compile(r"""['"][^'"\n]*\.(csv|tsv|txt|json|npy|npz|h5|hdf5|zip|gz|xlsx?|dta|mat|"""
                       r"""pkl|pickle|png|jpe?g|tiff?|nii|fits|parquet|sav|db|sqlite)['"]""")
INSTALLS = re.compile(r"run_line_magic\('(pip|conda|mamba)'|(system|getoutput)\('[^']*"
                      r"\b(pip|conda|wget|curl|git|apt(-get)?)\b")
# Third-party display-only magics that issue 16 puts in the converter's table (removed with a note)
TABLE_MAGICS = {"tensorboard", "wandb", "tensorflow_version"}
INTERACTIVE = re.compile(r"\binput\(|\bwidgets\.|interact\(|plt\.ion\(")


def notebook_paths() -> list[Path]:
    """Every corpus notebook, in a stable order."""
    return sorted((HERE / "notebooks").glob("*/*.ipynb"))


def key_of(path: Path) -> str:
    """``folder/stem``: the notebook's key in expected.json and its test id."""
    return f"{path.parent.name}/{path.stem}"


def load_expected(path: Path = EXPECTED_FILE) -> dict[str, dict]:
    """expected.json, or an empty mapping before the first run."""
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def export_verdict(notebook: Path, out: Path) -> tuple[str, str]:
    """``("ok", "")`` or ``("exit N", message)`` from ``dlops export``, as a user's shell sees it.

    In-process for speed; the compiler's "invalid escape sequence" warning is ignored, as in a
    user's shell (not an error, as under ``python -W error`` or pytest's configuration).
    """
    from jupyter_dlops.cli import main

    err = io.StringIO()
    with warnings.catch_warnings(), contextlib.redirect_stderr(err), \
            contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", SyntaxWarning)
        code = main(["export", str(notebook), "-o", str(out)])
    return ("ok", "") if code == 0 else (f"exit {code}", err.getvalue().strip())


# -- why a refusal is right or wrong ---------------------------------------------------------

def _shell():
    """A plain IPython shell: its input transformation is what "valid IPython" means."""
    from IPython.core.interactiveshell import InteractiveShell

    return InteractiveShell.instance()


def builtin_magics() -> set[str]:
    """Magics that IPython and ipykernel define (aliases such as ``ls`` included)."""
    from ipykernel.zmqshell import KernelMagics

    magics = _shell().magics_manager.magics
    return set(magics["line"]) | set(magics["cell"]) | set(KernelMagics.magics["line"])


def ipython_code(source: str) -> str:
    """The Python that IPython runs for a cell (magics, shell escapes, automagic translated)."""
    return _shell().transform_cell(source)


def code_cells(notebook: Path) -> list[str] | None:
    """The code cells' sources as nbformat reads them at version 4, or None if it cannot."""
    import nbformat

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            nb = nbformat.read(str(notebook), as_version=4)
    except Exception:  # noqa: BLE001 - any failure means Jupyter cannot open it either
        return None
    return [c.source for c in nb.cells if c.cell_type == "code"]


def _kernel_language(notebook: Path) -> str:
    meta = json.loads(notebook.read_text(encoding="utf-8")).get("metadata", {})
    kernel = meta.get("kernelspec") or {}
    return str(kernel.get("language") or meta.get("language_info", {}).get("name") or "python")


def _magics_used(code: str) -> set[str]:
    return set(re.findall(r"run_(?:line|cell)_magic\('([^']+)'", code))


def _first_invalid(cells: list[str]) -> tuple[int, str] | None:
    """The first cell IPython cannot compile, with Python's message."""
    for number, source in enumerate(cells, 1):
        try:
            compile(ipython_code(source), f"cell {number}", "exec",
                    flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True)
        except (SyntaxError, ValueError) as exc:
            return number, str(exc.msg if isinstance(exc, SyntaxError) else exc)
    return None


def classify_refusal(notebook: Path, error: str) -> str:
    """``legitimate: why`` or ``wrong: why`` for a refused notebook (see the module docstring)."""
    language = _kernel_language(notebook).lower()
    if not language.startswith("python") and "kernel" in error:
        return f"legitimate: not an IPython notebook (a {language} kernel)"
    cells = code_cells(notebook)
    if cells is None:
        return "legitimate: Jupyter cannot read it either (nbformat fails to load it)"
    if not any(c.strip() for c in cells):
        return "wrong: no code cells; nbconvert and jupytext export such a notebook (issue 16)"
    invalid = _first_invalid(cells)
    if invalid:
        return f"legitimate: not valid IPython (code cell {invalid[0]}: {invalid[1]})"
    used = set().union(*map(_magics_used, map(ipython_code, cells)))
    unknown = sorted(used - builtin_magics() - TABLE_MAGICS)
    if unknown:
        names = ", ".join("%" + m for m in unknown)
        earlier = "" if any(f"%{m}" in error for m in unknown) else \
            "; the converter stops earlier, on something IPython runs"
        return f"legitimate: {names} is no IPython magic (third-party, or none) and has no translation{earlier}"
    if "nbformat" in error:
        return "wrong: nbformat upgrades it to version 4, as Jupyter does when it opens it"
    return "wrong: every cell is valid IPython with built-in magics only; IPython runs it"


# -- whether it can run here both ways -------------------------------------------------------

def _imports(code: str) -> set[str]:
    try:
        tree = ast.parse(code)
    except SyntaxError:  # top-level await: IPython compiles it, ast.parse does not
        return set()
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


def runnability(notebook: Path) -> str:
    """``"yes"`` when the notebook needs only installed libraries, no network, no files, no user.

    Decided from the code alone, conservatively: a data file named in a string, a URL, a
    dataset fetcher, a shell command or ``%run``/``%load`` rules a notebook out.
    """
    cells = code_cells(notebook) or []
    source = "\n".join(cells)
    codes = [ipython_code(c) for c in cells]
    code = "\n".join(codes)
    missing = sorted(m for m in set().union(set(), *map(_imports, codes))
                     if importlib.util.find_spec(m) is None)
    reasons = ["needs " + ", ".join(missing)] if missing else []
    for pattern, what in ((NETWORK, "network"), (INSTALLS, "network"), (DATA_FILE, "a data file"),
                          (INTERACTIVE, "a user or widgets")):
        found = pattern.search(code if pattern is INSTALLS else source)
        if found:
            reasons.append(f"{what} ({found.group(0).strip(chr(39) + chr(34))})")
    if _magics_used(code) & {"run", "load", "loadpy"}:
        reasons.append("other files (%run or %load)")
    return "yes" if not reasons else "no: " + "; ".join(reasons)


# -- expected.json ---------------------------------------------------------------------------

def record(notebook: Path, old: dict) -> dict:
    """The notebook's entry in expected.json; ``old`` is its previous entry (its run is kept)."""
    with tempfile.TemporaryDirectory() as tmp:
        export, error = export_verdict(notebook, Path(tmp) / "script.py")
    if export != "ok":
        return {"export": export, "error": error, "refusal": classify_refusal(notebook, error)}
    entry = {"export": "ok", "runnable": runnability(notebook)}
    if entry["runnable"] == "yes" and isinstance(old, dict) and old.get("export") == "ok" and "run" in old:
        entry["run"] = old["run"]
    return entry


def summary(expected: dict[str, dict]) -> str:
    """Counts for a report: exported, refused (legitimately / wrongly), and the both-ways runs."""
    values = list(expected.values())
    refused = [v["refusal"].split(":")[0] for v in values if v["export"] != "ok"]
    runs = [v["run"].split(":")[0] for v in values if "run" in v]
    counts = {name: runs.count(name) for name in sorted(set(runs))}
    return (f"{len(values)} notebooks: {len(values) - len(refused)} exported, "
            f"{refused.count('legitimate')} legitimately refused, {refused.count('wrong')} wrongly "
            f"refused; runnable {sum(v.get('runnable') == 'yes' for v in values)}; runs {counts}")


def save(expected: dict[str, dict], path: Path = EXPECTED_FILE) -> dict[str, dict]:
    """Write expected.json (notebooks no longer in the corpus dropped, keys sorted)."""
    known = {key_of(p) for p in notebook_paths()}
    expected = {k: v for k, v in sorted(expected.items()) if k in known}
    # through a temporary file: tests reading it while a long --run saves never see half of it
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(expected, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    temporary.replace(path)
    return expected


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Regenerate tests/corpus/expected.json.")
    parser.add_argument("--run", action="store_true", help="also run runnable notebooks both ways")
    parser.add_argument("--only", nargs="*", metavar="KEY", help="only these notebooks (folder/stem)")
    parser.add_argument("--jobs", type=int, default=2, help="notebooks run at once (default: 2)")
    parser.add_argument("--expected", type=Path, default=EXPECTED_FILE, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    expected = load_expected(args.expected)
    chosen = [p for p in notebook_paths() if not args.only or key_of(p) in args.only]
    for path in chosen:
        expected[key_of(path)] = record(path, expected.get(key_of(path), {}))
    expected = save(expected, args.expected)
    if args.run:
        from corpus_run import run_all

        runnable = [p for p in chosen if expected[key_of(p)].get("runnable") == "yes"]
        for key, result in run_all(runnable, jobs=args.jobs):
            expected[key]["run"] = result
            save(expected, args.expected)  # after each: a long run cut short keeps what it found
            print(key, result, flush=True)
    print(summary(expected))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    raise SystemExit(main())
