"""The database triggers that make the audit log append-only, for SQLite and PostgreSQL.

One source of truth: migration 0003 installs them with `install_triggers`, the test helpers in
`testing.py` remove and re-install them with the same functions.

- Entries (`audit_entry`): UPDATE, DELETE and (PostgreSQL) TRUNCATE are refused, except the one
  update Django itself makes when a user or unit is deleted: setting `actor_id` / `unit_id` to
  NULL (on_delete=SET_NULL). Those links are not part of the hash; everything else is compared.
- Seals (`audit_seal`, the sealed batches that chain the entries): UPDATE, DELETE and
  (PostgreSQL) TRUNCATE are refused.

On PostgreSQL the triggers are `ENABLE ALWAYS`, so `session_replication_role = replica` does not
switch them off; `ALTER TABLE … DISABLE TRIGGER` does, and `trigger_problems` names any trigger
missing or disabled (pg_trigger.tgenabled), which `verify_audit` refuses to call intact.

Each function acts on the tables that exist, so migration 0003 (before the seal table existed)
and 0004 (which adds it and drops the old chain head) use the same code.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper

ENTRY_TABLE = "audit_entry"
SEAL_TABLE = "audit_seal"
# The single-row chain head of the first version (every appender locked it); migration 0004 drops it.
LEGACY_HEAD_TABLE = "audit_chain_head"
NULLABLE_LINK_COLUMNS = ("actor_id", "unit_id")
ENTRY_MESSAGE = "audit log is append-only"
SEAL_MESSAGE = "audit seals are append-only"

SQLITE_TRIGGERS = (
    ("audit_entry_no_update", ENTRY_TABLE),
    ("audit_entry_no_delete", ENTRY_TABLE),
    ("audit_seal_no_update", SEAL_TABLE),
    ("audit_seal_no_delete", SEAL_TABLE),
)
POSTGRESQL_TRIGGERS = (
    ("audit_entry_no_change", ENTRY_TABLE),
    ("audit_entry_no_truncate", ENTRY_TABLE),
    ("audit_seal_no_change", SEAL_TABLE),
    ("audit_seal_no_truncate", SEAL_TABLE),
)
POSTGRESQL_FUNCTIONS = ("audit_entry_append_only", "audit_seal_append_only")
LEGACY_SQLITE_TRIGGERS = (
    ("audit_chain_head_no_update", LEGACY_HEAD_TABLE),
    ("audit_chain_head_no_delete", LEGACY_HEAD_TABLE),
)
LEGACY_POSTGRESQL_TRIGGERS = (
    ("audit_chain_head_forward_only", LEGACY_HEAD_TABLE),
    ("audit_chain_head_no_truncate", LEGACY_HEAD_TABLE),
)
LEGACY_POSTGRESQL_FUNCTIONS = ("audit_chain_head_guard",)


def _unsupported(connection: BaseDatabaseWrapper) -> NotImplementedError:
    return NotImplementedError(
        f"The audit log's append-only triggers exist for SQLite and PostgreSQL, not {connection.vendor}."
    )


def _tables(connection: BaseDatabaseWrapper) -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.table_names(cursor))


def _triggers(connection: BaseDatabaseWrapper) -> tuple[tuple[str, str], ...]:
    if connection.vendor == "sqlite":
        return SQLITE_TRIGGERS
    if connection.vendor == "postgresql":
        return POSTGRESQL_TRIGGERS
    raise _unsupported(connection)


def expected_triggers(connection: BaseDatabaseWrapper) -> frozenset[str]:
    """The triggers the tables present need (all of them once migration 0004 has run)."""
    present = _tables(connection)
    return frozenset(name for name, table in _triggers(connection) if table in present)


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
    entry, seal = connection.ops.quote_name(ENTRY_TABLE), connection.ops.quote_name(SEAL_TABLE)
    statements = [
        f"CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON {entry} FOR EACH ROW "
        f"WHEN NOT ({_sqlite_entry_unchanged(connection)}) "
        f"BEGIN SELECT RAISE(ABORT, '{ENTRY_MESSAGE}'); END",
        f"CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON {entry} FOR EACH ROW "
        f"BEGIN SELECT RAISE(ABORT, '{ENTRY_MESSAGE}'); END",
    ]
    if SEAL_TABLE in _tables(connection):
        statements += [
            f"CREATE TRIGGER audit_seal_no_update BEFORE UPDATE ON {seal} FOR EACH ROW "
            f"BEGIN SELECT RAISE(ABORT, '{SEAL_MESSAGE}'); END",
            f"CREATE TRIGGER audit_seal_no_delete BEFORE DELETE ON {seal} FOR EACH ROW "
            f"BEGIN SELECT RAISE(ABORT, '{SEAL_MESSAGE}'); END",
        ]
    return statements


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

_POSTGRESQL_SEAL_FUNCTION = f"""
CREATE OR REPLACE FUNCTION audit_seal_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{SEAL_MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
END;
$$
"""


def _postgresql_install(connection: BaseDatabaseWrapper) -> list[str]:
    entry, seal = connection.ops.quote_name(ENTRY_TABLE), connection.ops.quote_name(SEAL_TABLE)
    statements = [
        _POSTGRESQL_ENTRY_FUNCTION,
        f"CREATE TRIGGER audit_entry_no_change BEFORE UPDATE OR DELETE ON {entry} "
        "FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()",
        f"CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON {entry} "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_append_only()",
    ]
    if SEAL_TABLE in _tables(connection):
        statements += [
            _POSTGRESQL_SEAL_FUNCTION,
            f"CREATE TRIGGER audit_seal_no_change BEFORE UPDATE OR DELETE ON {seal} "
            "FOR EACH ROW EXECUTE FUNCTION audit_seal_append_only()",
            f"CREATE TRIGGER audit_seal_no_truncate BEFORE TRUNCATE ON {seal} "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_seal_append_only()",
        ]
    # ALWAYS: they fire in replica mode too (session_replication_role), not only in "origin" mode.
    # ALTER TABLE refuses to run while deferred foreign-key checks are pending in the transaction
    # (a test's, a migration's): they are run first, and deferred again after (Django's default).
    statements += ["SET CONSTRAINTS ALL IMMEDIATE"]
    statements += [
        f"ALTER TABLE {connection.ops.quote_name(table)} ENABLE ALWAYS TRIGGER {name}"
        for name, table in POSTGRESQL_TRIGGERS
        if table == ENTRY_TABLE or SEAL_TABLE in _tables(connection)
    ]
    return [*statements, "SET CONSTRAINTS ALL DEFERRED"]


# --- Public ------------------------------------------------------------------------------------


def install_sql(connection: BaseDatabaseWrapper) -> list[str]:
    if connection.vendor == "sqlite":
        return _sqlite_install(connection)
    if connection.vendor == "postgresql":
        return _postgresql_install(connection)
    raise _unsupported(connection)


def remove_sql(connection: BaseDatabaseWrapper) -> list[str]:
    """Drop the triggers (today's and the first version's) of the tables present, and their functions."""
    q = connection.ops.quote_name
    present = _tables(connection)
    if connection.vendor == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {name}" for name, _table in SQLITE_TRIGGERS + LEGACY_SQLITE_TRIGGERS]
    if connection.vendor == "postgresql":
        triggers = POSTGRESQL_TRIGGERS + LEGACY_POSTGRESQL_TRIGGERS
        return [f"DROP TRIGGER IF EXISTS {name} ON {q(table)}" for name, table in triggers if table in present] + [
            f"DROP FUNCTION IF EXISTS {name}()" for name in POSTGRESQL_FUNCTIONS + LEGACY_POSTGRESQL_FUNCTIONS
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


def _trigger_states(connection: BaseDatabaseWrapper) -> dict[str, str]:
    """{trigger name: state} of the audit tables' triggers; the state is pg_trigger.tgenabled
    on PostgreSQL ('O' origin, 'A' always: enabled; 'D' disabled; 'R' replica only), 'O' on SQLite."""
    tables = [table for table in (ENTRY_TABLE, SEAL_TABLE) if table in _tables(connection)]
    if not tables:
        return {}
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name, 'O' FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN (%s, %s)",
                [ENTRY_TABLE, SEAL_TABLE],
            )
        elif connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname, tgenabled FROM pg_trigger WHERE NOT tgisinternal AND tgrelid::regclass::text = ANY(%s)",
                [tables],
            )
        else:
            raise _unsupported(connection)
        states = {name: str(state) for name, state in cursor.fetchall()}
    return {name: state for name, state in states.items() if name in expected_triggers(connection)}


def installed_triggers(connection: BaseDatabaseWrapper) -> frozenset[str]:
    """The append-only triggers present in the database now (enabled or not)."""
    return frozenset(_trigger_states(connection))


def disabled_triggers(connection: BaseDatabaseWrapper) -> frozenset[str]:
    """Present but switched off (`ALTER TABLE … DISABLE TRIGGER`, or enabled for replicas only)."""
    return frozenset(name for name, state in _trigger_states(connection).items() if state not in ("O", "A"))


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
