"""Demonstration data for statistics (synthetic)."""


def seed_statistics_demo() -> None:
    """Idempotent; called by `manage.py seed_demo`."""
