# %% [markdown]
# A percent-format script that dlops reads as a notebook.

# %% tags=["parameters"]
lr = 0.1
epochs = 3

# %%
import jupyter_dlops as dl

loss = 1.0
for step in range(epochs):
    loss = loss * (1 - lr)
    dl.log_metric("loss", loss, step=step)
