"""The indexes on an assignee hold assigned cases only (an intake or an import writes nothing there), and
the reads by assignee still use them on both databases; new records get ids in the order they were made,
so their keys land at the end of each index."""

import uuid

import pytest
from django.db import connection

from haidang.cases import selectors
from haidang.cases.models import Case, CaseEvent
from haidang.cases.selectors.work import WAITING_STATUSES
from haidang.cases.tests.steps import open_case
from haidang.cases.views.worklist import _incoming_transfers
from haidang.places.models import AdministrativeUnit

pytestmark = [pytest.mark.django_db]

HANOI_HEALTH = "Sở Y tế Thành phố Hà Nội"


def plan(queryset) -> str:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # A few test rows make any table scan cheap: ask whether the index can serve the read at all.
            cursor.execute("SET LOCAL enable_seqscan = off")
    return queryset.explain()


@pytest.fixture
def assigned(demo_users):
    worker = demo_users["caseworker.hanoi"]
    unit = AdministrativeUnit.objects.get(parent__code="01", valid_to__isnull=True, name="Xã Thạch Thất")
    case = open_case(worker, unit, HANOI_HEALTH)
    Case.objects.filter(pk=case.pk).update(assigned_to=worker)
    return worker


def test_the_assigned_list_reads_its_index(assigned):
    ordered = Case.objects.filter(assigned_to=assigned).order_by("-reception_date", "-created_at", "-id")
    assert "case_assigned_in_order" in plan(ordered.values("pk")[:50])


def test_the_assigned_waiting_cases_read_their_index(assigned):
    waiting = Case.objects.filter(assigned_to=assigned, status__in=WAITING_STATUSES)
    read = plan(waiting.order_by("reception_date").values("pk"))
    if connection.vendor == "postgresql":
        assert "case_waiting_assigned" in read
    else:
        # SQLite cannot match a partial index's status list against bound parameters: the other one.
        assert "case_assigned_in_order" in read


def test_a_case_workers_visible_cases_still_widen_through_the_assignee_index(assigned):
    visible = selectors.cases_visible_to(assigned).select_related(None).values("pk")
    assert "case_assigned_in_order" in plan(visible) or "case_waiting_assigned" in plan(visible)


def test_new_records_get_ids_in_the_order_they_were_made(demo_users):
    worker = demo_users["caseworker.hanoi"]
    unit = AdministrativeUnit.objects.get(parent__code="01", valid_to__isnull=True, name="Xã Thạch Thất")
    first, second = open_case(worker, unit, HANOI_HEALTH), open_case(worker, unit, HANOI_HEALTH)
    for case in (first, second):
        assert case.pk.version == 7 and case.person_id.version == 7
    assert first.pk < second.pk and first.person_id < second.person_id
    # As read back from the database, where SQLite keeps them as text: the order holds there too.
    ordered = list(Case.objects.filter(pk__in=[first.pk, second.pk]).order_by("pk").values_list("pk", flat=True))
    assert ordered == [first.pk, second.pk] and all(type(pk) is uuid.UUID for pk in ordered)
    assert CaseEvent.objects.filter(case=first).exists()


def test_the_waiting_statuses_are_written_as_literals_so_the_partial_indexes_serve_the_worklist(demo_users):
    """Bound as parameters, the statuses match no partial index's condition on SQLite (nor in a prepared
    PostgreSQL statement's generic plan): the worklist would read every case of the scope."""
    worker = demo_users["caseworker.hanoi"]
    waiting = selectors.worklist(worker)._queryset  # the statement the worklist counts and pages
    sql, params = waiting.query.sql_with_params()
    assert "IN ('reported', 'received', 'initial_verification')" in sql
    read = plan(waiting.values("pk"))
    assert "case_waiting_province" in read or "case_waiting_scope" in read


def test_the_pending_status_of_incoming_transfers_is_a_literal(demo_users):
    """Bound, `status = ?` matches the partial index `one_pending_transfer` (status = 'pending'), and SQLite
    then prepares the worklist's whole counts statement again at every run (it re-prepares a statement
    whose plan depends on a bound value whenever the value is bound again)."""
    sql, params = _incoming_transfers(demo_users["caseworker.hanoi"]).query.sql_with_params()
    assert "IN ('pending')" in sql and "pending" not in [str(value) for value in params]


def test_only_codes_are_written_as_literals():
    with pytest.raises(ValueError):
        list(Case.objects.filter(status__in_codes=["received' OR '1'='1"]))
    with pytest.raises(ValueError):
        list(Case.objects.filter(status__in_codes=[]))
