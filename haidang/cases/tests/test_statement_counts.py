"""How many SQL statements each hot page and endpoint runs, so the count cannot creep back.

Measured as production runs them: the shared-data cache on (`common.shared`), a second request of
the same user (the first fills the caches), with more cases than a page holds, so a count that
grew with the rows would show. Each ceiling lists what the statements are; raising one needs a
reason in the commit.
"""

from datetime import date

import pytest
from django.urls import reverse

from haidang.access.models import Agency
from haidang.cases import services
from haidang.common import shared
from haidang.places.models import AdministrativeUnit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

NAME = "Lò Thị Mai (minh họa)"


@pytest.fixture(autouse=True)
def shared_cache(settings):
    """The cache on, and emptied before and after: tests roll back what they write, the cache would not."""
    settings.SHARED_DATA_CACHE = True
    shared._store.clear()
    yield
    shared._store.clear()


@pytest.fixture
def many_cases(demo_users):
    """One case made through the service, then 55 more like it (more than a page of 50)."""
    import uuid

    from haidang.cases.models import Case

    hanoi = AdministrativeUnit.objects.get(code="01", valid_to__isnull=True)
    first = services.create_case(
        actor=demo_users["caseworker.hanoi"],
        person_data={"full_name": NAME, "birth_year": 2000},
        case_data={
            "intake_channel": "rescue",
            "reception_date": date(2026, 1, 5),
            "unit": hanoi,
            "agency": Agency.objects.get(name="Sở Y tế Thành phố Hà Nội"),
        },
    )
    copies = []
    for n in range(55):
        copy = Case.objects.get(pk=first.pk)
        copy.pk, copy.sequence = uuid.uuid4(), first.sequence + 1 + n
        copy.number = f"{first.number[:-6]}{copy.sequence:06d}"
        copy.reception_date = date(2026, 1, 1 + n % 28)
        copies.append(copy)
    Case.objects.bulk_create(copies)


def _counted(statements, call) -> list[str]:
    call()  # fills the per-process caches, as any earlier request would have
    with statements() as captured:
        response = call()
    assert response.status_code == 200
    return captured


def test_the_api_worklist(api, many_cases, statements):
    # token, shared versions, the page, the count
    captured = _counted(statements, lambda: api("caseworker.hanoi").get("/api/v1/cases/worklist"))
    assert len(captured) == 4, captured


def test_the_api_case_list(api, many_cases, statements):
    # token, shared versions, the page's ids, the page's rows, the count, the audit entry (id + insert)
    captured = _counted(statements, lambda: api("caseworker.hanoi").get("/api/v1/cases"))
    assert len(captured) == 7, captured


def test_the_api_person_search(api, many_cases, statements):
    # token, shared versions, the ranked persons, their visible cases, the audit entry (id + insert)
    captured = _counted(statements, lambda: api("caseworker.hanoi").get("/api/v1/persons/search", {"q": NAME}))
    assert len(captured) == 6, captured


def test_the_worklist_page(as_user, many_cases, statements):
    # session, user, second-factor device, shared versions, the counts (waiting, overdue, listed,
    # transfers and applications waiting: none here, so neither is read), the work page, the case
    # page's ids and rows, unread notices
    client = as_user("caseworker.hanoi")
    captured = _counted(statements, lambda: client.get(reverse("cases:worklist")))
    assert len(captured) == 9, captured
    assert not [sql for sql in captured if "django_session" in sql and sql.lstrip().upper().startswith("UPDATE")]


def test_the_health_check(client, statements):
    captured = _counted(statements, lambda: client.get("/healthz"))
    assert len(captured) == 1, captured
