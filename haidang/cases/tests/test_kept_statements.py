"""The hot lists keep their compiled statements per reader (common.queries.statement): the same answers
as statements compiled at each request, and a new statement as soon as the scope, a grant, a filter or
the day changes. In the test settings every kept statement is also compiled again and compared."""

from datetime import date

import pytest
from django.urls import reverse

from haidang.access.models import Membership
from haidang.cases import selectors
from haidang.cases.models import Case, CaseStatus
from haidang.cases.services.access import break_glass
from haidang.cases.tests.steps import open_case
from haidang.common import queries, shared
from haidang.common.models import SharedVersion
from haidang.places.models import AdministrativeUnit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture(autouse=True)
def kept(settings, kept_statements):
    """Data and statements kept as in a server process: across requests, for the same reader."""
    settings.SHARED_DATA_CACHE = True
    shared._store.clear()
    yield
    shared._store.clear()


@pytest.fixture
def worker(demo_users):
    return demo_users["caseworker.hanoi"]


@pytest.fixture
def compiles(monkeypatch):
    """A count of the statements compiled (not taken from those kept)."""
    made = []
    for name in ("_counts_sql", "_page_sql", "_values_sql"):
        original = getattr(queries, name)

        def counting(*args, _original=original, **kwargs):
            made.append(_original.__name__)
            return _original(*args, **kwargs)

        monkeypatch.setattr(queries, name, counting)
    monkeypatch.setattr(queries, "statement", _unchecked_statement(queries.statement, made))
    return made


def _unchecked_statement(statement, made):
    # The check of the test settings compiles every kept statement again; count only the first compile.
    def counted(key, compile_):
        if key is not None and key in queries._STATEMENTS:
            return queries._STATEMENTS[key]
        return statement(key, compile_)

    return counted


def _case(actor, province="01", received=date(2026, 3, 1), **person):
    agencies = {"01": "Sở Y tế Thành phố Hà Nội", "31": "Sở Y tế Thành phố Hải Phòng"}
    unit = AdministrativeUnit.objects.get(code=province, valid_to__isnull=True)
    return open_case(actor, unit, agencies[province], received=received, **person)


def _uncompiled(settings, call):
    settings.COMPILED_STATEMENTS = False
    try:
        return call()
    finally:
        settings.COMPILED_STATEMENTS = True


def test_the_case_list_keeps_its_statements_and_answers_as_compiled_each_time(
    api_client, worker, demo_users, settings, compiles
):
    _case(worker)
    client = api_client(worker)
    first = client.get("/api/v1/cases").json()
    assert compiles  # the first request compiles
    compiles.clear()
    again = client.get("/api/v1/cases").json()
    assert compiles == [] and again == first
    assert again == _uncompiled(settings, lambda: client.get("/api/v1/cases").json())
    # A filter is part of what a statement is made of: another statement, the same answer as compiled.
    filtered = client.get("/api/v1/cases", {"status": CaseStatus.RECEIVED}).json()
    assert compiles and filtered["count"] < first["count"]
    assert filtered == _uncompiled(settings, lambda: client.get("/api/v1/cases", {"status": "received"}).json())


def test_a_grant_or_a_changed_membership_gives_the_lists_a_new_statement(api_client, sign_in, worker, demo_users):
    elsewhere = _case(demo_users["caseworker.haiphong"], "31")
    client = api_client(worker)
    page = sign_in(worker)
    before = client.get("/api/v1/cases").json()
    page.get(reverse("cases:worklist"))
    assert str(elsewhere.pk) not in {item["id"] for item in before["items"]}
    break_glass(actor=worker, case_number=elsewhere.number, reason="Cần xem hồ sơ để hỗ trợ khẩn cấp")
    after = client.get("/api/v1/cases").json()
    assert after["count"] == before["count"] + 1 and str(elsewhere.pk) in {item["id"] for item in after["items"]}
    assert elsewhere.number in page.get(reverse("cases:worklist")).content.decode()
    # The memberships end (the version moves on with them): the scope's units go, and with them the cases.
    Membership.objects.filter(user=worker).update(is_active=False)
    SharedVersion.objects.filter(topic=shared.ACCESS).delete()
    SharedVersion.objects.create(topic=shared.ACCESS, version=99)
    assert not selectors.cases_visible_to(type(worker).objects.get(pk=worker.pk)).exclude(pk=elsewhere.pk).exists()
    assert client.get("/api/v1/cases").status_code == 403


