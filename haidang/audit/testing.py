"""Test helpers for the append-only audit log.

The triggers that protect the log (see `db.py`) refuse what some tests must do:

- **Tamper tests** edit or delete an entry on purpose to show that `verify_audit` notices. Wrap
  the raw SQL in `triggers_suspended()`, or request the `audit_triggers_suspended` fixture for
  the whole test body::

      with triggers_suspended():
          with connection.cursor() as cursor:
              cursor.execute("UPDATE audit_entry SET reason = 'x' WHERE id = %s", [entry.id])

- **Transactional tests** (`django_db(transaction=True)`, `transactional_db`, `live_server`,
  unittest `TransactionTestCase`) empty every table at teardown with Django's `flush`. Nothing
  to do: the audit app's `flush` command suspends the triggers around the flush under the test
  settings (HAIDANG_ENV=test). Entries and seals go with the flush; the next seal starts a new
  chain (the ids before it are recorded as absent).

Both use the migration's own SQL (`install_triggers` / `remove_triggers`), so what a test
re-creates is exactly what production has.
"""

from collections.abc import Iterator

import pytest

from haidang.audit.db import triggers_suspended

__all__ = ["audit_triggers_suspended", "triggers_suspended"]


@pytest.fixture
def audit_triggers_suspended(db) -> Iterator[None]:
    """The triggers are off for the whole test (inside its transaction, so rolled back too)."""
    with triggers_suspended():
        yield
