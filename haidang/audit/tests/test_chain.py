"""The hash chain, verify_audit, and the triggers that keep the log append-only."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, models, transaction

from haidang.audit.chain import GENESIS_HASH, HEAD_ID, compute_hash
from haidang.audit.db import expected_triggers, installed_triggers, triggers_suspended
from haidang.audit.models import AuditChainHead, AuditEntry
from haidang.audit.services import record_event
from haidang.audit.tests.conftest import raw_sql

pytestmark = pytest.mark.django_db

postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE is PostgreSQL's")


def verify(*args) -> str:
    out = io.StringIO()
    call_command("verify_audit", *args, stdout=out)
    return out.getvalue()


def failure(*args) -> str:
    with pytest.raises(CommandError) as raised:
        verify(*args)
    return str(raised.value)


@pytest.fixture
def entries(auditor, hanoi, rf):
    request = rf.get("/", REMOTE_ADDR="192.0.2.10")
    return [
        record_event(
            action="cases.case_viewed",
            actor=auditor,
            object_type="cases.case",
            object_id=str(n),
            unit=hanoi,
            changes={"step": n, "phone": "0900000000"},
            identifying={"phone"},
            request=request,
        )
        for n in range(6)
    ]


def test_a_fresh_log_verifies(entries):
    assert verify() == f"Audit log intact: {AuditEntry.objects.count()} entries.\n"
    assert entries[-1].entry_hash in verify("--verbosity", "2", "--batch-size", "2")


def test_an_empty_log_verifies(empty_system):
    assert verify() == "Audit log intact: 0 entries.\n"


def _changes_sql() -> str:
    cast = "::jsonb" if connection.vendor == "postgresql" else ""
    return f"UPDATE audit_entry SET changes = %s{cast} WHERE id = %s"


@pytest.mark.parametrize(
    "edit",
    [
        pytest.param(lambda e: raw_sql(_changes_sql(), ['{"step": 99, "phone": "***"}', e.id]), id="changes"),
        pytest.param(
            lambda e: raw_sql("UPDATE audit_entry SET actor_username = %s WHERE id = %s", ["someone.else", e.id]),
            id="actor",
        ),
        pytest.param(
            lambda e: raw_sql("UPDATE audit_entry SET reason = %s WHERE id = %s", ["made up", e.id]), id="reason"
        ),
        pytest.param(lambda e: raw_sql("UPDATE audit_entry SET ip = NULL WHERE id = %s", [e.id]), id="address"),
    ],
)
def test_verify_names_an_edited_entry(entries, edit):
    edited = entries[2]
    with triggers_suspended():
        edit(edited)
    message = failure()
    assert message.startswith(f"Audit entry {edited.id} (")
    assert "cases.case_viewed" in message and "changed after it was written" in message


def test_verify_names_a_rewritten_entry_whose_hash_was_recomputed(entries):
    edited = entries[2]
    forged = AuditEntry.objects.get(pk=edited.pk)
    forged.actor_username = "someone.else"
    with triggers_suspended():
        raw_sql(
            "UPDATE audit_entry SET actor_username = %s, entry_hash = %s WHERE id = %s",
            [forged.actor_username, compute_hash(forged.prev_hash, forged), edited.id],
        )
    # The forged entry hashes correctly; the next one's link gives it away.
    message = failure()
    assert message.startswith(f"Audit entry {edited.id + 1} (") and "link" in message


def test_verify_names_a_deleted_entry(entries):
    removed = entries[3]
    with triggers_suspended():
        raw_sql("DELETE FROM audit_entry WHERE id = %s", [removed.id])
    message = failure()
    assert message.startswith(f"Audit entry {removed.id}: missing")


def test_verify_notices_the_end_of_the_log_cut_off(entries):
    with triggers_suspended():
        raw_sql("DELETE FROM audit_entry WHERE id >= %s", [entries[4].id])
    assert failure().startswith(f"Audit entry {entries[4].id}: missing")


def test_verify_notices_a_chain_head_that_does_not_match(entries):
    with triggers_suspended():
        raw_sql("UPDATE audit_chain_head SET last_hash = %s WHERE id = %s", ["f" * 64, HEAD_ID])
    assert failure().startswith(f"Audit entry {entries[-1].id}:")


def test_verify_notices_a_chain_head_moved_back(entries):
    with triggers_suspended():
        raw_sql(
            "UPDATE audit_chain_head SET last_id = %s, last_hash = %s WHERE id = %s",
            [entries[1].id, entries[1].entry_hash, HEAD_ID],
        )
    assert failure().startswith(f"Audit entry {entries[2].id} (")


def test_verify_reports_missing_triggers_and_can_restore_them(entries):
    with triggers_suspended():
        assert "append-only triggers are missing" in failure()
        assert "re-created" in verify("--install-triggers")
        assert installed_triggers(connection) == expected_triggers(connection)


def _refused(statement):
    # Own savepoint: on PostgreSQL the refused statement would otherwise abort the test's transaction.
    with pytest.raises(IntegrityError, match="append-only|moves forward"), transaction.atomic():
        statement()


def test_the_database_refuses_to_change_or_delete_entries(entries):
    entry = entries[0]
    queryset = AuditEntry.objects.filter(pk=entry.pk)
    _refused(lambda: raw_sql("UPDATE audit_entry SET reason = 'x' WHERE id = %s", [entry.id]))
    # Clearing the actor link is allowed only on its own, never with another change.
    _refused(lambda: raw_sql("UPDATE audit_entry SET actor_id = NULL, reason = 'x' WHERE id = %s", [entry.id]))
    _refused(lambda: raw_sql("DELETE FROM audit_entry WHERE id = %s", [entry.id]))
    _refused(lambda: raw_sql("DELETE FROM audit_entry"))
    # The ORM with the model's own guard stepped around: the trigger still says no.
    _refused(lambda: models.QuerySet.update(queryset, reason="x"))
    _refused(lambda: models.QuerySet.delete(queryset))
    _refused(lambda: queryset._raw_delete(connection.alias))
    assert AuditEntry.objects.get(pk=entry.pk).reason == ""
    assert verify().startswith("Audit log intact")


def test_the_chain_head_only_moves_forward(entries):
    _refused(lambda: raw_sql("UPDATE audit_chain_head SET last_id = last_id - 1 WHERE id = %s", [HEAD_ID]))
    _refused(lambda: raw_sql("UPDATE audit_chain_head SET last_hash = 'x' WHERE id = %s", [HEAD_ID]))
    _refused(lambda: raw_sql("DELETE FROM audit_chain_head"))
    assert AuditChainHead.objects.get(pk=HEAD_ID).last_id == entries[-1].id


@postgresql_only
def test_postgresql_refuses_truncate(entries):
    # The test's own transaction holds deferred foreign-key checks; TRUNCATE waits for none.
    raw_sql("SET CONSTRAINTS ALL IMMEDIATE")
    _refused(lambda: raw_sql("TRUNCATE audit_entry"))
    _refused(lambda: raw_sql("TRUNCATE audit_chain_head"))


def test_deleting_a_user_keeps_their_entries_and_the_chain(make_user):
    user = make_user("leaver", "auditor")
    entry = record_event(action="cases.case_viewed", actor=user)
    user.delete()  # Only the link is cleared (on_delete=SET_NULL), which the trigger allows.
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert stored.actor is None and stored.actor_username == "leaver" and stored.role == "auditor"
    assert verify().startswith("Audit log intact")


def test_the_triggers_are_installed_by_the_migration(db):
    assert installed_triggers(connection) == expected_triggers(connection)


def test_the_test_database_flush_empties_the_log_and_keeps_the_triggers(entries):
    # What every transactional test does at teardown; here inside this test's transaction.
    if connection.vendor == "postgresql":
        raw_sql("SET CONSTRAINTS ALL IMMEDIATE")
    call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)
    assert not AuditEntry.objects.exists() and not AuditChainHead.objects.exists()
    assert installed_triggers(connection) == expected_triggers(connection)
    # Outside tests a missing head means a wiped log, not a new one.
    assert "chain head is missing" in failure()
    first = record_event(action="test.after_flush")  # A new chain head is made for the empty log.
    assert (first.id, first.prev_hash) == (1, GENESIS_HASH)
    assert verify() == "Audit log intact: 1 entry.\n"
