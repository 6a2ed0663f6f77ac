"""The generated cell that turns the parameters into flags and starts the run's tracking.

It stands right after the parameters cell, so under papermill the ``injected-parameters``
cell lands between the two: inside a Jupyter kernel the generated code reads no flags (the
kernel's ``sys.argv`` is not the script's) and takes the values the cells set, injected ones
included. Under ``python script.py`` it parses ``sys.argv`` with the cell's values as
defaults. The cell imports nothing at top level, so it cannot shadow a user's names.
"""

from __future__ import annotations

from .parameters import Parameter

_METAVARS = {"int": "INT", "float": "FLOAT", "str": "TEXT", "list": "JSON", "dict": "JSON",
             "tuple": "JSON", "none": "VALUE"}
_TYPES = {"int": "int", "float": "float", "str": "str", "list": "_json(list)",
          "dict": "_json(dict)", "tuple": "_json(tuple)", "none": "_json(None)"}

_HEADER = '''\
# jupyter-dlops: the parameters cell's values as command-line flags ({usage}).
# Inside a Jupyter kernel (papermill) no flags are read: the values the cells set win.
def _dlops_parse_args(values{cell_values}):
    import argparse
    import sys

    if "ipykernel" in sys.modules and "__file__" not in globals():
        return dict(values), True
{json_helper}
    parser = argparse.ArgumentParser(description={description}, allow_abbrev=False)
'''

_JSON_HELPER = '''\
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
'''

_TRACK_FLAG = '''\
    parser.add_argument("--no-track", dest="_dlops_no_track", action="store_true",
                        help="do not record this run with jupyter-dlops")
'''

_PARSE = '''\
    parser.set_defaults(**values)
    args = vars(parser.parse_args())
'''

# A saved injected-parameters cell set ``values``: papermill replaces that cell when given any
# parameter, so any parameter flag starts again from the parameters cell's values (injected.py).
_PARSE_SAVED = '''\
    parser.epilog = ("The defaults are the notebook's saved injected-parameters values; given any "
                     "parameter flag, the others take the parameters cell's values, as papermill "
                     "replaces that cell when given parameters.")
    parser.set_defaults(**values)
    unset = object()  # tells a flag given from a default (argparse keeps values already set)
    given = vars(parser.parse_args(namespace=argparse.Namespace(**dict.fromkeys(values, unset))))
    args = {key: value for key, value in given.items() if value is not unset}
    args = {**values, **(cell_values if set(args) & set(values) else {}), **args}
'''

_RETURN = '''\
    track = not args.pop("_dlops_no_track", False)
    return args, track
'''

_NO_TRACK = '''\
    if args.get("_dlops_no_track"):  # nothing recorded: the notebook's own dl.* calls neither
        import os

        os.environ["DLOPS_NO_TRACK"] = "1"
'''

_TRACKING = '''\
try:
    import jupyter_dlops as _dlops
except ImportError:  # the script also runs where jupyter-dlops is not installed
    _dlops = None
if _dlops is not None and _dlops_track:
    _dlops_run = _dlops.start_run(
        # Under python the run is named after the script and its id ("train-3f9a1c"): unique.
        name=None if "__file__" in globals() else {name}, params=_dlops_params,
        entry_point=globals().get("__file__"),
        kind="script" if "__file__" in globals() else None,  # None: the kernel's kind, guessed
    )
'''


def render_cli_cell(parameters: list[Parameter], *, name: str, script_name: str,
                    track: bool, cell_values: dict[str, str] | None = None) -> str:
    """The source of the generated cell.

    Parameters
    ----------
    parameters : list of Parameter
        The parameters cell's parameters, in order.
    name : str
        The run name given to ``start_run`` (the notebook's stem).
    script_name : str
        The script's file name, for the usage line.
    track : bool
        Whether to emit ``--no-track`` and the ``start_run`` call (false with ``--standalone``).
    cell_values : dict, optional
        Where the notebook keeps a saved injected-parameters cell: the parameters cell's values
        (name -> Python source) that apply, with the flags given, when any flag is given.

    Returns
    -------
    str
        Python source, without a trailing newline.
    """
    description = repr(f"{name}: exported from a notebook by jupyter-dlops")
    needs_json = any(p.kind in ("list", "dict", "tuple", "none") for p in parameters)
    parts = [_HEADER.format(usage=f"python {script_name} --help", description=description,
                            json_helper="\n" + _JSON_HELPER if needs_json else "",
                            cell_values="" if cell_values is None else ", cell_values")]
    parts += [_argument(parameter) for parameter in parameters]
    if track:
        parts.append(_TRACK_FLAG)
    # --no-track travels in the environment: it reaches the notebook's own jupyter_dlops
    # calls and child processes too (issue 15).
    parse = _PARSE if cell_values is None else _PARSE_SAVED
    parts += [parse, _NO_TRACK, _RETURN] if track else [parse, _RETURN]
    values = ", ".join(f"{p.name!r}: {p.name}" for p in parameters)
    saved = "" if cell_values is None else \
        ", {" + ", ".join(f"{k!r}: {v}" for k, v in cell_values.items()) + "}"
    parts.append(f"\n\n_dlops_params, _dlops_track = _dlops_parse_args({{{values}}}{saved})\n")
    parts += [f"{p.name} = _dlops_params[{p.name!r}]\n" for p in parameters]
    if track:
        parts.append("\n" + _TRACKING.format(name=repr(name)))
    return "".join(parts).rstrip("\n")


def _help(parameter: Parameter) -> str:
    text = parameter.help.replace("%", "%%")
    default = "(default: %(default)r)"
    return f"{text} {default}" if text else default


def _argument(parameter: Parameter) -> str:
    flags = list(parameter.flags)
    help_text = repr(_help(parameter))
    dest = repr(parameter.name)
    if parameter.kind == "bool":
        negative = flags.pop()
        options = ", ".join(repr(flag) for flag in flags)
        return (
            f"    parser.add_argument({options}, dest={dest}, action=\"store_true\", help={help_text})\n"
            f"    parser.add_argument({negative!r}, dest={dest}, action=\"store_false\", "
            f"help={'set ' + parameter.name + ' to False'!r})\n"
        )
    options = ", ".join(repr(flag) for flag in flags)
    kind, metavar = _TYPES[parameter.kind], repr(_METAVARS[parameter.kind])
    return (
        f"    parser.add_argument({options}, dest={dest}, type={kind}, metavar={metavar},\n"
        f"                        help={help_text})\n"
    )
