#!/usr/bin/env python3
# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: "Python 3"
#     language: "python"
#     name: "python3"
# ---

# %% tags=["dlops-cli"]
# jupyter-dlops: what the notebook shows, the script shows: each cell's last expression,
# display(...) and the figures a cell leaves open are printed (repr, shortened) and, when the run
# is tracked, recorded in it (outputs/cell-N/).
# Export with --no-outputs to leave this out.
class _DlopsOutputs:
    def __init__(self, recorder=None):
        self.recorder = recorder

    def cell(self, number):
        import atexit

        self.figures()  # the previous cell's, shown then closed as Jupyter's inline backend does
        if self.recorder is not None:
            self.recorder.cell(number)
        atexit.unregister(self.figures)  # re-registered: runs before the run's own exit handler
        atexit.register(self.figures)

    def show(self, value):
        if value is not None:
            self.display(value)

    def display(self, *values, **options):
        for value in values:
            text = repr(value)
            if self.recorder is None or self.recorder.record(value, text):
                print(self.shorten(text), flush=True)

    def figures(self):
        pyplot = __import__("sys").modules.get("matplotlib.pyplot")  # never imports matplotlib
        if pyplot is not None:
            for number in pyplot.get_fignums():
                self.display(pyplot.figure(number))
            pyplot.close("all")

    @staticmethod
    def shorten(text, lines=40, width=4000):
        if len(text) <= width and len(text.splitlines()) <= lines:
            return text
        kept = "\n".join(text[:width].splitlines()[:lines])
        return f"{kept}\n... (shortened: {len(text.splitlines())} lines, {len(text)} characters)"


def _dlops_outputs():
    import sys

    if "ipykernel" in sys.modules and "__file__" not in globals():
        return (lambda number: None), (lambda value: value), None  # IPython shows results itself
    try:
        from jupyter_dlops.tracking.outputs import OutputRecorder
    except ImportError:  # the script also runs where jupyter-dlops is not installed
        OutputRecorder = None
    outputs = _DlopsOutputs(OutputRecorder() if OutputRecorder is not None else None)
    return outputs.cell, outputs.show, outputs.display


_dlops_cell, _dlops_show, _dlops_display = _dlops_outputs()
try:
    display
except NameError:  # IPython's display(), for plain python
    display = _dlops_display

# %%
# jupyter-dlops: pandas' display defaults under plain python, as IPython does (dlops export --help).
def _dlops_pandas():
    """Let pandas show wide frames as it does in a Jupyter kernel: up to 20 columns, wrapped.

    pandas decides at import (``config_init.is_terminal``): outside IPython its default
    ``display.max_columns`` is 0, which elides the middle columns to fit a terminal; inside a
    kernel it is 20. Set when pandas is imported, before any user code can change it.
    """
    import sys

    def configure(pandas):
        if pandas.get_option("display.max_columns") == 0:
            pandas.set_option("display.max_columns", 20)

    class _Finder:
        def find_spec(self, name, path=None, target=None):
            if name != "pandas":
                return None
            sys.meta_path.remove(self)  # once: the import system finds pandas itself below
            import importlib.util

            spec = importlib.util.find_spec(name)
            if spec is not None and spec.loader is not None and hasattr(spec.loader, "exec_module"):
                run = spec.loader.exec_module

                def exec_module(module):
                    run(module)
                    configure(module)

                spec.loader.exec_module = exec_module
            return spec

    if "ipykernel" in sys.modules and "__file__" not in globals():
        return  # a kernel: pandas already shows frames the notebook's way
    if "pandas" in sys.modules:
        configure(sys.modules["pandas"])
    else:
        sys.meta_path.insert(0, _Finder())


_dlops_pandas()

_dlops_cell(1)
import json
import pathlib
import jupyter_dlops

# %% tags=["parameters"]
_dlops_cell(2)
lr = 0.5
epochs = 3

# %% tags=["dlops-cli"]
# jupyter-dlops: the parameters cell's values as command-line flags (python train_metrics.py --help).
# Inside a Jupyter kernel (papermill) no flags are read: the values the cells set win.
def _dlops_parse_args(values):
    import argparse
    import sys

    if "ipykernel" in sys.modules and "__file__" not in globals():
        return dict(values), True

    parser = argparse.ArgumentParser(description='train_metrics: exported from a notebook by jupyter-dlops', allow_abbrev=False)
    parser.add_argument('--lr', dest='lr', type=float, metavar='FLOAT',
                        help='(default: %(default)r)')
    parser.add_argument('--epochs', dest='epochs', type=int, metavar='INT',
                        help='(default: %(default)r)')
    parser.add_argument("--no-track", dest="_dlops_no_track", action="store_true",
                        help="do not record this run with jupyter-dlops")
    parser.set_defaults(**values)
    args = vars(parser.parse_args())
    if args.get("_dlops_no_track"):  # nothing recorded: the notebook's own dl.* calls neither
        import os

        os.environ["DLOPS_NO_TRACK"] = "1"
    track = not args.pop("_dlops_no_track", False)
    return args, track


_dlops_params, _dlops_track = _dlops_parse_args({'lr': lr, 'epochs': epochs})
lr = _dlops_params['lr']
epochs = _dlops_params['epochs']

try:
    import jupyter_dlops as _dlops
except ImportError:  # the script also runs where jupyter-dlops is not installed
    _dlops = None
if _dlops is not None and _dlops_track:
    _dlops_run = _dlops.start_run(
        # Under python the run is named after the script and its id ("train-3f9a1c"): unique.
        name=None if "__file__" in globals() else 'train_metrics', params=_dlops_params,
        entry_point=globals().get("__file__"),
        kind="script" if "__file__" in globals() else None,  # None: the kernel's kind, guessed
    )

# %%
_dlops_cell(3)
loss = 1.0
for epoch in range(epochs):
    loss = loss * (1 - lr)
    jupyter_dlops.log_metric('loss', loss, step=epoch)

# %%
_dlops_cell(4)
_dlops_show(pathlib.Path('model.json').write_text(json.dumps({'loss': round(loss, 6)})))
