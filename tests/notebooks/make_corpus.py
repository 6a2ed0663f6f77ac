"""Write the converter's notebook corpus (run it after changing a notebook here, then review).

Each notebook is tiny and named after the behaviour it shows. They are committed; this file
only documents and reproduces them: ``python tests/notebooks/make_corpus.py``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
KERNEL = {"display_name": "Python 3", "language": "python", "name": "python3"}


def code(source: str, *tags: str, count: int | None = None) -> dict[str, Any]:
    return {"cell_type": "code", "execution_count": count, "metadata": {"tags": list(tags)},
            "outputs": [], "source": source}


def markdown(source: str) -> dict[str, Any]:
    return {"cell_type": "markdown", "metadata": {}, "source": source}


def raw(source: str) -> dict[str, Any]:
    return {"cell_type": "raw", "metadata": {}, "source": source}


def notebook(*cells: dict[str, Any], kernel: dict[str, Any] | None = None, minor: int = 4) -> dict[str, Any]:
    return {"cells": list(cells), "metadata": {"kernelspec": kernel or KERNEL,
            "language_info": {"name": (kernel or KERNEL)["language"]}},
            "nbformat": 4, "nbformat_minor": minor}


PARAMETERS_TYPES = notebook(
    markdown("# Parameter types\nEvery literal type becomes a flag."),
    code("import json"),
    code(
        "lr = 0.01  # learning rate\n"
        "epochs = 3  # passes over the data\n"
        "name = 'baseline'\n"
        "shuffle = True  # shuffle each epoch\n"
        "seed = None  # random seed, or None\n"
        "layers = [64, 32]  # hidden sizes\n"
        "optimizer = {'name': 'sgd', 'momentum': 0.9}\n"
        "shape = (28, 28)\n"
        "batch_size: int = 16\n"
        "scale = 1e-3 * 2  # evaluated safely\n"
        "help = 'a parameter named help'\n"
        "h = 1\n"
        "α = 0.5  # a Unicode name\n"
        "import os\n"
        "home = os.environ.get('HOME', '/')  # not a literal: kept as code\n",
        "parameters",
    ),
    code(
        "print(json.dumps({'lr': lr, 'epochs': epochs, 'name': name, 'shuffle': shuffle, "
        "'seed': seed, 'layers': layers, 'optimizer': optimizer, 'shape': list(shape), "
        "'batch_size': batch_size, 'scale': scale, 'help': help, 'h': h, 'alpha': α}))"
    ),
    code("long_line = " + repr("x" * 300) + "\nassert len(long_line) == 300"),
)

NO_PARAMETERS = notebook(
    code("total = sum(range(10))"),
    code("print('total', total)"),
)

SKIP_AND_MARKDOWN = notebook(
    markdown("# Title\n\nSome *markdown*, with a list:\n\n- one\n- two"),
    code("value = 1"),
    code("value = 100  # exploration", "skip"),
    code("value = 2", "parameters"),
    code("# Parameters\nvalue = 42\n", "injected-parameters"),
    code("   \n"),
    raw("raw text, kept as a commented raw cell"),
    code("print('value', value)"),
)

MAGICS_LINE = notebook(
    code("%matplotlib inline\n%load_ext autoreload\n%autoreload 2\nimport os"),
    code("%pip install -q numpy 'pandas>=2'\n!pip install requests\n%conda install -c conda-forge scipy"),
    code("name = 'world'\n!echo hello {name}\nfiles = !ls\n%time total = sum(range(5))\n%timeit sum(range(5))"),
    code("%env DLOPS_DEMO=1\n%cd data\nhere = %pwd\nlen?"),
    code("if total:\n    !echo indented\nratio = (total\n    % 3)\nsame = (total\n    != 3)"),
    code("text = '''\n%not_a_magic inside a string\n!nor this\n'''"),
    code("%run helper_script.py --flag"),
    code("import json\nprint(json.dumps({'here': os.path.basename(here), 'total': total, 'ratio': ratio,"
         " 'same': same, 'text': text, 'helper': helper_argv, 'env': os.environ['DLOPS_DEMO'],"
         " 'files': len(files)}))"),
)

MAGICS_CELL = notebook(
    code("%%bash\necho from bash\nls > /dev/null"),
    code("%%capture captured\nprint('hidden output')"),
    code("%%writefile out.txt\nline one\nline two"),
    code("%%time\nslow = sum(range(100))"),
    code("%%timeit\nsum(range(100))"),
    code("%%html\n<b>bold</b>"),
    code("%%track training\nresult = slow * 2\nprint(result)"),
    code("%%script sh\necho from sh"),
)

HIDDEN_STATE = notebook(
    code("base = 10", count=1),
    code("secret = 5", "skip", count=2),
    code("total = base + secret", count=3),
    code("print(later)", count=4),
    code("later = 1", count=5),
    code("def use():\n    return missing_global + base", count=6),
    code("display(total)", count=7),
    code("base = base + 1", count=9),
    code("print(base)", count=8),
)

UNKNOWN_MAGIC = notebook(
    code("x = 1"),
    code("y = 2\n%store x"),
)

RUNNABLE = notebook(
    markdown("A notebook the tests run as a script and through papermill."),
    code("import json\nimport pathlib"),
    code("lr = 0.1  # learning rate\nepochs = 2\nflags = ['a']\nverbose = False\nout = 'result.json'",
         "parameters"),
    code("%%writefile notes.txt\nwritten by %%writefile"),
    code("!echo shell says {epochs}"),
    code("%time losses = [lr / (epoch + 1) for epoch in range(epochs)]"),
    code("%%capture\nprint('captured, not shown')"),
    code("result = {'lr': lr, 'epochs': epochs, 'flags': flags, 'verbose': verbose, 'losses': losses}\n"
         "pathlib.Path(out).write_text(json.dumps(result))\nprint(json.dumps(result))"),
)

TRAIN_METRICS = notebook(
    code("import json\nimport pathlib\nimport jupyter_dlops"),
    code("lr = 0.5\nepochs = 3", "parameters"),
    code("loss = 1.0\nfor epoch in range(epochs):\n    loss = loss * (1 - lr)\n"
         "    jupyter_dlops.log_metric('loss', loss, step=epoch)"),
    code("pathlib.Path('model.json').write_text(json.dumps({'loss': round(loss, 6)}))"),
)

VERIFY_MISMATCH = notebook(
    code("import jupyter_dlops"),
    code("lr = 0.5", "parameters"),
    code("lr = 0.1  # tried while exploring, never exported", "skip"),
    code("jupyter_dlops.log_metric('lr_used', lr)"),
)

DISPLAYED_RESULTS = notebook(
    markdown("What a cell shows: its last expression, display(...), the figures it leaves open."),
    code("n = 3", "parameters"),
    code("values = list(range(n))\nvalues"),
    code("total = sum(values)"),
    code("total;"),
    code("display(total, 'text')\nprint('printed')"),
    code("calls = []\n\n\ndef tick():\n    calls.append(1)\n    return len(calls)\n\n\ntick()"),
    code("print('tick ran', len(calls), 'time(s)')"),
    code("'x' * 5000"),
    code("import matplotlib.pyplot as plt\n\nplt.plot([1, 2, 3]);"),
    code("import sys\nprint('warned', file=sys.stderr)\n{'a': 1}"),
)

SHOWN_DIFFERENTLY = notebook(
    markdown("Shows and prints a value that differs between a kernel and plain python."),
    code("in_script = '__file__' in globals()\nprint('in a script:', in_script)"),
    code("x = 41"),
    code("in_script"),
    code("import matplotlib.pyplot as plt\n\nplt.figure(figsize=(4 if in_script else 3, 3))\n"
         "plt.plot([1, 2]);"),
    code("plt.figure(figsize=(3, 3))\nplt.plot([1, 2] if in_script else [2, 1]);"),
)

BAD = {
    "two_parameters": notebook(code("a = 1", "parameters"), code("b = 2", "parameters")),
    "no_code_cells": notebook(markdown("only words")),
    "r_kernel": notebook(code("x <- 1"), kernel={"display_name": "R", "language": "R", "name": "ir"}),
    "syntax_error": notebook(code("x = 1"), code("y = (1,\nprint(y")),
    "raw_only": notebook(raw("just raw")),
}


def main() -> None:
    corpus = {
        "parameters_types": PARAMETERS_TYPES, "no_parameters": NO_PARAMETERS,
        "skip_and_markdown": SKIP_AND_MARKDOWN, "magics_line": MAGICS_LINE,
        "magics_cell": MAGICS_CELL, "hidden_state": HIDDEN_STATE, "unknown_magic": UNKNOWN_MAGIC,
        "runnable": RUNNABLE, "train_metrics": TRAIN_METRICS, "verify_mismatch": VERIFY_MISMATCH,
        "displayed_results": DISPLAYED_RESULTS, "shown_differently": SHOWN_DIFFERENTLY,
        **BAD,
        "nbformat40": {**NO_PARAMETERS, "nbformat_minor": 0},
    }
    for name, content in corpus.items():
        (HERE / f"{name}.ipynb").write_text(json.dumps(content, indent=1, ensure_ascii=False) + "\n",
                                            encoding="utf-8")
    (HERE / "not_json.ipynb").write_text("this is { not json\n", encoding="utf-8")
    (HERE / "nbformat3.ipynb").write_text(json.dumps(NBFORMAT3, indent=1) + "\n", encoding="utf-8")


NBFORMAT3 = {
    "metadata": {"name": "old"}, "nbformat": 3, "nbformat_minor": 0,
    "worksheets": [{"cells": [
        {"cell_type": "heading", "level": 1, "metadata": {}, "source": "Old notebook"},
        {"cell_type": "code", "collapsed": False, "input": "x = 3\nprint(x * 2)", "language": "python",
         "metadata": {}, "outputs": [], "prompt_number": 1},
    ], "metadata": {}}],
}

if __name__ == "__main__":
    main()
