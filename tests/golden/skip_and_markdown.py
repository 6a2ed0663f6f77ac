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

# %% [markdown]
# # Title
#
# Some *markdown*, with a list:
#
# - one
# - two

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
_dlops_cell(2)
value = 1

# %% tags=["parameters"]
_dlops_cell(4)
value = 2

# %% tags=["injected-parameters"]
_dlops_cell(5)
# Parameters
value = 42

# %% tags=["dlops-cli"]
# jupyter-dlops: the parameters cell's values as command-line flags (python skip_and_markdown.py --help).
# Inside a Jupyter kernel (papermill) no flags are read: the values the cells set win.
def _dlops_parse_args(values, cell_values):
    import argparse
    import sys

    if "ipykernel" in sys.modules and "__file__" not in globals():
        return dict(values), True

    parser = argparse.ArgumentParser(description='skip_and_markdown: exported from a notebook by jupyter-dlops', allow_abbrev=False)
    parser.add_argument('--value', dest='value', type=int, metavar='INT',
                        help='(default: %(default)r)')
    parser.add_argument("--no-track", dest="_dlops_no_track", action="store_true",
                        help="do not record this run with jupyter-dlops")
    parser.epilog = ("The defaults are the notebook's saved injected-parameters values; given any "
                     "parameter flag, the others take the parameters cell's values, as papermill "
                     "replaces that cell when given parameters.")
    parser.set_defaults(**values)
    unset = object()  # tells a flag given from a default (argparse keeps values already set)
    given = vars(parser.parse_args(namespace=argparse.Namespace(**dict.fromkeys(values, unset))))
    args = {key: value for key, value in given.items() if value is not unset}
    args = {**values, **(cell_values if set(args) & set(values) else {}), **args}
    if args.get("_dlops_no_track"):  # nothing recorded: the notebook's own dl.* calls neither
        import os

        os.environ["DLOPS_NO_TRACK"] = "1"
    track = not args.pop("_dlops_no_track", False)
    return args, track


_dlops_params, _dlops_track = _dlops_parse_args({'value': value}, {'value': 2})
value = _dlops_params['value']

try:
    import jupyter_dlops as _dlops
except ImportError:  # the script also runs where jupyter-dlops is not installed
    _dlops = None
if _dlops is not None and _dlops_track:
    _dlops_run = _dlops.start_run(
        # Under python the run is named after the script and its id ("train-3f9a1c"): unique.
        name=None if "__file__" in globals() else 'skip_and_markdown', params=_dlops_params,
        entry_point=globals().get("__file__"),
        kind="script" if "__file__" in globals() else None,  # None: the kernel's kind, guessed
    )

# %% [raw]
# raw text, kept as a commented raw cell

# %%
_dlops_cell(8)
print('value', value)
