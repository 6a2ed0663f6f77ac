"""``dl.autolog()`` imports no framework, hooks in when the user imports one, and ``dl.watch``
records a plain PyTorch loop."""

from __future__ import annotations

import subprocess
import sys

import pytest
from dl_readback import only_run, params, steps, values

FRAMEWORKS = ["torch", "lightning", "pytorch_lightning", "keras", "transformers"]


def run_python(code: str, cwd) -> str:
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=cwd,
                          check=False, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def test_autolog_imports_no_framework(tmp_path):
    out = run_python(
        "import sys, jupyter_dlops as dl\n"
        "enabled = dl.autolog()\n"
        f"print(sorted(n for n in {FRAMEWORKS!r} if n in sys.modules))\n", tmp_path)
    assert out.strip() == "[]"


@pytest.mark.slow
def test_a_framework_imported_after_autolog_is_patched(tmp_path):
    pytest.importorskip("lightning", reason="needs lightning (pip install '.[dl]')")
    out = run_python(
        "import warnings; warnings.simplefilter('ignore')\n"
        "import jupyter_dlops as dl\n"
        "print(dl.autolog(['lightning']))\n"
        "import lightning\n"
        "t = lightning.Trainer(enable_progress_bar=False)\n"
        "print([type(x).__name__ for x in t.loggers])\n", tmp_path)
    assert out.split("\n")[:2] == ["['lightning']", "['DlopsLogger']"]


def test_an_unknown_framework_is_refused_in_one_line():
    import jupyter_dlops as dl
    from jupyter_dlops.errors import UsageError

    with pytest.raises(UsageError, match="unknown framework 'tensorflow'; choose from lightning"):
        dl.autolog(["tensorflow"])


@pytest.mark.slow
def test_watch_records_parameter_count_optimizer_and_lr_per_step(store):
    torch = pytest.importorskip("torch", reason="needs torch (pip install '.[dl]')")
    import jupyter_dlops as dl

    model = torch.nn.Linear(4, 2)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    schedule = torch.optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
    with dl.start_run(name="loop", capture=False):
        dl.watch(model, optimizer)
        for _ in range(5):
            optimizer.zero_grad()
            model(torch.ones(3, 4)).sum().backward()
            optimizer.step()
            schedule.step()
    run_id = only_run(store)
    recorded = params(store, run_id)
    assert {k: recorded[k] for k in ("model/class", "model/parameters", "optimizer",
                                     "optimizer/lr", "optimizer/momentum")} == {
        "model/class": "Linear", "model/parameters": 10, "optimizer": "SGD",
        "optimizer/lr": 0.1, "optimizer/momentum": 0.9}
    # read after each step, before that step's scheduler.step()
    assert steps(store, run_id, "lr") == [1, 2, 3, 4, 5]
    assert values(store, run_id, "lr") == pytest.approx([0.1, 0.1, 0.05, 0.05, 0.025])
