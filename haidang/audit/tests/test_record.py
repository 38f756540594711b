"""record_event: what an entry holds, masking, the address, and the caller's transaction."""

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from haidang.audit.middleware import current_request
from haidang.audit.models import AppendOnlyError, AuditEntry
from haidang.audit.services import client_ip, record_event
from haidang.audit.verification import verify_log

pytestmark = pytest.mark.django_db


def test_entry_holds_who_what_where_and_masks_identifying_values(auditor, hanoi):
    entry = record_event(
        action="cases.case_updated",
        actor=auditor,
        target=hanoi,
        unit=hanoi,
        reason="correction requested",
        changes={"full_name": "Nguyễn Thị A", "phone": "0912345678", "status": "open", "id_number": ""},
        identifying={"full_name", "phone", "id_number"},
    )
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert stored.actor == auditor and stored.actor_username == "auditor.test"
    assert stored.role == "auditor"
    assert (stored.object_type, stored.object_id) == ("places.administrativeunit", str(hanoi.pk))
    assert stored.unit == hanoi and stored.unit_code == "01"
    assert stored.reason == "correction requested"
    # Identifying values never reach the log; a cleared field stays visibly empty.
    assert stored.changes == {"full_name": "***", "phone": "***", "status": "open", "id_number": ""}
    assert timezone.now() - stored.occurred_at < timedelta(minutes=1)


def test_object_can_be_named_without_an_instance_and_role_given_wins(auditor):
    entry = record_event(
        action="cases.case_viewed", actor=auditor, object_type="cases.case", object_id="0f0e", role="case_worker"
    )
    assert (entry.object_type, entry.object_id, entry.role) == ("cases.case", "0f0e", "case_worker")


def test_a_user_with_several_roles_is_recorded_with_all_of_them(make_user, hanoi):
    from haidang.access.services import add_membership, create_agency

    user = make_user("two.hats", "auditor")
    agency = create_agency(actor=None, name="Sở Y tế thử", agency_type="health_department", unit=hanoi)
    add_membership(actor=None, user=user, agency=agency, unit=hanoi, role="case_worker")
    user = type(user).objects.get(pk=user.pk)  # The scope is cached per user object.
    assert record_event(action="test.roles", actor=user).role == "auditor,case_worker"


def test_system_events_have_no_actor(client):
    entry = record_event(action="places.map_loaded")
    assert entry.actor is None and entry.actor_username == "" and entry.role == "" and entry.ip is None


def test_changes_become_plain_json(auditor, hanoi):
    ref = uuid.uuid4()
    entry = record_event(
        action="test.values",
        changes={
            "born": date(2001, 2, 3),
            "at": datetime(2025, 7, 1, 8, 30, tzinfo=UTC),
            "ref": ref,
            "unit": hanoi,
            "amount": Decimal("1500000.50"),
            "ratio": 1e16,
            "tags": {"b", "a"},
            "label": gettext_lazy("Auditor"),
            "nested": {"k": [1, True, None]},
            "nul": "a\x00b",
        },
    )
    stored = AuditEntry.objects.get(pk=entry.pk).changes
    assert stored == {
        "born": "2001-02-03",
        "at": "2025-07-01T08:30:00+00:00",
        "ref": str(ref),
        "unit": str(hanoi.pk),
        "amount": "1500000.50",
        "ratio": "1e+16",
        "tags": ["a", "b"],
        "label": "Auditor",
        "nested": {"k": [1, True, None]},
        "nul": "ab",
    }
    assert verify_log().intact


def test_address_comes_from_remote_addr(rf):
    request = rf.get("/", REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="198.51.100.1")
    # Without trusted proxies a forwarded-for header is the client's own claim: ignored.
    assert record_event(action="test.ip", request=request).ip == "203.0.113.7"


def test_address_is_taken_from_the_request_being_served(rf):
    token = current_request.set(rf.get("/", REMOTE_ADDR="2001:db8::1"))
    try:
        entry = record_event(action="test.ip")
    finally:
        current_request.reset(token)
    assert AuditEntry.objects.get(pk=entry.pk).ip == "2001:db8::1"


def test_forwarded_for_is_honoured_only_behind_a_trusted_proxy(rf, settings):
    settings.AUDIT_TRUSTED_PROXIES = ["10.0.0.0/8"]
    behind = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.9, 10.1.1.1")
    # Read from the right: our proxy 10.1.1.1 is skipped, 198.51.100.9 is the client; 6.6.6.6 was
    # written by the client and proves nothing.
    assert client_ip(behind) == "198.51.100.9"
    direct = rf.get("/", REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR="198.51.100.9")
    assert client_ip(direct) == "203.0.113.5"
    garbage = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="not-an-address")
    assert client_ip(garbage) == "10.0.0.2"


def test_a_rolled_back_write_leaves_no_entry_and_no_gap():
    first = record_event(action="test.before")
    with pytest.raises(RuntimeError), transaction.atomic():
        record_event(action="test.rolled_back")
        raise RuntimeError("the write failed after its audit entry")
    assert not AuditEntry.objects.filter(action="test.rolled_back").exists()
    after = record_event(action="test.after")
    assert after.id > first.id
    assert verify_log().intact


def test_a_rolled_back_service_call_leaves_no_entry(nation):
    from haidang.access.services import create_user

    with pytest.raises(RuntimeError), transaction.atomic():
        create_user(actor=None, username="ghost", password="a-Long-pass-phrase-42")
        raise RuntimeError
    assert not AuditEntry.objects.filter(action="access.user_created", changes__username="ghost").exists()


def test_entries_are_numbered_in_order_and_hashed_on_their_own():
    a = record_event(action="test.a")
    b = record_event(action="test.b")
    assert b.id > a.id and a.prev_hash == b.prev_hash == ""
    assert AuditEntry.objects.get(pk=b.pk).entry_hash == b.entry_hash


def test_the_model_refuses_changes_and_removal():
    entry = record_event(action="test.immutable")
    entry.reason = "rewritten"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(reason="rewritten")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.create(action="test.forged")
    assert AuditEntry.objects.get(pk=entry.pk).reason == ""


def test_the_prepared_insert_takes_only_a_new_numbered_hashed_entry():
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.append(AuditEntry(action="test.forged"))  # no id, no hash
    entry = record_event(action="test.once", changes={"n": 1})
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.append(entry)  # already written
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert (stored.action, stored.changes, stored.entry_hash, stored.occurred_at) == (
        "test.once",
        {"n": 1},
        entry.entry_hash,
        entry.occurred_at,
    )
    assert verify_log().intact
