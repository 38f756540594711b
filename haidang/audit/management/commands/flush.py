"""Django's `flush`, made to work on a test database despite the append-only triggers.

Transactional tests (TransactionTestCase, pytest-django's `transactional_db` and
`django_db(transaction=True)`, `live_server`) empty every table when they finish by calling
`flush`: DELETE on SQLite, TRUNCATE on PostgreSQL, both refused by the audit triggers. Under the
test settings (HAIDANG_ENV=test) this command removes the triggers, flushes, and re-creates
them, so test authors need do nothing. Anywhere else it is plain `flush`, and the triggers still
refuse to empty the audit log.
"""

from django.conf import settings
from django.core.management.commands.flush import Command as FlushCommand
from django.db import DEFAULT_DB_ALIAS, connections

from haidang.audit.db import ENTRY_TABLE, triggers_suspended


class Command(FlushCommand):
    def handle(self, **options):
        connection = connections[options.get("database") or DEFAULT_DB_ALIAS]
        is_test = getattr(settings, "HAIDANG_ENV", "") == "test"
        if not is_test or ENTRY_TABLE not in connection.introspection.table_names():
            return super().handle(**options)
        with triggers_suspended(connection.alias):
            return super().handle(**options)
