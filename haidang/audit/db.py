"""The database triggers that make the audit log append-only, for SQLite and PostgreSQL.

One source of truth: migration 0003 installs them with `install_triggers`, the test helpers in
`testing.py` remove and re-install them with the same functions.

- Entries (`audit_entry`): UPDATE, DELETE and (PostgreSQL) TRUNCATE are refused, except the one
  update Django itself makes when a user or unit is deleted: setting `actor_id` / `unit_id` to
  NULL (on_delete=SET_NULL). Those links are not part of the hash; everything else is compared.
- Chain head (`audit_chain_head`): DELETE and TRUNCATE are refused and an UPDATE must move it
  forward by exactly one entry, so cutting off the end of the log also needs DDL.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper

ENTRY_TABLE = "audit_entry"
HEAD_TABLE = "audit_chain_head"
NULLABLE_LINK_COLUMNS = ("actor_id", "unit_id")
ENTRY_MESSAGE = "audit log is append-only"
HEAD_MESSAGE = "audit chain head only moves forward"

SQLITE_TRIGGERS = (
    ("audit_entry_no_update", ENTRY_TABLE),
    ("audit_entry_no_delete", ENTRY_TABLE),
    ("audit_chain_head_no_update", HEAD_TABLE),
    ("audit_chain_head_no_delete", HEAD_TABLE),
)
POSTGRESQL_TRIGGERS = (
    ("audit_entry_no_change", ENTRY_TABLE),
    ("audit_entry_no_truncate", ENTRY_TABLE),
    ("audit_chain_head_forward_only", HEAD_TABLE),
    ("audit_chain_head_no_truncate", HEAD_TABLE),
)
POSTGRESQL_FUNCTIONS = ("audit_entry_append_only", "audit_chain_head_guard")


def _unsupported(connection: BaseDatabaseWrapper) -> NotImplementedError:
    return NotImplementedError(
        f"The audit log's append-only triggers exist for SQLite and PostgreSQL, not {connection.vendor}."
    )


def expected_triggers(connection: BaseDatabaseWrapper) -> frozenset[str]:
    if connection.vendor == "sqlite":
        return frozenset(name for name, _table in SQLITE_TRIGGERS)
    if connection.vendor == "postgresql":
        return frozenset(name for name, _table in POSTGRESQL_TRIGGERS)
    raise _unsupported(connection)


# --- SQLite ------------------------------------------------------------------------------------


def _sqlite_entry_unchanged(connection: BaseDatabaseWrapper) -> str:
    """'Only the links were cleared': every other column of the row, read from the live table."""
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        columns = [col.name for col in connection.introspection.get_table_description(cursor, ENTRY_TABLE)]
    conditions = [f"NEW.{q(c)} IS OLD.{q(c)}" for c in columns if c not in NULLABLE_LINK_COLUMNS]
    conditions += [f"(NEW.{q(c)} IS NULL OR NEW.{q(c)} IS OLD.{q(c)})" for c in NULLABLE_LINK_COLUMNS]
    return " AND ".join(conditions)


def _sqlite_install(connection: BaseDatabaseWrapper) -> list[str]:
    entry, head = connection.ops.quote_name(ENTRY_TABLE), connection.ops.quote_name(HEAD_TABLE)
    return [
        f"CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON {entry} FOR EACH ROW "
        f"WHEN NOT ({_sqlite_entry_unchanged(connection)}) "
        f"BEGIN SELECT RAISE(ABORT, '{ENTRY_MESSAGE}'); END",
        f"CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON {entry} FOR EACH ROW "
        f"BEGIN SELECT RAISE(ABORT, '{ENTRY_MESSAGE}'); END",
        f"CREATE TRIGGER audit_chain_head_no_update BEFORE UPDATE ON {head} FOR EACH ROW "
        f'WHEN NOT (NEW."id" IS OLD."id" AND NEW."last_id" = OLD."last_id" + 1) '
        f"BEGIN SELECT RAISE(ABORT, '{HEAD_MESSAGE}'); END",
        f"CREATE TRIGGER audit_chain_head_no_delete BEFORE DELETE ON {head} FOR EACH ROW "
        f"BEGIN SELECT RAISE(ABORT, '{HEAD_MESSAGE}'); END",
    ]


# --- PostgreSQL --------------------------------------------------------------------------------

# integrity_constraint_violation (SQLSTATE 23000) so both databases raise django.db.IntegrityError.
_POSTGRESQL_ENTRY_FUNCTION = f"""
CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        -- Deleting a user or unit sets the link to NULL (on_delete=SET_NULL): the one change allowed.
        IF (to_jsonb(NEW) - 'actor_id' - 'unit_id') = (to_jsonb(OLD) - 'actor_id' - 'unit_id')
           AND (NEW.actor_id IS NULL OR NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id)
           AND (NEW.unit_id IS NULL OR NEW.unit_id IS NOT DISTINCT FROM OLD.unit_id) THEN
            RETURN NEW;
        END IF;
    END IF;
    RAISE EXCEPTION '{ENTRY_MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
