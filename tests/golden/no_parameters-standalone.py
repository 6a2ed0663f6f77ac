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

# %%
total = sum(range(10))

# %%
print('total', total)
