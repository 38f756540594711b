"""Scoped reads that stay cheap at national scale: no capped widening list, no person decrypted on a
list that shows no identity, person search and the worklist in a number of queries that does not grow
with the rows, and a worklist sorted and paged in the database with a true count."""

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from haidang.access.models import Agency
from haidang.cases import selectors, services, timelimits
from haidang.cases.models import Case, CaseAccessGrant, CaseStatus
from haidang.common import crypto
from haidang.places.models import AdministrativeUnit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

S = CaseStatus
NAME = "Lò Thị Mai (minh họa)"


@pytest.fixture
def worker(demo_users):
    return demo_users["caseworker.hanoi"]


@pytest.fixture
def open_case(demo_users):
    """open_case(username="caseworker.hanoi", province="01", **person) -> a new case at the province."""

    agencies = {"01": "Sở Y tế Thành phố Hà Nội", "31": "Sở Y tế Thành phố Hải Phòng"}

    def _open(username="caseworker.hanoi", province="01", *, received=date(2026, 3, 1), **person):
        return services.create_case(
            actor=demo_users[username],
            person_data={"full_name": NAME, "birth_year": 2000, **person},
            case_data={
                "intake_channel": "rescue",
                "reception_date": received,
                "unit": AdministrativeUnit.objects.get(code=province, valid_to__isnull=True),
                "agency": Agency.objects.get(name=agencies[province]),
            },
        )

    return _open


@pytest.fixture
def decrypts(monkeypatch):
    """A counter of sealed values opened, by context prefix: decrypts("cases.person") -> int."""
    opened: list[str] = []
    original = crypto.open_sealed

    def counting(stored, *, context):
        opened.append(context)
        return original(stored, context=context)

    monkeypatch.setattr(crypto, "open_sealed", counting)

    def _count(prefix: str = "") -> int:
        return sum(1 for context in opened if context.startswith(prefix))

    _count.reset = opened.clear
    return _count


def fresh(user):
    """The user as a new request would load it (no cached scope)."""
    return type(user).objects.get(pk=user.pk)


def move(user, case, *targets):
    for target in targets:
        case = services.transition_case(actor=user, case=case, target=target, version=case.version)
    return case


# --- Scope widening ----------------------------------------------------------------------------------


def test_assignment_and_live_grants_widen_the_scope_in_the_main_query(demo_users, worker, open_case):
    elsewhere = [open_case("caseworker.haiphong", "31") for _ in range(3)]
    Case.objects.filter(pk=elsewhere[0].pk).update(assigned_to=worker)
    now = timezone.now()
    CaseAccessGrant.objects.create(case=elsewhere[1], user=worker, reason="cần", expires_at=now + timedelta(hours=1))
    CaseAccessGrant.objects.create(case=elsewhere[2], user=worker, reason="cần", expires_at=now - timedelta(hours=1))
    with CaptureQueriesContext(connection) as captured:
        visible = set(selectors.cases_visible_to(fresh(worker)).filter(unit__code="31").values_list("pk", flat=True))
    assert visible == {elsewhere[0].pk, elsewhere[1].pk}
    on_cases = [q["sql"] for q in captured.captured_queries if 'FROM "cases_case"' in q["sql"]]
    # One read of the case table, widened by the assignee column: no id list read first, no cap.
    assert len(on_cases) == 1
    assert '"cases_case"."assigned_to_id" =' in on_cases[0] and "LIMIT" not in on_cases[0].upper()
    grants = [q["sql"] for q in captured.captured_queries if 'FROM "cases_caseaccessgrant"' in q["sql"]]
    assert len(grants) == 1 and "ORDER BY" not in grants[0].upper()


def test_a_user_without_a_role_over_cases_sees_only_their_assignments(demo_users, worker, open_case):
    case = open_case()
    analyst = demo_users["analyst"]
    assert not selectors.cases_visible_to(fresh(analyst)).exists()
    Case.objects.filter(pk=case.pk).update(assigned_to=analyst)
    assert list(selectors.cases_visible_to(fresh(analyst))) == [case]


# --- Lists decrypt no person ----------------------------------------------------------------------------


