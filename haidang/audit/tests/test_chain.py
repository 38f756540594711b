"""The sealed log, verify_audit, the checkpoints outside the database, and the append-only triggers."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, models, transaction
from django.test import TestCase

from haidang.audit.chain import GENESIS_HASH, compute_hash, compute_seal_hash
from haidang.audit.checkpoints import read_checkpoints, sign
from haidang.audit.db import disabled_triggers, expected_triggers, installed_triggers, triggers_suspended
from haidang.audit.models import AppendOnlyError, AuditEntry, AuditSeal
from haidang.audit.sealing import seal_pending
from haidang.audit.services import record_event
from haidang.audit.tests.conftest import raw_sql

pytestmark = pytest.mark.django_db

postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")


def verify(*args) -> str:
    """verify_audit as run from the shell. The command seals first; the test's transaction never
    commits, so here the sealing (and what follows its commit: the checkpoint file) is done first."""
    out = io.StringIO()
    if "--no-seal" not in args:
        with TestCase.captureOnCommitCallbacks(execute=True):
            seal_pending()
    call_command("verify_audit", *args, *(() if "--no-seal" in args else ("--no-seal",)), stdout=out)
    return out.getvalue()


def failure(*args) -> str:
    with pytest.raises(CommandError) as raised:
        verify(*args)
    return str(raised.value)


@pytest.fixture
def checkpoints(settings, tmp_path, django_capture_on_commit_callbacks):
    """A checkpoint file of the test's own; seals made in the test are written to it as if committed."""
    path = tmp_path / "audit-checkpoints.jsonl"
    settings.AUDIT_CHECKPOINT_FILE = str(path)

    def seal():
        with django_capture_on_commit_callbacks(execute=True):
            return seal_pending()

    seal.path = path
    return seal


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


@pytest.fixture
def sealed(entries, checkpoints):
    checkpoints()
    return entries


def test_a_fresh_log_verifies_and_is_sealed_in_id_order(entries, checkpoints):
    out = verify("--verbosity", "2")  # seals first, then checks
    count = AuditEntry.objects.count()
    assert out.startswith(f"Audit log intact: {count} entries.\n")
    assert f"Sealed: {count} entries" in out and "0 not yet" in out
    last = AuditSeal.objects.order_by("-seq").first()
    assert last.last_id == entries[-1].id and last.seal_hash in out
    # The checkpoint file holds every seal, one JSON line each, signed.
    kept = read_checkpoints(checkpoints.path).checkpoints
    assert [c["seq"] for c in kept] == list(AuditSeal.objects.values_list("seq", flat=True))
    assert kept[-1]["seal_hash"] == last.seal_hash and kept[-1]["last_id"] == entries[-1].id


def test_an_empty_log_verifies(empty_system):
    assert verify().startswith("Audit log intact: 0 entries.\n")


def test_entries_are_not_linked_when_written_and_are_sealed_in_batches(entries, checkpoints, settings):
    assert all(entry.prev_hash == "" for entry in entries)
    assert [entry.id for entry in entries] == list(range(entries[0].id, entries[0].id + 6))
    settings.AUDIT_SEAL_BATCH = 4
    run = checkpoints()
    assert all(seal.entry_count <= 4 for seal in run.seals)
    assert [s.prev_hash for s in run.seals[1:]] == [s.seal_hash for s in run.seals[:-1]]
    assert checkpoints().seals == []  # nothing new: nothing sealed twice
    assert verify().startswith("Audit log intact")


def _changes_sql() -> str:
    cast = "::jsonb" if connection.vendor == "postgresql" else ""
    return f"UPDATE audit_entry SET changes = %s{cast} WHERE id = %s"


EDITS = [
    pytest.param(lambda e: raw_sql(_changes_sql(), ['{"step": 99, "phone": "***"}', e.id]), id="changes"),
    pytest.param(
        lambda e: raw_sql("UPDATE audit_entry SET actor_username = %s WHERE id = %s", ["someone.else", e.id]),
        id="actor",
    ),
    pytest.param(lambda e: raw_sql("UPDATE audit_entry SET reason = %s WHERE id = %s", ["made up", e.id]), id="reason"),
    pytest.param(lambda e: raw_sql("UPDATE audit_entry SET ip = NULL WHERE id = %s", [e.id]), id="address"),
]


@pytest.mark.parametrize("edit", EDITS)
@pytest.mark.parametrize("when", ["sealed", "not yet sealed"])
def test_verify_names_an_edited_entry(entries, checkpoints, edit, when):
    if when == "sealed":
        checkpoints()
    edited = entries[2]
    with triggers_suspended():
        edit(edited)
    message = failure("--no-seal")
    assert message.startswith(f"Audit entry {edited.id} (")
    assert "cases.case_viewed" in message and "changed after it was written" in message


