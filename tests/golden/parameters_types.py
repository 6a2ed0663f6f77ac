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
# # Parameter types
# Every literal type becomes a flag.

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
import json

# %% tags=["parameters"]
_dlops_cell(3)
lr = 0.01  # learning rate
epochs = 3  # passes over the data
name = 'baseline'
shuffle = True  # shuffle each epoch
seed = None  # random seed, or None
layers = [64, 32]  # hidden sizes
optimizer = {'name': 'sgd', 'momentum': 0.9}
shape = (28, 28)
batch_size: int = 16
scale = 1e-3 * 2  # evaluated safely
help = 'a parameter named help'
h = 1
α = 0.5  # a Unicode name
import os
home = os.environ.get('HOME', '/')  # not a literal: kept as code

# %% tags=["dlops-cli"]
# jupyter-dlops: the parameters cell's values as command-line flags (python parameters_types.py --help).
# Inside a Jupyter kernel (papermill) no flags are read: the values the cells set win.
def _dlops_parse_args(values):
    import argparse
    import sys

    if "ipykernel" in sys.modules and "__file__" not in globals():
        return dict(values), True

    def _json(kind):
        import json

        def parse(text):
            try:
                value = json.loads(text)
            except ValueError:
                value = text if kind is None else None
            if kind is tuple and isinstance(value, list):
                value = tuple(value)
            if kind is not None and not isinstance(value, kind):
                raise argparse.ArgumentTypeError(f"expected a JSON {kind.__name__}, got {text!r}")
            return value

        return parse

    parser = argparse.ArgumentParser(description='parameters_types: exported from a notebook by jupyter-dlops', allow_abbrev=False)
    parser.add_argument('--lr', dest='lr', type=float, metavar='FLOAT',
                        help='learning rate (default: %(default)r)')
    parser.add_argument('--epochs', dest='epochs', type=int, metavar='INT',
                        help='passes over the data (default: %(default)r)')
    parser.add_argument('--name', dest='name', type=str, metavar='TEXT',
                        help='(default: %(default)r)')
    parser.add_argument('--shuffle', dest='shuffle', action="store_true", help='shuffle each epoch (default: %(default)r)')
    parser.add_argument('--no-shuffle', dest='shuffle', action="store_false", help='set shuffle to False')
    parser.add_argument('--seed', dest='seed', type=_json(None), metavar='VALUE',
                        help='random seed, or None (default: %(default)r)')
    parser.add_argument('--layers', dest='layers', type=_json(list), metavar='JSON',
                        help='hidden sizes (default: %(default)r)')
    parser.add_argument('--optimizer', dest='optimizer', type=_json(dict), metavar='JSON',
                        help='(default: %(default)r)')
    parser.add_argument('--shape', dest='shape', type=_json(tuple), metavar='JSON',
                        help='(default: %(default)r)')
    parser.add_argument('--batch-size', '--batch_size', dest='batch_size', type=int, metavar='INT',
                        help='(default: %(default)r)')
    parser.add_argument('--scale', dest='scale', type=float, metavar='FLOAT',
                        help='evaluated safely (default: %(default)r)')
    parser.add_argument('--param-help', dest='help', type=str, metavar='TEXT',
                        help='(default: %(default)r)')
    parser.add_argument('--h', dest='h', type=int, metavar='INT',
                        help='(default: %(default)r)')
    parser.add_argument('--α', dest='α', type=float, metavar='FLOAT',
                        help='a Unicode name (default: %(default)r)')
    parser.add_argument("--no-track", dest="_dlops_no_track", action="store_true",
                        help="do not record this run with jupyter-dlops")
    parser.set_defaults(**values)
    args = vars(parser.parse_args())
    if args.get("_dlops_no_track"):  # nothing recorded: the notebook's own dl.* calls neither
        import os

        os.environ["DLOPS_NO_TRACK"] = "1"
    track = not args.pop("_dlops_no_track", False)
    return args, track


_dlops_params, _dlops_track = _dlops_parse_args({'lr': lr, 'epochs': epochs, 'name': name, 'shuffle': shuffle, 'seed': seed, 'layers': layers, 'optimizer': optimizer, 'shape': shape, 'batch_size': batch_size, 'scale': scale, 'help': help, 'h': h, 'α': α})
lr = _dlops_params['lr']
epochs = _dlops_params['epochs']
name = _dlops_params['name']
shuffle = _dlops_params['shuffle']
seed = _dlops_params['seed']
layers = _dlops_params['layers']
optimizer = _dlops_params['optimizer']
shape = _dlops_params['shape']
batch_size = _dlops_params['batch_size']
scale = _dlops_params['scale']
help = _dlops_params['help']
h = _dlops_params['h']
α = _dlops_params['α']

try:
    import jupyter_dlops as _dlops
except ImportError:  # the script also runs where jupyter-dlops is not installed
    _dlops = None
if _dlops is not None and _dlops_track:
    _dlops_run = _dlops.start_run(
        # Under python the run is named after the script and its id ("train-3f9a1c"): unique.
        name=None if "__file__" in globals() else 'parameters_types', params=_dlops_params,
        entry_point=globals().get("__file__"),
        kind="script" if "__file__" in globals() else None,  # None: the kernel's kind, guessed
    )

# %%
_dlops_cell(4)
print(json.dumps({'lr': lr, 'epochs': epochs, 'name': name, 'shuffle': shuffle, 'seed': seed, 'layers': layers, 'optimizer': optimizer, 'shape': list(shape), 'batch_size': batch_size, 'scale': scale, 'help': help, 'h': h, 'alpha': α}))

# %%
_dlops_cell(5)
long_line = 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'
assert len(long_line) == 300
