"""Demonstration data for `make run`: `manage.py seed_demo` runs each domain app's own `demo` module in order."""
