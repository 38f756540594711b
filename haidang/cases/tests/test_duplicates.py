"""The same person recorded twice is found, with or without diacritics, and merged by hand."""

import unicodedata
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from haidang.access.models import Agency
from haidang.audit.models import AuditEntry
from haidang.cases import selectors, services
from haidang.cases.models import Case, Person
from haidang.places.models import AdministrativeUnit

pytestmark = pytest.mark.django_db


def open_case(actor, full_name, *, commune="Xã Thạch Thất", agency="Ủy ban nhân dân Xã Thạch Thất", **person):
    unit = AdministrativeUnit.objects.get(parent__code="01", valid_to__isnull=True, name=commune)
    return services.create_case(
        actor=actor,
        person_data={"full_name": full_name, **person},
        case_data={
            "intake_channel": "self_report",
            "reception_date": date(2026, 2, 1),
            "unit": unit,
            "agency": Agency.objects.get(name=agency),
        },
    )


@pytest.mark.parametrize(
    "spelling", ["Nguyen Thi Hoa", "NGUYỄN THỊ HOÀ", "Hoà Nguyễn Thị", unicodedata.normalize("NFD", "Nguyễn Thị Hoà")]
)
def test_every_spelling_finds_the_recorded_person(demo_users, spelling):
    worker = demo_users["caseworker.hanoi"]
    first = open_case(worker, "Nguyễn Thị Hoà", birth_year=2003)
    found = selectors.duplicate_candidates(worker, full_name=spelling, birth_year=2003)
    assert [candidate.person for candidate in found] == [first.person]
    assert found[0].reasons == ("name", "birth_year")


def test_the_same_document_is_decisive_whatever_the_name(demo_users):
    worker = demo_users["caseworker.hanoi"]
    first = open_case(worker, "Trần Thị Mai", document_number="001204005678")
    found = selectors.duplicate_candidates(worker, full_name="Tran Mai", document_number="0012 0400 5678")
    assert found[0].person == first.person and "document" in found[0].reasons


def test_candidates_come_only_from_cases_the_user_may_see(demo_users):
    open_case(demo_users["commune.hanoi.a"], "Lê Thị Thu")
    assert selectors.duplicate_candidates(demo_users["commune.hanoi.b"], full_name="Le Thi Thu") == []
    assert selectors.duplicate_candidates(demo_users["caseworker.haiphong"], full_name="Le Thi Thu") == []


def test_merge_keeps_both_histories_and_is_audited(demo_users):
    worker = demo_users["caseworker.hanoi"]
    first = open_case(worker, "Nguyễn Thị Hoà", birth_year=2003)
    second = open_case(
        worker,
        "Hoa Nguyen Thi",
        commune="Xã Tây Phương",
        agency="Ủy ban nhân dân Xã Tây Phương",
        contacts="0912 000 111",
    )
    kept = services.merge_persons(actor=worker, keep=first.person, duplicate=second.person, reason="Cùng một người")
    assert set(Case.objects.filter(person=kept).values_list("number", flat=True)) == {first.number, second.number}
    assert Person.objects.get(pk=second.person.pk).merged_into == kept
    assert kept.contacts == "0912 000 111"
    assert first.events.filter(kind="person_merged").exists() and second.events.filter(kind="person_merged").exists()
    assert AuditEntry.objects.filter(action="cases.persons_merged").count() == 1
    # A merged record is no longer offered as a candidate.
    assert [c.person for c in selectors.duplicate_candidates(worker, full_name="Nguyen Thi Hoa")] == [kept]


def test_nothing_is_merged_automatically_or_by_someone_who_cannot_edit_both(demo_users):
    first = open_case(demo_users["commune.hanoi.a"], "Phạm Thị Hạnh")
    second = open_case(
        demo_users["commune.hanoi.b"], "Pham Thi Hanh", commune="Xã Tây Phương", agency="Ủy ban nhân dân Xã Tây Phương"
    )
    assert first.person != second.person
    with pytest.raises(PermissionDenied):
        services.merge_persons(
            actor=demo_users["commune.hanoi.a"], keep=first.person, duplicate=second.person, reason="x"
        )
