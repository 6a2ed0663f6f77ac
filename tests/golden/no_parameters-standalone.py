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
# jupyter-dlops: what the notebook shows, the script shows: each cell's last expression,
# display(...) and the figures a cell leaves open are printed (repr, shortened).
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
    outputs = _DlopsOutputs()
    return outputs.cell, outputs.show, outputs.display


_dlops_cell, _dlops_show, _dlops_display = _dlops_outputs()
try:
    display
except NameError:  # IPython's display(), for plain python
    display = _dlops_display

# %%
_dlops_cell(1)
total = sum(range(10))

# %%
_dlops_cell(2)
print('total', total)
