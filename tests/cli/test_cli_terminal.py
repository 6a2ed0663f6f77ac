"""What reaches the terminal: crafted names cannot drive it, and a closed pipe ends quietly."""

import json
import re
import subprocess

import pytest
from helpers import BIN, add_run, run_cli

from jupyter_dlops.cli.terminal import escape_controls

# clear the screen, retitle the terminal (OSC), an 8-bit CSI, a carriage return, a bidi override
CLEAR, TITLE, CSI8, CR, RLO = "\x1b[2J", "\x1b]0;pwned\x07", "\x9b31m", "\rspoof", "\u202e"
CRAFTED = f"evil{CLEAR}{TITLE}{CSI8}{CR}{RLO}"
# every control character but newline and tab, DEL, C1, bidi overrides and isolates
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@pytest.fixture
def crafted(store):
    add_run(store, "cccc1111", {CRAFTED: CRAFTED, "lr": 0.1}, {CRAFTED: 1.0, "acc": 0.5}, {CRAFTED: CRAFTED},
            name=CRAFTED, start=1)
    add_run(store, "cccc2222", {"lr": 0.2}, {"acc": 0.6}, name="plain", start=2)
    store.close()
    return store


COMMANDS = [
    ["runs"],
    ["runs", "--columns", f"name,params.{CRAFTED},tags.{CRAFTED}"],
    ["show", "cccc1111"],
    ["compare", "cccc1111", "cccc2222"],
    ["sql", "SELECT name, key FROM runs JOIN params USING (run_id)"],
]
ERRORS = [  # error messages that echo the user's input
    ["show", f"nosuch{CRAFTED}"],
    ["runs", "--where", f"name = 1 {CRAFTED}"],
    ["runs", "--sort", CRAFTED],
    ["runs", "--columns", CRAFTED],
    ["runs", f"--bogus-option{CRAFTED}"],  # argparse's own message
]


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a)[:24].encode("unicode_escape").decode())
def test_control_characters_are_escaped_in_every_output(crafted, args):
    done = run_cli(*args)
    assert "Traceback" not in done.stderr
    for stream in (done.stdout, done.stderr):
        assert not RAW_CONTROL.search(stream), stream
    shown = done.stdout + done.stderr
    assert "\\x1b[2J" in shown and "\\x1b]0;pwned\\x07" in shown and "\\u009b31m" in shown
    assert "\\x0dspoof" in shown and "\\u202e" in shown


@pytest.mark.parametrize("args", ERRORS, ids=lambda a: " ".join(a)[:24].encode("unicode_escape").decode())
def test_control_characters_are_escaped_in_error_messages(crafted, args):
    done = run_cli(*args)
    assert done.returncode == 2 or done.returncode == 3
    assert not RAW_CONTROL.search(done.stderr) and "Traceback" not in done.stderr
    assert "\\x1b" in done.stderr and done.stderr.startswith(("dlops: error:", "usage:"))


def test_json_output_stays_valid_and_exact(crafted):
    done = run_cli("runs", "--json")
    assert not RAW_CONTROL.search(done.stdout)
    runs = {run["run_id"]: run for run in json.loads(done.stdout)}
    assert runs["cccc1111"]["name"] == CRAFTED and runs["cccc1111"]["params"][CRAFTED] == CRAFTED
    shown = json.loads(run_cli("show", "cccc1111", "--json").stdout)
    assert shown["tags"] == {CRAFTED: CRAFTED}
    rows = json.loads(run_cli("sql", "SELECT name FROM runs ORDER BY name", "--json").stdout)
    assert rows == [{"name": CRAFTED}, {"name": "plain"}]


def test_escape_keeps_text_newlines_tabs_and_the_clis_own_colours():
    assert escape_controls("plain\ttext\nnext é ✓") == "plain\ttext\nnext é ✓"
    assert escape_controls("\x1b[33mbest\x1b[0m") == "\x1b[33mbest\x1b[0m"
    assert escape_controls("a\x00b\x7fc\x1b[31m") == "a\\x00b\\u007fc\\x1b[31m"
    assert escape_controls(escape_controls(CRAFTED)) == escape_controls(CRAFTED)


def test_a_table_stays_aligned_around_escaped_names(crafted):
    lines = run_cli("runs", "--sort", "name").stdout.splitlines()
    status_at = {line.index("finished") for line in lines[2:]}
    assert len(status_at) == 1


@pytest.mark.parametrize("args", [["show", "cccc1111"], ["runs", "--json"], ["sql", "SELECT * FROM params"],
                                  ["--help"]])
def test_a_closed_pipe_ends_quietly(store, args):
    # far more than a pipe holds (64 KiB), so the writer certainly meets the closed pipe
    add_run(store, "cccc1111", {f"p{i:05d}": "x" * 40 for i in range(3000)}, {"acc": 0.5})
    store.close()
    with subprocess.Popen([str(BIN / "dlops"), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        first = process.stdout.readline()
        process.stdout.close()  # what `| head -1` does after its line
        stderr = process.stderr.read().decode()
        assert process.wait(timeout=120) == 0, stderr
    assert first.strip() and stderr == ""
