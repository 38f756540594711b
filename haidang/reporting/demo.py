"""Demonstration data for reporting (synthetic)."""


def seed_reporting_demo() -> None:
    """Idempotent; called by `manage.py seed_demo`."""