def test_the_worklist_keeps_its_statements_and_follows_the_day(sign_in, api_client, worker, settings, compiles):
    case = _case(worker, received=date(2026, 3, 1))
    client = api_client(worker)
    page = sign_in(worker)
    first = client.get("/api/v1/cases/worklist").json()
    shown = page.get(reverse("cases:worklist"))
    compiles.clear()
    assert client.get("/api/v1/cases/worklist").json() == first
    again = page.get(reverse("cases:worklist"))
    assert compiles == []
    assert again.context["work_rows"] == shown.context["work_rows"]
    assert again.context["case_rows"] == shown.context["case_rows"]
    uncompiled = _uncompiled(settings, lambda: page.get(reverse("cases:worklist")))
    assert uncompiled.context["work_rows"] == again.context["work_rows"]
    assert uncompiled.context["overdue_count"] == again.context["overdue_count"]
    # The day is part of the worklist's statements: the day before the reception nothing is overdue yet.
    earlier = selectors.worklist(worker, today=date(2026, 2, 28))
    assert earlier.overdue_count() == 0 and case.pk in {item.case.pk for item in earlier[0:50]}
    later = selectors.worklist(worker, today=date(2026, 3, 2))
    later.count_with()
    assert later.overdue_count() >= 1


def test_a_kept_statement_that_does_not_match_what_is_compiled_now_fails_the_tests(worker):
    # A key that leaves out something the statement is made of (here the status) is caught by the check.
    received = Case.objects.filter(status=CaseStatus.RECEIVED)
    closed = Case.objects.filter(status=CaseStatus.CLOSED)
    queries.counts(key="same", n=received)
    with pytest.raises(AssertionError, match="differs"):
        queries.counts(key="same", n=closed)


def _found(client, **query) -> set[str]:
    answer = client.get("/api/v1/persons/search", query)
    assert answer.status_code == 200
    return {number for item in answer.json()["items"] for number in item["case_numbers"]}


def test_a_search_keeps_one_statement_for_every_name_and_never_the_name(api_client, worker, settings, compiles):
    first = _case(worker, full_name="Hà Thị Lan (minh họa)", birth_year=1999)
    second = _case(worker, full_name="Vừ Văn Sính (minh họa)", birth_year=2001)
    client = api_client(worker)
    assert _found(client, q="ha thi lan (minh hoa)") == {first.number}
    assert compiles  # the first search compiles its statement
    compiles.clear()
    # Another name: the same statement with other values, and the answer as compiled at each request.
    assert _found(client, q="Sính Vừ Văn (minh họa)") == {second.number}
    assert compiles == []
    assert _uncompiled(settings, lambda: _found(client, q="Sính Vừ Văn (minh họa)")) == {second.number}
    # What is kept holds stand-ins, never the name's keyed hash nor the persons found.
    kept = repr(list(queries._STATEMENTS.values()))
    assert first.person.name_key not in kept and second.person.name_key not in kept
    assert all(form not in kept for person in (first.person, second.person) for form in (str(person.pk), person.pk.hex))
    # Both statements of the search (the persons, then their cases) place their values: none is built anew.
    slotted = [kept for key, kept in queries._STATEMENTS.items() if key[0] == "values-slots"]
    assert len(slotted) == 2 and all(kept[3] for kept in slotted)
    # A birth year is another shape of the statement: compiled once, then reused for another year.
    assert _found(client, q="Hà Thị Lan (minh họa)", birth_year=1999) == {first.number}
    assert compiles
    compiles.clear()
    assert _found(client, q="Vừ Văn Sính (minh họa)", birth_year=1990) == {second.number}
    assert compiles == []


def test_a_constant_equal_to_a_stand_in_stays_a_constant(worker):
    from django.db.models import Q

    from haidang.cases.models import Person

    odd = _case(worker, full_name="Giàng Thị Mỷ (minh họa)", birth_year=2000).person
    usual = _case(worker, full_name="Sùng A Páo (minh họa)", birth_year=1990).person
    # 30001 is the first stand-in of an int slot: here it is also a constant of the statement.
    Person.objects.filter(pk=odd.pk).update(birth_year=30001)

    def born(values):
        return Person.objects.filter(Q(birth_year=values["year"]) | Q(birth_year=30001)).order_by("birth_year")

    def years(year):
        return queries.values_rows(Person, born, ("id", "birth_year"), key="born", slots={"year": year})

    assert years(1990) == [(usual.pk, 1990), (odd.pk, 30001)]
    assert years(1991) == [(odd.pk, 30001)]
    assert len([key for key in queries._STATEMENTS if "born" in key]) == 1


def test_a_value_the_statement_transforms_is_never_placed_stale(worker):
    from haidang.cases.models import Case as CaseModel

    one = _case(worker, full_name="Lý Thị Dua (minh họa)", birth_year=1998)
    other = _case(worker, full_name="Lý Thị Dua (minh họa)", birth_year=1998)

    def starting(values):
        return CaseModel.objects.filter(number__startswith=values["prefix"]).order_by("number")

    def numbers(prefix):
        rows = queries.values_rows(CaseModel, starting, ("number",), key="starting", slots={"prefix": prefix})
        return [number for (number,) in rows]

    # A LIKE pattern is made from the value: it cannot be placed, so the statement is built at each use.
    assert numbers(one.number) == [one.number]
    assert numbers(other.number) == [other.number]