def test_the_scoped_list_reads_no_person(worker, open_case, decrypts):
    for _ in range(3):
        open_case()
    decrypts.reset()
    rows = list(selectors.cases_visible_to(fresh(worker))[:50])
    assert len(rows) == 3 and decrypts("cases.person") == 0
    assert all("person" not in row._state.fields_cache for row in rows)


def test_the_cases_page_decrypts_no_person(sign_in, worker, open_case, decrypts):
    for _ in range(3):
        open_case()
    client = sign_in(worker)
    decrypts.reset()
    response = client.get(reverse("cases:worklist"))
    assert response.status_code == 200 and len(response.context["page"].object_list) == 3
    assert decrypts("cases.person") == 0


def test_the_case_page_still_shows_the_person(sign_in, worker, open_case):
    case = open_case()
    html = sign_in(worker).get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert NAME in html


def test_the_api_list_opens_no_sealed_person_field_for_a_masked_reader(
    demo_users, api_client, worker, open_case, decrypts
):
    open_case(other_names="", address="Thôn 1 (minh họa)")
    decrypts.reset()
    body = api_client(demo_users["coordinator.hanoi"]).get("/api/v1/cases").json()
    person = body["items"][0]["person"]
    assert decrypts("cases.person") == 0
    assert person["full_name"] == selectors.MASK and person["address"] == selectors.MASK
    assert person["other_names"] == "" and person["identities_shown"] is False
    assert person["birth_year"] == 2000
    shown = api_client(worker).get("/api/v1/cases").json()["items"][0]["person"]
    assert shown["full_name"] == NAME and shown["address"] == "Thôn 1 (minh họa)"


@pytest.mark.parametrize("reader", ["caseworker.hanoi", "coordinator.hanoi", "supervisor.hanoi", "caseworker.haiphong"])
def test_the_api_list_read_as_values_says_what_the_case_page_says(demo_users, worker, open_case, reader):
    # The list builds no model objects (selectors.case_list); each item must equal the case as the
    # detail endpoint's serialiser writes it, identities shown or masked alike.
    from haidang.cases.api._common import _case_list_item, _case_out

    cases = [open_case(other_names="", address="Thôn 1 (minh họa)") for _ in range(2)]
    cases.append(open_case("caseworker.haiphong", "31"))
    Case.objects.filter(pk=cases[2].pk).update(assigned_to=demo_users["caseworker.hanoi"])
    user = fresh(demo_users[reader])
    ordered = selectors.cases_visible_to(user).order_by("-reception_date", "-created_at", "-id")
    listed = [_case_list_item(user, row) for row in selectors.case_list(user, ordered)[0:50]]
    expected = [_case_out(user, case) for case in selectors.with_person(ordered, user)[:50]]
    # As the answer writes them: the list reads days and times as that text already (common.isotext).
    as_json = lambda items: json.loads(json.dumps(items, cls=DjangoJSONEncoder))  # noqa: E731
    assert as_json(listed) == as_json(expected) and listed
    assert isinstance(listed[0]["created_at"], str) and isinstance(listed[0]["reception_date"], str)


def test_a_time_under_a_millisecond_is_listed_as_the_case_page_writes_it(api_client, worker, open_case):
    # Django writes it "….000Z"; the list reads it as that text (common.isotext). The answer is checked
    # against the schema in the tests (API_CHECK_PLAIN_ANSWERS), which reads it back to "…Z": the same instant.
    case = open_case()
    Case.objects.filter(pk=case.pk).update(created_at=datetime(2026, 3, 1, 8, 0, 0, 500, tzinfo=UTC))
    client = api_client(worker)
    listed = client.get("/api/v1/cases")
    assert listed.status_code == 200, listed.content
    item = next(item for item in listed.json()["items"] if item["id"] == str(case.pk))
    assert item["created_at"] == "2026-03-01T08:00:00.000Z"
    assert client.get(f"/api/v1/cases/{case.pk}").json()["created_at"] == item["created_at"]


