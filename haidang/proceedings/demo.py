"""Demonstration data for proceedings (synthetic)."""


def seed_proceedings_demo() -> None:
    """Idempotent; called by `manage.py seed_demo`."""
