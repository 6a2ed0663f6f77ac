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
# A notebook the tests run as a script and through papermill.

# %%
import json
import pathlib

# %% tags=["parameters"]
lr = 0.1  # learning rate
epochs = 2
flags = ['a']
verbose = False
out = 'result.json'

# %% tags=["dlops-cli"]
# jupyter-dlops: the parameters cell's values as command-line flags (python runnable.py --help).
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

    parser = argparse.ArgumentParser(description='runnable: exported from a notebook by jupyter-dlops', allow_abbrev=False)
    parser.add_argument('--lr', dest='lr', type=float, metavar='FLOAT',
                        help='learning rate (default: %(default)r)')
    parser.add_argument('--epochs', dest='epochs', type=int, metavar='INT',
                        help='(default: %(default)r)')
    parser.add_argument('--flags', dest='flags', type=_json(list), metavar='JSON',
                        help='(default: %(default)r)')
    parser.add_argument('--verbose', dest='verbose', action="store_true", help='(default: %(default)r)')
    parser.add_argument('--no-verbose', dest='verbose', action="store_false", help='set verbose to False')
    parser.add_argument('--out', dest='out', type=str, metavar='TEXT',
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


_dlops_params, _dlops_track = _dlops_parse_args({'lr': lr, 'epochs': epochs, 'flags': flags, 'verbose': verbose, 'out': out})
lr = _dlops_params['lr']
epochs = _dlops_params['epochs']
flags = _dlops_params['flags']
verbose = _dlops_params['verbose']
out = _dlops_params['out']

try:
    import jupyter_dlops as _dlops
except ImportError:  # the script also runs where jupyter-dlops is not installed
    _dlops = None
if _dlops is not None and _dlops_track:
    _dlops_run = _dlops.start_run(
        # Under python the run is named after the script and its id ("train-3f9a1c"): unique.
        name=None if "__file__" in globals() else 'runnable', params=_dlops_params,
        entry_point=globals().get("__file__"),
        kind="script" if "__file__" in globals() else None,  # None: the kernel's kind, guessed
    )

# %%
with open('notes.txt', 'w', encoding='utf-8') as _dlops_file:
    _dlops_file.write('written by %%writefile\n')

# %%
import subprocess

subprocess.run(f'echo shell says {epochs}', shell=True, check=True)

# %%
losses = [lr / (epoch + 1) for epoch in range(epochs)]

# %%
import contextlib
import io

_dlops_stdout, _dlops_stderr = io.StringIO(), io.StringIO()
with contextlib.redirect_stdout(_dlops_stdout), contextlib.redirect_stderr(_dlops_stderr):
    print('captured, not shown')

# %%
result = {'lr': lr, 'epochs': epochs, 'flags': flags, 'verbose': verbose, 'losses': losses}
pathlib.Path(out).write_text(json.dumps(result))
print(json.dumps(result))