def test_a_scope_read_in_two_parts_gives_the_same_pages_and_counts(demo_users, worker, open_case, settings):
    # Lists take the scope's units and its widened records (assigned, shared) as two index reads
    # (common.queries.ScopeCondition): the same pages and counts as one sorted query.
    from haidang.common.queries import counts, page_keys

    inside = [open_case(received=date(2026, 3, day)) for day in (1, 3, 5, 7)]
    outside = [open_case("caseworker.haiphong", "31", received=date(2026, 3, day)) for day in (2, 4, 6)]
    Case.objects.filter(pk__in=[outside[0].pk, outside[2].pk]).update(assigned_to=worker)
    CaseAccessGrant.objects.create(
        case=outside[1], user=worker, reason="cần", expires_at=timezone.now() + timedelta(hours=1)
    )
    ordered = selectors.cases_visible_to(fresh(worker)).order_by("-reception_date", "-created_at", "-id")
    settings.SCOPE_SPLIT = False
    whole = list(ordered.values_list("pk", flat=True))
    whole_count = counts(n=ordered)["n"]
    settings.SCOPE_SPLIT = True
    assert {case.pk for case in inside + outside} <= set(whole)
    for start, stop in ((0, 3), (2, 6), (0, 50), (5, 7)):
        assert page_keys(ordered, start, stop) == whole[start:stop]
    assert counts(n=ordered)["n"] == whole_count == ordered.count()
    items = selectors.worklist(fresh(worker))
    assert [item.case.pk for item in items[0:50]] == [item.case.pk for item in list(items)][:50]


# --- Person search ------------------------------------------------------------------------------------


def test_person_search_reads_the_matches_cases_in_one_query(api_client, worker, open_case):
    client = api_client(worker)
    for _ in range(2):
        open_case()
    client.get("/api/v1/persons/search", {"q": NAME})  # warm caches
    with CaptureQueriesContext(connection) as few:
        body = client.get("/api/v1/persons/search", {"q": NAME}).json()
    assert body["count"] == 2
    for _ in range(6):
        open_case()
    with CaptureQueriesContext(connection) as many:
        body = client.get("/api/v1/persons/search", {"q": "mai lo thi (MINH HOA)"}).json()
    assert body["count"] == 8 and all(item["full_name"] == NAME for item in body["items"])
    assert all(len(item["case_numbers"]) == 1 for item in body["items"])
    assert len(many.captured_queries) <= len(few.captured_queries)


def test_person_search_ranks_in_the_database_before_keeping_fifty(worker, open_case):
    for _ in range(50):
        open_case()
    wanted = open_case(full_name="Lò Văn Khác (minh họa)", document_number="001200009999")
    matches = selectors.duplicate_candidates(fresh(worker), full_name=NAME, document_number="001200009999")
    assert len(matches) == 50
    assert matches[0].person == wanted.person and matches[0].reasons == ("document",)


# --- Worklist -----------------------------------------------------------------------------------------


def _waiting_mix(worker, open_case):
    """Cases in every waiting state: reported long ago and recently, received, verifying (late or not)."""
    cases = {
        "old_reported": open_case(received=date(2026, 1, 5)),
        "new_reported": open_case(received=date(2026, 3, 1)),
        "received": move(worker, open_case(received=date(2026, 2, 1)), S.RECEIVED),
        "late": move(worker, open_case(received=date(2026, 2, 10)), S.RECEIVED, S.INITIAL_VERIFICATION),
        "later": move(worker, open_case(received=date(2026, 2, 11)), S.RECEIVED, S.INITIAL_VERIFICATION),
        "on_time": move(worker, open_case(received=date(2026, 2, 12)), S.RECEIVED, S.INITIAL_VERIFICATION),
        "further": move(worker, open_case(), S.RECEIVED, S.INITIAL_VERIFICATION, S.FURTHER_VERIFICATION),
    }
    now = timezone.now()
    Case.objects.filter(pk=cases["late"].pk).update(notified_at=now - timedelta(days=9))
    Case.objects.filter(pk=cases["later"].pk).update(notified_at=now - timedelta(days=6))
    return cases