def test_verify_names_a_sealed_entry_rewritten_with_a_new_hash(sealed):
    edited = sealed[2]
    forged = AuditEntry.objects.get(pk=edited.pk)
    forged.actor_username = "someone.else"
    with triggers_suspended():
        raw_sql(
            "UPDATE audit_entry SET actor_username = %s, entry_hash = %s WHERE id = %s",
            [forged.actor_username, compute_hash(forged.prev_hash, forged), edited.id],
        )
    # The forged entry matches its own hash; the hash its seal recorded gives it away.
    message = failure()
    assert message.startswith(f"Audit entry {edited.id} (") and "rewritten with a new hash" in message


def test_verify_names_a_deleted_entry(sealed):
    removed = sealed[3]
    with triggers_suspended():
        raw_sql("DELETE FROM audit_entry WHERE id = %s", [removed.id])
    message = failure()
    assert message.startswith(f"Audit entry {removed.id}: missing")


def test_verify_names_an_entry_inserted_into_a_sealed_range(entries, checkpoints):
    # A rolled-back write leaves a gap; the seal records it as absent.
    gap = record_event(action="test.rolled_back_later")
    with triggers_suspended():
        raw_sql("DELETE FROM audit_entry WHERE id = %s", [gap.id])
    after = record_event(action="test.after_the_gap")
    checkpoints()
    assert [gap.id, gap.id] in AuditSeal.objects.get(first_id__lte=gap.id, last_id__gte=gap.id).absent
    assert verify("--no-seal").startswith("Audit log intact")
    # Someone with database access slips an entry into the gap, with a hash that matches its content.
    forged = AuditEntry(
        id=gap.id, occurred_at=after.occurred_at, actor_username="auditor.test", action="cases.case_viewed"
    )
    forged.prev_hash = ""
    forged.entry_hash = compute_hash("", forged)
    forged.save()
    message = failure()
    assert message.startswith(f"Audit entry {gap.id} (") and "inserted afterwards" in message


def test_verify_notices_the_end_of_the_log_cut_off_against_the_checkpoint_file(sealed, checkpoints):
    more = [record_event(action="test.later", object_id=str(n)) for n in range(3)]
    checkpoints()
    last_seal = AuditSeal.objects.order_by("-seq").first()
    assert last_seal.first_id == more[0].id
    # A superuser removes the newest entries and the seal that covers them: the database alone is
    # consistent again, ...
    with triggers_suspended():
        raw_sql("DELETE FROM audit_entry WHERE id >= %s", [more[0].id])
        raw_sql("DELETE FROM audit_seal WHERE seq = %s", [last_seal.seq])
    assert verify("--no-seal", "--without-checkpoints").startswith("Audit log intact")
    # ... but not with the copy outside it.
    message = failure("--no-seal")
    assert message.startswith(f"The end of the log was cut off: checkpoint {last_seal.seq} (entries {more[0].id}–")
    # Sealing again does not paper over it: the new seal does not match the checkpoint of that number.
    record_event(action="test.after_the_cut")
    assert "does not match its checkpoint" in failure()


def test_verify_notices_entries_cut_off_under_their_seal(sealed):
    with triggers_suspended():
        raw_sql("DELETE FROM audit_entry WHERE id >= %s", [sealed[4].id])
    assert failure().startswith(f"Audit entry {sealed[4].id}: missing")


def test_verify_names_a_seal_changed_or_removed(sealed, checkpoints):
    record_event(action="test.second_batch")
    checkpoints()
    first, second = AuditSeal.objects.order_by("-seq")[1], AuditSeal.objects.order_by("-seq")[0]
    with triggers_suspended():
        raw_sql("UPDATE audit_seal SET entry_count = entry_count + 1 WHERE seq = %s", [first.seq])
    assert failure("--no-seal").startswith(f"Audit seal {first.seq} (entries {first.first_id}–{first.last_id}")
    with triggers_suspended():
        raw_sql("UPDATE audit_seal SET entry_count = entry_count - 1 WHERE seq = %s", [first.seq])
        raw_sql("DELETE FROM audit_seal WHERE seq = %s", [first.seq])
    assert f"Audit seal {first.seq} is missing" in failure("--no-seal")
    assert second.seq == first.seq + 1


