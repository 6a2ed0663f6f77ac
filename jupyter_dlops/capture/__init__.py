"""Capturing the run record: code, environment, hardware, usage, cost and logs."""