def test_each_verification_is_due_by_its_own_local_notification_day(worker, open_case):
    """The worklist works a notification day's limit out once for the page: cases notified on either
    side of local midnight (17:00 UTC in Hanoi), and two on the same local day, each get the limit the
    rule gives their own notification time."""
    cases = [move(worker, open_case(received=date(2026, 2, 10)), S.RECEIVED, S.INITIAL_VERIFICATION) for _ in range(3)]
    times = [datetime(2026, 2, 23, 16, 30, tzinfo=UTC), datetime(2026, 2, 23, 17, 30, tzinfo=UTC)]
    times.append(times[1] + timedelta(hours=3))
    for case, at in zip(cases, times, strict=True):
        Case.objects.filter(pk=case.pk).update(notified_at=at)
    items = {item.case.pk: item for item in selectors.worklist(fresh(worker), today=date(2026, 3, 2))}
    for case, at in zip(cases, times, strict=True):
        expected = timelimits.initial_verification_deadline(at, today=date(2026, 3, 2))
        assert (items[case.pk].due, items[case.pk].overdue) == (expected.due, expected.overdue)
    assert items[cases[0].pk].due != items[cases[1].pk].due  # notified 23/02 and 24/02 locally


def test_the_worklist_is_sorted_in_the_database_like_the_rule_says(worker, open_case):
    cases = _waiting_mix(worker, open_case)
    items = selectors.worklist(fresh(worker))
    # The steps due at once (reported, received) are late from the day after the reception, and
    # every overdue step comes first, by its due day.
    assert items.count() == 6 and items.overdue_count() == 5
    ordered = [item.case.pk for item in items[0:6]]
    names = {case.pk: name for name, case in cases.items()}
    assert [names[pk] for pk in ordered] == ["old_reported", "received", "new_reported", "late", "later", "on_time"]
    # The rule itself, applied in Python to every item, gives the same order.
    everything = list(selectors.worklist(fresh(worker)))
    assert [item.case.pk for item in sorted(everything, key=lambda i: (not i.overdue, i.due))] == ordered
    assert everything[0].overdue and everything[0].kind == "reported" and everything[0].due == date(2026, 1, 5)
    assert everything[3].overdue and everything[3].kind == "initial_verification"
    assert everything[3].due == timelimits.initial_verification_due(timezone.localdate() - timedelta(days=9))
    assert not everything[5].overdue
    # Ten days on, the one still on time is late too, and sorts by its own due day.
    later = selectors.worklist(fresh(worker), today=timezone.localdate() + timedelta(days=10))
    assert later.overdue_count() == 6 and [item.case.pk for item in later][5] == cases["on_time"].pk


def test_the_worklist_api_counts_every_waiting_case_and_pages_in_the_database(api_client, worker, open_case):
    cases = _waiting_mix(worker, open_case)
    client = api_client(worker)
    client.get("/api/v1/cases/worklist")  # warm caches
    pages = []
    for page in (1, 2, 3):
        with CaptureQueriesContext(connection) as captured:
            body = client.get("/api/v1/cases/worklist", {"page": page, "page_size": 2}).json()
        assert body["count"] == 6 and body["page"] == page and len(body["items"]) == 2
        pages.extend(item["case_id"] for item in body["items"])
        queries = [q["sql"] for q in captured.captured_queries if 'FROM "cases_case"' in q["sql"]]
        # One page of rows (LIMIT 2) and one count: the rows of other pages are never read.
        assert len(queries) == 2 and any("LIMIT 2" in sql for sql in queries)
    assert pages[:2] == [str(cases["old_reported"].pk), str(cases["received"].pk)]
    assert len(set(pages)) == 6 and str(cases["further"].pk) not in pages


def test_the_worklist_api_queries_do_not_grow_with_rows(api_client, worker, open_case):
    client = api_client(worker)
    open_case()
    client.get("/api/v1/cases/worklist")
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/cases/worklist")
    _waiting_mix(worker, open_case)
    with CaptureQueriesContext(connection) as many:
        body = client.get("/api/v1/cases/worklist").json()
    assert body["count"] == 7
    assert len(many.captured_queries) <= len(few.captured_queries)


def test_the_worklist_page_queries_do_not_grow_with_rows_and_count_every_overdue_case(sign_in, worker, open_case):
    client = sign_in(worker)
    open_case()
    client.get(reverse("cases:worklist"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("cases:worklist"))
    _waiting_mix(worker, open_case)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("cases:worklist"))
    assert response.status_code == 200
    assert response.context["overdue_count"] == selectors.worklist(fresh(worker)).overdue_count()
    assert len(many.captured_queries) <= len(few.captured_queries)