def test_seals_rewritten_consistently_disagree_with_the_checkpoints(sealed, checkpoints):
    # Even with the signing key, a rewritten seal chain differs from the copy kept outside the database.
    seal = AuditSeal.objects.order_by("-seq").first()
    seal.sealed_at = seal.sealed_at.replace(year=seal.sealed_at.year - 1)
    forged_hash = compute_seal_hash(seal)
    signature, _key = sign(forged_hash)
    with triggers_suspended():
        raw_sql(
            "UPDATE audit_seal SET sealed_at = %s, seal_hash = %s, signature = %s WHERE seq = %s",
            [seal.sealed_at, forged_hash, signature, seal.seq],
        )
    assert verify("--no-seal", "--without-checkpoints").startswith("Audit log intact")
    assert f"Audit seal {seal.seq} does not match its checkpoint" in failure("--no-seal")


def test_a_seal_signed_by_another_key_is_refused(sealed, settings):
    settings.AUDIT_SIGNING_KEY = "QW5vdGhlci1rZXktLS0tLS0tLS0tLS0tLS0tLS0tLS0="
    assert "its signature is not valid for a trusted key" in failure("--no-seal", "--without-checkpoints")


def test_a_damaged_checkpoint_file_is_reported_and_a_cut_last_line_is_not(sealed, checkpoints):
    lines = checkpoints.path.read_text().splitlines(keepends=True)
    checkpoints.path.write_text("".join(lines) + '{"seq": 99, "seal_h')  # a writer died half-way
    assert verify("--no-seal").startswith("Audit log intact")
    record_event(action="test.next")
    checkpoints()  # the next writer removes the cut line and goes on
    assert verify("--no-seal").startswith("Audit log intact")
    text = checkpoints.path.read_text()
    checkpoints.path.write_text(text.replace(text.splitlines()[0], "not a checkpoint", 1))
    assert "Line 1 of the checkpoint file" in failure("--no-seal")


def test_a_missing_checkpoint_file_is_reported(sealed, checkpoints):
    checkpoints.path.unlink()
    assert "holds no checkpoint" in failure("--no-seal")


def test_checkpoints_are_e_mailed_to_the_auditors_at_most_every_interval(entries, checkpoints, settings, mailoutbox):
    settings.AUDIT_CHECKPOINT_EMAILS = ["kiem.toan@example.invalid"]
    checkpoints()
    record_event(action="test.next")
    checkpoints()
    assert len(mailoutbox) == 1
    body = json.loads(mailoutbox[0].body)
    assert body["seal_hash"] == AuditSeal.objects.order_by("seq").first().seal_hash or body["seq"] >= 1
    assert mailoutbox[0].to == ["kiem.toan@example.invalid"]


def test_verify_reports_missing_triggers_and_can_restore_them(entries):
    with triggers_suspended():
        assert "append-only triggers are missing" in failure()
        assert "re-created" in verify("--install-triggers")
        assert installed_triggers(connection) == expected_triggers(connection)


@postgresql_only
def test_verify_refuses_disabled_triggers(entries):
    raw_sql("SET CONSTRAINTS ALL IMMEDIATE")
    raw_sql("ALTER TABLE audit_entry DISABLE TRIGGER audit_entry_no_change")
    try:
        assert disabled_triggers(connection) == {"audit_entry_no_change"}
        message = failure()
        assert "triggers are disabled: audit_entry_no_change" in message
    finally:
        raw_sql("ALTER TABLE audit_entry ENABLE ALWAYS TRIGGER audit_entry_no_change")
    assert verify().startswith("Audit log intact")


@postgresql_only
def test_the_triggers_fire_in_replica_mode_too(entries):
    raw_sql("SET LOCAL session_replication_role = replica")
    try:
        _refused(lambda: raw_sql("DELETE FROM audit_entry WHERE id = %s", [entries[0].id]))
    finally:
        raw_sql("SET LOCAL session_replication_role = origin")


def _refused(statement):
    # Own savepoint: on PostgreSQL the refused statement would otherwise abort the test's transaction.
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
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


def test_the_database_refuses_to_change_or_delete_seals(sealed):
    _refused(lambda: raw_sql("UPDATE audit_seal SET merkle_root = 'x'"))
    _refused(lambda: raw_sql("DELETE FROM audit_seal"))
    _refused(lambda: models.QuerySet.delete(AuditSeal.objects.all()))


@postgresql_only
def test_postgresql_refuses_truncate(sealed):
    # The test's own transaction holds deferred foreign-key checks; TRUNCATE waits for none.
    raw_sql("SET CONSTRAINTS ALL IMMEDIATE")
    _refused(lambda: raw_sql("TRUNCATE audit_entry"))
    _refused(lambda: raw_sql("TRUNCATE audit_seal"))


