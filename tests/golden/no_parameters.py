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
# jupyter-dlops: the parameters cell's values as command-line flags (python no_parameters.py --help).
# Inside a Jupyter kernel (papermill) no flags are read: the values the cells set win.
def _dlops_parse_args(values):
    import argparse
    import sys

    if "ipykernel" in sys.modules and "__file__" not in globals():
        return dict(values), True

    parser = argparse.ArgumentParser(description='no_parameters: exported from a notebook by jupyter-dlops', allow_abbrev=False)
    parser.add_argument("--no-track", dest="_dlops_no_track", action="store_true",
                        help="do not record this run with jupyter-dlops")
    parser.set_defaults(**values)
    args = vars(parser.parse_args())
    if args.get("_dlops_no_track"):  # nothing recorded: the notebook's own dl.* calls neither
        import os

        os.environ["DLOPS_NO_TRACK"] = "1"
    track = not args.pop("_dlops_no_track", False)
    return args, track


_dlops_params, _dlops_track = _dlops_parse_args({})

try:
    import jupyter_dlops as _dlops
except ImportError:  # the script also runs where jupyter-dlops is not installed
    _dlops = None
if _dlops is not None and _dlops_track:
    _dlops_run = _dlops.start_run(
        # Under python the run is named after the script and its id ("train-3f9a1c"): unique.
        name=None if "__file__" in globals() else 'no_parameters', params=_dlops_params,
        entry_point=globals().get("__file__"),
        kind="script" if "__file__" in globals() else None,  # None: the kernel's kind, guessed
    )

# %%
_dlops_cell(1)
total = sum(range(10))

# %%
_dlops_cell(2)
print('total', total)
