"""Magic and shell translations, one rule at a time (DESIGN.md, "Notebook tags")."""

from __future__ import annotations

import ast

import pytest

from jupyter_dlops.convert.magics import translate_cell
from jupyter_dlops.errors import ConvertError


def translate(source: str, **options: bool) -> str:
    translation = translate_cell(source, 1, **options)
    ast.parse(translation.code)  # every translation is valid Python
    return translation.code


@pytest.mark.parametrize(("source", "expected"), [
    ("!ls -l", "_dlops_sh('ls -l')"),
    ("!echo {name}", "_dlops_sh('echo {name}')"),
    ("!echo $HOME", "_dlops_sh('echo $HOME')"),
    ("!!ls", "_dlops_sh('ls')"),
    ("out = !ls", "out = _dlops_sh('ls', capture=True)"),
    ("out = !!ls", "out = _dlops_sh('ls', capture=True)"),
    ("%cd $d", "os.chdir(os.path.expanduser(_dlops_expand('$d')))"),
    ("%cd data", "os.chdir(os.path.expanduser('data'))"),
    ("%env A=1", "os.environ['A'] = '1'"),
    ("%env A 1", "os.environ['A'] = '1'"),
    ("x = %env HOME", "x = os.environ['HOME']"),
    ("%time y = f()", "y = f()"),
    ("y = %time f()", "y = f()"),
    ("here = %pwd", "here = os.getcwd()"),
    ("%sx ls", "_dlops_sh('ls')"),
    ("%prun -s cumulative -l 5 -q y = f()", "y = f()"),
    ("y = %prun -r f()", "y = f()"),
    ("%debug y = f()", "y = f()"),
    ("%pylab inline", "from numpy import *  # noqa: F403"),
    ("%pylab inline --no-import-all", "plt = pyplot"),
    ("%debug --breakpoint a.py:3 f()", "f()"),
    ("%timeit -n1 -r1 L.append(1)", "L.append(1)  # [dlops] %timeit: run once, not timed"),
    ("%timeit -n 10 -q L.append(1)", "L.append(1)  # [dlops] %timeit: run once, not timed"),
    ("%ls -la data", "_dlops_sh('ls -F -la data')"),
    ("%mkdir -p out", "_dlops_sh('mkdir -p out')"),
    ("%cp a b", "_dlops_sh('cp a b')"),
    ("%mv a b", "_dlops_sh('mv a b')"),
    ("%rm -f a", "_dlops_sh('rm -f a')"),
    ("%rmdir d", "_dlops_sh('rmdir d')"),
    ("%cat a.txt", "_dlops_sh('cat a.txt')"),
    ("%less a.txt", "_dlops_sh('cat a.txt')"),
    ("%lf *.py", "_dlops_sh('ls -F -o *.py | grep ^-')"),
    ("%ll", "_dlops_sh('ls -F -o')"),
], ids=lambda value: value if isinstance(value, str) and len(value) < 20 else None)
def test_line_translations(source: str, expected: str) -> None:
    assert translate(source).splitlines()[-1] == expected


@pytest.mark.parametrize("source", [
    "%matplotlib inline", "%load_ext autoreload", "%autoreload 2", "%config X.y = 1",
    "%who", "df?", "??df", "%env", "%pip list", "%time", "%debug", "%clear", "%timeit", "%hist(x)",
    "%tensorboard --logdir logs", "%wandb user/project/runs/1", "%tensorflow_version 2.x",
])
def test_display_only_magics_become_a_note(source: str) -> None:
    translation = translate_cell(source, 1)
    assert translation.code.lstrip().startswith("# [dlops] removed")
    assert translation.notes and translation.notes[0].action.startswith("removed")


@pytest.mark.parametrize(("source", "requirements"), [
    ("%pip install numpy", ["numpy"]),
    ("%pip install -q -U 'pandas>=2' torch==2.1", ["pandas>=2", "torch==2.1"]),
    ("!pip install -r requirements.txt", ["-r requirements.txt"]),
    ("%conda install -c conda-forge -y scipy", ["scipy"]),
    ("!python -m pip install requests", ["requests"]),
])
def test_package_installs_become_requirements(source: str, requirements: list[str]) -> None:
    translation = translate_cell(source, 1)
    assert translation.requirements == requirements
    assert "subprocess" not in translation.code


def test_magic_like_lines_inside_python_are_left_alone() -> None:
    source = "x = (a\n    % b)\ny = (a\n    != b)\ns = '''\n%cd nowhere\n!rm -rf /\n'''\nz = a % b"
    assert translate(source) == source


