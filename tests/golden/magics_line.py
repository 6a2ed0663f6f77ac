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
# jupyter-dlops: the parameters cell's values as command-line flags (python magics_line.py --help).
# Inside a Jupyter kernel (papermill) no flags are read: the values the cells set win.
def _dlops_parse_args(values):
    import argparse
    import sys

    if "ipykernel" in sys.modules and "__file__" not in globals():
        return dict(values), True

    parser = argparse.ArgumentParser(description='magics_line: exported from a notebook by jupyter-dlops', allow_abbrev=False)
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
        name=None if "__file__" in globals() else 'magics_line', params=_dlops_params,
        entry_point=globals().get("__file__"),
        kind="script" if "__file__" in globals() else None,  # None: the kernel's kind, guessed
    )

# %%
# [dlops] removed '%matplotlib inline': display only
# [dlops] removed '%load_ext autoreload': IPython extension, display or session only
# [dlops] removed '%autoreload 2': interactive reloading only
import os

# %%
# [dlops] requirement(s) numpy pandas>=2: install them before running (was pip install)
# [dlops] requirement(s) requests: install them before running (was pip install)
# [dlops] requirement(s) scipy: install them before running (was conda install)

# %%
import subprocess

name = 'world'
subprocess.run(f'echo hello {name}', shell=True, check=True)
files = subprocess.run('ls', shell=True, check=True, capture_output=True, text=True).stdout.splitlines()
total = sum(range(5))
# [dlops] removed '%timeit sum(range(5))': timing only; %timeit runs its statement in a private scope

# %%
import os

os.environ['DLOPS_DEMO'] = '1'
os.chdir(os.path.expanduser('data'))
here = os.getcwd()
# [dlops] removed 'len?': help lookup, interactive only

# %%
import subprocess

if total:
    subprocess.run('echo indented', shell=True, check=True)
ratio = (total
    % 3)
same = (total
    != 3)

# %%
text = '''
%not_a_magic inside a string
!nor this
'''

# %%
import runpy
import sys

_dlops_argv, sys.argv = sys.argv, ['helper_script.py', '--flag']
try:
    _dlops_ran = runpy.run_path('helper_script.py', run_name='__main__')
finally:
    sys.argv = _dlops_argv
globals().update({k: v for k, v in _dlops_ran.items() if not k.startswith('__')})

# %%
import json
print(json.dumps({'here': os.path.basename(here), 'total': total, 'ratio': ratio, 'same': same, 'text': text, 'helper': helper_argv, 'env': os.environ['DLOPS_DEMO'], 'files': len(files)}))
