"""Data kept per process (common.shared) is dropped as soon as any process changes it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from haidang.access.models import Membership
from haidang.access.scope import scope_for
from haidang.common import shared

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def shared_cache(settings):
    settings.SHARED_DATA_CACHE = True
    shared._store.clear()
    yield
    shared._store.clear()


def _fresh(user):
    return type(user).objects.get(pk=user.pk)


def _membership_reads(captured) -> int:
    return sum(1 for query in captured.captured_queries if 'FROM "access_membership"' in query["sql"])


def test_a_scope_is_read_once_per_process_until_memberships_change(demo_users):
    worker = demo_users["caseworker.hanoi"]
    first = scope_for(_fresh(worker))
    with CaptureQueriesContext(connection) as captured:
        again = scope_for(_fresh(worker))
    assert again == first and _membership_reads(captured) == 0
    # Another process ends a membership: it moves the version on in the database, in its transaction.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE common_shared_version SET version = version + 1 WHERE topic = %s", [shared.ACCESS])
        if cursor.rowcount == 0:
            cursor.execute("INSERT INTO common_shared_version (topic, version) VALUES (%s, 1)", [shared.ACCESS])
    Membership.objects.filter(user=worker).update(is_active=False)
    with CaptureQueriesContext(connection) as captured:
        after = scope_for(_fresh(worker))
    assert _membership_reads(captured) == 1 and after.entries == ()


def test_ending_a_membership_through_the_service_takes_effect_at_once(demo_users):
    from haidang.access.services import end_membership

    worker = demo_users["caseworker.hanoi"]
    assert scope_for(_fresh(worker)).can("view_cases")
    for membership in Membership.objects.filter(user=worker, is_active=True):
        end_membership(actor=demo_users["admin"], membership=membership)
    assert not scope_for(_fresh(worker)).can("view_cases")


def test_within_a_request_the_version_is_read_once(as_user, statements):
    client = as_user("caseworker.hanoi")
    client.get("/cases/")
    with statements() as captured:
        assert client.get("/cases/").status_code == 200
    assert sum(1 for sql in captured if "common_shared_version" in sql) == 1


def _version_reads(captured) -> int:
    return sum(1 for query in captured.captured_queries if "common_shared_version" in query["sql"])


def test_outside_a_request_versions_are_read_once_per_call_or_block():
    with CaptureQueriesContext(connection) as captured:
        shared.cached((shared.ACCESS, shared.MAP), "two topics", lambda: 2)
    assert _version_reads(captured) == 1  # both topics in one read
    with CaptureQueriesContext(connection) as captured, shared.reading():
        shared.cached(shared.MAP, "one", lambda: 1)
        shared.cached((shared.ACCESS, shared.MAP), "two topics", lambda: 2)
    assert _version_reads(captured) == 1
    with CaptureQueriesContext(connection) as captured:
        shared.cached(shared.MAP, "one", lambda: 1)
        shared.cached(shared.MAP, "one", lambda: 1)
    assert _version_reads(captured) == 2  # no block: each call sees changes committed before it


def test_a_change_inside_a_block_is_seen_at_once():
    with shared.reading():
        assert shared.cached(shared.MAP, "value", lambda: "old") == "old"
        shared.bump(shared.MAP)
        assert shared.cached(shared.MAP, "value", lambda: "new") == "new"