def test_deleting_a_user_keeps_their_entries_and_the_seals(make_user, checkpoints):
    user = make_user("leaver", "auditor")
    entry = record_event(action="cases.case_viewed", actor=user)
    checkpoints()
    user.delete()  # Only the link is cleared (on_delete=SET_NULL), which the trigger allows.
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert stored.actor is None and stored.actor_username == "leaver" and stored.role == "auditor"
    assert verify().startswith("Audit log intact")


def test_the_triggers_are_installed_by_the_migrations(db):
    assert installed_triggers(connection) == expected_triggers(connection)
    assert {"audit_entry", "audit_seal"} <= {table for _name, table in _trigger_tables()}
    assert not disabled_triggers(connection)


def _trigger_tables():
    from haidang.audit.db import POSTGRESQL_TRIGGERS, SQLITE_TRIGGERS

    return POSTGRESQL_TRIGGERS if connection.vendor == "postgresql" else SQLITE_TRIGGERS


def test_the_test_database_flush_empties_the_log_and_keeps_the_triggers(entries, checkpoints):
    checkpoints()
    # What every transactional test does at teardown; here inside this test's transaction.
    if connection.vendor == "postgresql":
        raw_sql("SET CONSTRAINTS ALL IMMEDIATE")
    call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)
    assert not AuditEntry.objects.exists() and not AuditSeal.objects.exists()
    assert installed_triggers(connection) == expected_triggers(connection)
    # The database alone starts a new chain; the checkpoint file still remembers the old one.
    first = record_event(action="test.after_flush")
    assert first.prev_hash == ""
    assert verify("--without-checkpoints").startswith("Audit log intact: 1 entry.\nSealed: 1 entries in 1 batch")
    assert AuditSeal.objects.get().prev_hash == GENESIS_HASH
    assert "does not match its checkpoint" in failure()


def test_entries_written_in_bulk_are_hashed_as_one_by_one_sealed_and_verified(auditor, hanoi, entries, checkpoints):
    from haidang.audit.services import record_events

    bulk = record_events(
        {
            "action": "cases.case_created",
            "actor": auditor,
            "object_type": "cases.case",
            "object_id": str(n),
            "unit": hanoi,
            "changes": {"step": n, "full_name": "Người Minh Họa"},
            "identifying": {"full_name"},
        }
        for n in range(5)
    )
    stored = list(AuditEntry.objects.filter(pk__in=[e["id"] for e in bulk]).order_by("id"))
    assert [e.id for e in stored] == [e["id"] for e in bulk] and stored[0].id > entries[-1].id
    assert all(e.changes["full_name"] == "***" and e.prev_hash == "" for e in stored)
    assert [compute_hash("", e) for e in stored] == [e["entry_hash"] for e in bulk]
    assert record_event(action="test.after").id > bulk[-1]["id"]  # the sequence moved past the block
    assert verify().startswith("Audit log intact")
    with triggers_suspended():
        raw_sql(_changes_sql(), ['{"step": 99, "full_name": "***"}', bulk[3]["id"]])
    assert failure("--no-seal").startswith(f"Audit entry {bulk[3]['id']} (")


def test_entries_in_bulk_go_through_record_events_only(entries):
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.bulk_create([AuditEntry(action="test.forged")])
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.append_many([AuditEntry(action="test.forged")], batch_size=10)
    with pytest.raises(AppendOnlyError):  # a row neither numbered by the sequence nor hashed
        AuditEntry.objects.append_many([{"id": None, "action": "test.forged"}], batch_size=10)


def _standard(values) -> str:
    return json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@pytest.mark.parametrize(
    "changes",
    [
        {"text": "".join(chr(code) for code in range(0x250))},  # every control character, quotes, Latin, Vietnamese
        {"line": "a\u2028b\u2029c\x7f", "astral": "😀𝔸", "nfd": "Hòa", "slash": "a/b\\c"},
        {"Z": 1, "a": [True, False, None, -7, 2**63 - 1], "é": {"ả": "", "b": [{}]}, "😀": "", "": 0},
        {"big": 2**64, "kept": "orjson refuses it: the standard library writes it"},
        {"float": 1e16, "small": 1e-7, "half": 0.5},  # never written by `jsonable`, but read back the same way
    ],
)
def test_the_canonical_json_is_the_standard_librarys_text(changes):
    from haidang.audit.chain import canonical_json

    values = {"id": 7, "reason": "Lý do\n\t", "changes": changes}
    assert canonical_json(values) == _standard(values)
    if "float" not in changes:  # an entry being written (by `jsonable`: no floats) is not looked through
        assert canonical_json(values, floats=False) == _standard(values)
