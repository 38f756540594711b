"""The register's rules: validation by field, scope, identities masked and audited, linked victims."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from haidang.audit.models import AuditEntry
from haidang.cases import services as case_services
from haidang.proceedings import selectors, services
from haidang.proceedings.models import CriminalCase, Suspect
from haidang.proceedings.tests.conftest import DETECTED, agency

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def errors_of(call) -> dict:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict


def victim_case(actor, unit, agency_name, *, received=date(2026, 3, 1)):
    return case_services.create_case(
        actor=actor,
        person_data={"full_name": "Nạn nhân Tổng hợp", "sex": "female", "birth_year": 2004},
        case_data={"intake_channel": "rescue", "reception_date": received, "unit": unit, "agency": agency(agency_name)},
    )


def test_a_case_is_recorded_with_its_year_and_audited(make_case, people):
    criminal_case = make_case(prosecution_opened_on=date(2026, 3, 20))
    assert criminal_case.year == 2026 and criminal_case.version == 1
    entry = AuditEntry.objects.filter(action="proceedings.case_created").latest("id")
    assert entry.object_id == str(criminal_case.pk) and entry.unit_code == "01"


def test_bad_values_are_named_by_field_and_nothing_is_saved(make_case, units):
    errors = errors_of(
        lambda: make_case(
            number=" ",
            article="152",
            prosecution_opened_on=date(2026, 3, 1),
            route="sea",
            destination_country="Cambodia",
            exploitation_forms=["begging"],
        )
    )
    assert set(errors) == {
        "number",
        "article",
        "prosecution_opened_on",
        "route",
        "destination_country",
        "exploitation_forms",
    }
    assert "before the date detected" in errors["prosecution_opened_on"][0]
    assert CriminalCase.objects.count() == 0


def test_the_number_is_unique_per_agency_and_year(make_case):
    make_case()
    errors = errors_of(lambda: make_case())
    assert "already has a case numbered 12/VA in 2026" in errors["number"][0]
    make_case(detected_on=date(2025, 12, 1))  # another year: allowed
    assert CriminalCase.objects.count() == 2


def test_a_unit_must_be_valid_on_the_date_and_in_the_users_area(make_case, units, people):
    errors = errors_of(lambda: make_case(unit=units["old_commune"]))
    assert units["old_commune"].name in errors["unit"][0]
    errors = errors_of(lambda: make_case(unit=units["haiphong"]))
    assert "outside your area" in errors["unit"][0]
    errors = errors_of(lambda: make_case(investigating_agency=agency("Công an Thành phố Hải Phòng")))
    assert "investigating_agency" in errors
    # Under the old map the old commune is the right unit, and it stays in the Hà Nội police's scope.
    old = make_case(unit=units["old_commune"], detected_on=date(2024, 5, 2))
    assert selectors.get_criminal_case_for_user(people["police.hanoi"], old.pk) == old
    assert selectors.get_criminal_case_for_user(people["police.thachthat.test"], old.pk) == old


def test_only_police_roles_see_the_register(make_case, people):
    criminal_case = make_case()
    for username in ("analyst", "coordinator.hanoi", "caseworker.hanoi", "police.haiphong.test"):
        assert selectors.get_criminal_case_for_user(people[username], criminal_case.pk) is None, username
    with pytest.raises(PermissionDenied):
        make_case(actor=people["analyst"])


def test_a_stale_version_is_refused_and_nothing_changes(make_case, people):
    criminal_case = make_case()
    police = people["police.hanoi"]
    updated = services.update_criminal_case(
        actor=police, criminal_case=criminal_case, version=1, data={"prosecution_opened_on": date(2026, 3, 15)}
    )
    assert updated.version == 2
    with pytest.raises(services.StaleVersionError):
        services.update_criminal_case(actor=police, criminal_case=criminal_case, version=1, data={"article": "151"})
    assert CriminalCase.objects.get().article == "150"
    with pytest.raises(PermissionDenied):
        services.update_criminal_case(
            actor=people["police.haiphong.test"], criminal_case=criminal_case, version=2, data={"article": "151"}
        )


def test_suspects_age_band_and_prosecution_date_rules(make_case, people):
    police = people["police.hanoi"]
    criminal_case = make_case()
    errors = errors_of(
        lambda: services.add_suspect(
            actor=police,
            criminal_case=criminal_case,
            data={"full_name": "Đối tượng A", "role": "broker", "prosecuted_on": date(2026, 3, 20)},
        )
    )
    assert "opened for prosecution first" in errors["prosecuted_on"][0]
    criminal_case = services.update_criminal_case(
        actor=police, criminal_case=criminal_case, version=1, data={"prosecution_opened_on": date(2026, 3, 15)}
    )
    suspect = services.add_suspect(
        actor=police,
        criminal_case=criminal_case,
        data={
            "full_name": "  Đối tượng   A ",
            "role": "broker",
            "birth_year": 2009,
            "age_band": "18_plus",
            "sex": "male",
            "prosecuted_on": date(2026, 3, 20),
        },
    )
    assert suspect.full_name == "Đối tượng A" and suspect.age_band == "16_17"  # 2026 − 2009 = 17
    # The prosecution date can no longer move past the suspect's.
    errors = errors_of(
        lambda: services.update_criminal_case(
            actor=police, criminal_case=criminal_case, version=2, data={"prosecution_opened_on": date(2026, 3, 25)}
        )
    )
    assert "prosecution_opened_on" in errors
    entry = AuditEntry.objects.filter(action="proceedings.suspect_added").latest("id")
    assert entry.changes["full_name"] == "***" and "Đối tượng" not in str(entry.changes)
    services.update_suspect(actor=police, suspect=suspect, version=1, data={"birth_year": None})
    assert (Suspect.objects.get().age_band, Suspect.objects.get().version) == ("unknown", 2)
    with pytest.raises(services.StaleVersionError):  # read before the change above
        services.update_suspect(actor=police, suspect=suspect, version=1, data={"birth_year": 1990})
    assert Suspect.objects.get().birth_year is None
    errors = errors_of(lambda: services.remove_suspect(actor=police, suspect=suspect, reason=""))
    assert "reason" in errors
    services.remove_suspect(actor=police, suspect=suspect, reason="Nhập trùng")
    assert not Suspect.objects.exists()


def test_identities_are_masked_unless_the_role_sees_them_and_reads_are_audited(make_case, people, units):
    police = people["police.hanoi"]
    criminal_case = make_case()
    services.add_suspect(
        actor=police,
        criminal_case=criminal_case,
        data={"full_name": "Đối tượng B", "document_number": "001200000001", "role": "recruiter"},
    )
    before = AuditEntry.objects.filter(action="proceedings.suspects_viewed").count()
    [shown] = selectors.suspect_views(police, criminal_case)
    assert shown.full_name == "Đối tượng B" and shown.identities_shown
    assert AuditEntry.objects.filter(action="proceedings.suspects_viewed").count() == before + 1
    assert AuditEntry.objects.filter(action="proceedings.suspects_viewed").latest("id").changes["purpose"] == "view"


def test_linked_victims_are_shown_only_to_those_who_may_see_them(make_case, people, units):
    police = people["police.hanoi"]
    criminal_case = make_case()
    hanoi_case = victim_case(people["caseworker.hanoi"], units["hanoi"], "Sở Y tế Thành phố Hà Nội")
    haiphong_case = victim_case(people["caseworker.haiphong"], units["haiphong"], "Sở Y tế Thành phố Hải Phòng")
    services.link_victim(actor=police, criminal_case=criminal_case, case=hanoi_case)
    errors = errors_of(lambda: services.link_victim(actor=police, criminal_case=criminal_case, case=haiphong_case))
    assert "that you can see" in errors["case"][0]
    errors = errors_of(lambda: services.link_victim(actor=police, criminal_case=criminal_case, case=hanoi_case))
    assert "already linked" in errors["case"][0]
    # The commune investigator sees their commune's criminal case but not the province's victim case.
    commune_police = people["police.thachthat.test"]
    thach_that_case = make_case(
        number="3/VA", unit=units["thach_that"], investigating_agency=agency("Công an Xã Thạch Thất")
    )
    services.link_victim(actor=police, criminal_case=thach_that_case, case=hanoi_case)
    victims = selectors.linked_victims(commune_police, thach_that_case)
    assert victims.visible == [] and victims.hidden == 1
    victims = selectors.linked_victims(police, thach_that_case)
    assert victims.visible == [hanoi_case] and victims.hidden == 0
    services.unlink_victim(actor=police, criminal_case=thach_that_case, case=hanoi_case)
    assert selectors.linked_victims(police, thach_that_case).visible == []


def test_detected_date_in_the_future_is_refused(make_case):
    errors = errors_of(lambda: make_case(detected_on=date(2999, 1, 1)))
    assert "in the future" in errors["detected_on"][0]
    assert DETECTED.year == 2026
