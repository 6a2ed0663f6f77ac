# %% [markdown]
# A cheap synthetic objective with a known minimum: loss = (x - 1.5)^2 + (y + 2)^2 (+0.5 with sgd),
# 0 at x = 1.5, y = -2. With steps > 1 the loss is logged per step, falling to that value.

# %% tags=["parameters"]
x = 0.0
y = 0.0
opt = "adam"
steps = 1
pause = 0.0

# %%
import time

import jupyter_dlops as dl

target = (x - 1.5) ** 2 + (y + 2) ** 2 + (0.0 if opt == "adam" else 0.5)
for step in range(steps):
    dl.log_metric("loss", target + (steps - 1 - step), step=step)
    time.sleep(pause)