def test_indented_magics_keep_their_indentation() -> None:
    code = translate("for i in range(2):\n    !echo {i}\n    %time y = i")
    assert code.splitlines()[1:] == ["    _dlops_sh('echo {i}')", "    y = i"]


def test_backslash_continued_shell_line_is_joined() -> None:
    assert translate("!echo a \\\n  b").endswith("_dlops_sh('echo a b')")


def test_no_get_ipython_in_any_translation() -> None:
    sources = ["!ls", "%cd x", "%%bash\nls", "%%capture out\nprint(1)", "%%writefile f\nx",
               "%%time\nx = 1", "%%timeit\nx", "%%html\n<b>", "%%track t\nx = 1", "%run a.py"]
    for source in sources:
        assert "get_ipython" not in translate(source)


def test_cell_magics() -> None:
    assert translate("%%bash\necho hi") == "_dlops_sh(['bash'], input='echo hi', check=True)"
    assert translate("%%shell\necho hi") == "_dlops_sh(['bash'], input='echo hi', check=True)"
    assert translate("%%prun -s time\nx = 1").endswith("\nx = 1")
    assert translate("%%debug\nx = 1").endswith("\nx = 1")
    assert "open('f.txt', 'a', encoding='utf-8')" in translate("%%writefile -a f.txt\nline")
    assert translate("%%time\nx = 1").endswith("\nx = 1")
    capture = translate("%%capture out\nif True:\n    s = '''\nkept\n'''")
    assert "\n    if True:\n        s = '''\nkept\n'''" in capture  # string contents not re-indented
    assert capture.endswith("out = types.SimpleNamespace(stdout=_dlops_stdout.getvalue(), stderr=_dlops_stderr.getvalue(), outputs=[])")
    tracked = translate("%%track training\n%time x = 1").splitlines()
    assert tracked[2:] == ["x = 1", "if _dlops_watch is not None:", "    _dlops_watch.stop()"]
    assert tracked[1].startswith('_dlops_watch = globals()["_dlops"].track_data(\'training\') if ')


@pytest.mark.parametrize(("source", "line"), [
    ("x = 1\n%store x", 2), ("%%R\nf()", 1), ("%reset array", 1), ("%cd -b mark", 1), ("%run nb.ipynb", 1),
    ("%%bash --out v\nls", 1), ("%%writefile\nx", 1), ("a = 1\nb = %who_am_i", 2),
])
def test_untranslatable_magics_name_cell_and_line(source: str, line: int) -> None:
    with pytest.raises(ConvertError, match=rf"^cell 1, line {line}: cannot export"):
        translate_cell(source, 1)


def test_keep_unknown_magics_falls_back_to_ipython() -> None:
    translation = translate_cell("x = 1\n%store x", 1, keep_unknown=True)
    assert translation.code.endswith("_dlops_ipython().run_line_magic('store', 'x')")
    assert "_dlops_ipython" in translation.imports and translation.opaque


@pytest.mark.parametrize("source", [
    "%%capture\n!pip install requests",
    "if True:\n    %pip install requests",
    "if True:\n    %matplotlib inline",
    "for f in files:\n    f?",
    "try:\n    %load_ext autoreload\nexcept ImportError:\n    %tensorboard --logdir x",
])
def test_a_magic_that_becomes_a_note_never_empties_its_block(source: str) -> None:
    code = translate(source)  # parses: issue 16, "expected an indented block" before
    assert "pass  # [dlops]" in code or "\n    pass" in code


def test_strict_shell_stops_on_failure() -> None:
    assert translate_cell("!false", 1, strict_shell=True).code == "_dlops_sh('false', check=True)"


def test_removed_magics_table_is_extensible() -> None:
    with pytest.raises(ConvertError, match="cannot export '%comet"):
        translate_cell("%comet show", 1)
    translation = translate_cell("%comet show", 1, removed_magics={"comet": "Comet display"})
    assert translation.code == "# [dlops] removed '%comet show': Comet display"


def test_third_party_cell_magic_keeps_its_body() -> None:
    code = translate("%%wandb\nx = 1\n!echo {x}")
    assert code.splitlines() == ["# [dlops] removed '%%wandb': Weights & Biases display in the notebook",
                                 "x = 1", "_dlops_sh('echo {x}')"]


def test_reset_clears_the_scripts_names() -> None:
    namespace = {"__name__": "__main__", "_keep": 1, "x": 2}
    exec(translate("%reset -f"), namespace)  # noqa: S102 - the translation is the thing tested
    assert "x" not in namespace and namespace["_keep"] == 1 and namespace["__name__"] == "__main__"