END;
$$
"""

_POSTGRESQL_HEAD_FUNCTION = f"""
CREATE OR REPLACE FUNCTION audit_chain_head_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.id = OLD.id AND NEW.last_id = OLD.last_id + 1 THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION '{HEAD_MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
END;
$$
"""


def _postgresql_install(connection: BaseDatabaseWrapper) -> list[str]:
    entry, head = connection.ops.quote_name(ENTRY_TABLE), connection.ops.quote_name(HEAD_TABLE)
    return [
        _POSTGRESQL_ENTRY_FUNCTION,
        _POSTGRESQL_HEAD_FUNCTION,
        f"CREATE TRIGGER audit_entry_no_change BEFORE UPDATE OR DELETE ON {entry} "
        "FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()",
        f"CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON {entry} "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_append_only()",
        f"CREATE TRIGGER audit_chain_head_forward_only BEFORE UPDATE OR DELETE ON {head} "
        "FOR EACH ROW EXECUTE FUNCTION audit_chain_head_guard()",
        f"CREATE TRIGGER audit_chain_head_no_truncate BEFORE TRUNCATE ON {head} "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_chain_head_guard()",
    ]


# --- Public ------------------------------------------------------------------------------------


def install_sql(connection: BaseDatabaseWrapper) -> list[str]:
    if connection.vendor == "sqlite":
        return _sqlite_install(connection)
    if connection.vendor == "postgresql":
        return _postgresql_install(connection)
    raise _unsupported(connection)


def remove_sql(connection: BaseDatabaseWrapper) -> list[str]:
    q = connection.ops.quote_name
    if connection.vendor == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {name}" for name, _table in SQLITE_TRIGGERS]
    if connection.vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {name} ON {q(table)}" for name, table in POSTGRESQL_TRIGGERS] + [
            f"DROP FUNCTION IF EXISTS {name}()" for name in POSTGRESQL_FUNCTIONS
        ]
    raise _unsupported(connection)


def install_triggers(connection: BaseDatabaseWrapper) -> None:
    """Create the append-only triggers (after removing any earlier version of them)."""
    statements = remove_sql(connection) + install_sql(connection)
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def remove_triggers(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        for statement in remove_sql(connection):
            cursor.execute(statement)


def installed_triggers(connection: BaseDatabaseWrapper) -> frozenset[str]:
    """The append-only triggers present in the database now."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN (%s, %s)",
                [ENTRY_TABLE, HEAD_TABLE],
            )
        elif connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgrelid IN (%s::regclass, %s::regclass)",
                [ENTRY_TABLE, HEAD_TABLE],
            )
        else:
            raise _unsupported(connection)
        return frozenset(row[0] for row in cursor.fetchall()) & expected_triggers(connection)


@contextmanager
def triggers_suspended(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Drop the append-only triggers for the block and re-create them after, even on error.

    For tests and the test database flush only (see `testing.py`). On PostgreSQL a failed
    statement inside a transaction aborts it: run statements that are expected to fail in their
    own `transaction.atomic()` block so the re-creation can still run.
    """
    connection = connections[using]
    remove_triggers(connection)
    try:
        yield
    finally:
        install_triggers(connection)
