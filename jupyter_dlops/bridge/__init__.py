"""Bridges to other experiment trackers (MLflow)."""
