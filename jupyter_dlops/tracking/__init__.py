"""Tracking: fluent functions (:mod:`.fluent`) over an explicit client (:mod:`.client`)
over the store (:mod:`jupyter_dlops.store`)."""
