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
    ("!ls -l", "subprocess.run('ls -l', shell=True, check=True)"),
    ("!echo {name}", "subprocess.run(f'echo {name}', shell=True, check=True)"),
    ("!echo $HOME", "subprocess.run('echo $HOME', shell=True, check=True)"),
    ("out = !ls", "out = subprocess.run('ls', shell=True, check=True, capture_output=True, text=True).stdout.splitlines()"),
    ("%cd data", "os.chdir(os.path.expanduser('data'))"),
    ("%env A=1", "os.environ['A'] = '1'"),
    ("%env A 1", "os.environ['A'] = '1'"),
    ("x = %env HOME", "x = os.environ['HOME']"),
    ("%time y = f()", "y = f()"),
    ("y = %time f()", "y = f()"),
    ("here = %pwd", "here = os.getcwd()"),
    ("%sx ls", "subprocess.run('ls', shell=True, check=True)"),
], ids=lambda value: value if isinstance(value, str) and len(value) < 20 else None)
def test_line_translations(source: str, expected: str) -> None:
    assert translate(source).splitlines()[-1] == expected


@pytest.mark.parametrize("source", [
    "%matplotlib inline", "%load_ext autoreload", "%autoreload 2", "%timeit f()", "%config X.y = 1",
    "%who", "df?", "??df", "%env", "%pip list", "%time",
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
    assert code.splitlines()[1:] == ["    subprocess.run(f'echo {i}', shell=True, check=True)", "    y = i"]


def test_backslash_continued_shell_line_is_joined() -> None:
    assert translate("!echo a \\\n  b").endswith("subprocess.run('echo a b', shell=True, check=True)")


def test_no_get_ipython_in_any_translation() -> None:
    sources = ["!ls", "%cd x", "%%bash\nls", "%%capture out\nprint(1)", "%%writefile f\nx",
               "%%time\nx = 1", "%%timeit\nx", "%%html\n<b>", "%%track t\nx = 1", "%run a.py"]
    for source in sources:
        assert "get_ipython" not in translate(source)


def test_cell_magics() -> None:
    assert translate("%%bash\necho hi") == "subprocess.run(['bash'], input='echo hi', text=True, check=True)"
    assert "open('f.txt', 'a', encoding='utf-8')" in translate("%%writefile -a f.txt\nline")
    assert translate("%%time\nx = 1").endswith("\nx = 1")
    capture = translate("%%capture out\nif True:\n    s = '''\nkept\n'''")
    assert "\n    if True:\n        s = '''\nkept\n'''" in capture  # string contents not re-indented
    assert capture.endswith("out = types.SimpleNamespace(stdout=_dlops_stdout.getvalue(), stderr=_dlops_stderr.getvalue(), outputs=[])")
    tracked = translate("%%track training\n%time x = 1").splitlines()
    assert tracked[2:] == ["x = 1", "if _dlops_cell is not None:", "    _dlops_cell.stop()"]
    assert tracked[1].startswith('_dlops_cell = globals()["_dlops"].track_data(\'training\') if ')


@pytest.mark.parametrize(("source", "line"), [
    ("x = 1\n%store x", 2), ("%%prun\nf()", 1), ("%cd -b mark", 1), ("%run nb.ipynb", 1),
    ("%%bash --out v\nls", 1), ("%%writefile\nx", 1), ("a = 1\nb = %who_am_i", 2),
])
def test_untranslatable_magics_name_cell_and_line(source: str, line: int) -> None:
    with pytest.raises(ConvertError, match=rf"^cell 1, line {line}: cannot export"):
        translate_cell(source, 1)


def test_keep_unknown_magics_falls_back_to_ipython() -> None:
    translation = translate_cell("x = 1\n%store x", 1, keep_unknown=True)
    assert translation.code.endswith("_dlops_ipython().run_line_magic('store', 'x')")
    assert "_dlops_ipython" in translation.imports and translation.opaque
