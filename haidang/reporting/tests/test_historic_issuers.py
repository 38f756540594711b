"""Agencies through time: a record or directive names the body of its day, and only a body that
existed then; the bodies of the old map are recorded with the day they ceased."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from haidang.access import services as access_services
from haidang.access.demo import old_district
from haidang.access.models import Agency, AgencyType
from haidang.places.models import AdministrativeUnit
from haidang.prevention import services as prevention
from haidang.reporting import services

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _directive(demo_users, form_version, issuer, issued_on, deadline):
    return services.create_directive(
        actor=demo_users["coordinator.hanoi"],
        number="99/UBND (minh họa)",
        issued_on=issued_on,
        issuing_agency=issuer,
        title="Báo cáo (minh họa)",
        text="",
        form_version=form_version,
        period_id=f"{issued_on.year}-07-01_{issued_on.year}-07-31",
        deadline=deadline,
        activities=[],
        recipient_rules=[{"level": 3, "agency_type": AgencyType.COMMUNE_PEOPLES_COMMITTEE}],
    )


def test_a_2024_directive_names_the_old_district_not_a_body_created_in_2025(demo_users, form_version):
    old = Agency.objects.get(name="Ủy ban nhân dân huyện Thạch Thất")
    # The old district's committee existed in 2024; the long-past date is allowed for its own records.
    directive = _directive(demo_users, form_version, old, date(2024, 7, 13), date(2024, 8, 5))
    assert directive.issuing_unit == old_district()
    # It did not exist in 2026.
    with pytest.raises(ValidationError) as caught:
        _directive(demo_users, form_version, old, date(2026, 7, 13), date(2026, 8, 5))
    assert "did not exist" in str(caught.value.message_dict["issuing_agency"])
    # Today's commune committee gets no directive dated long ago (the date check still guards it).
    with pytest.raises(ValidationError) as caught:
        _directive(
            demo_users,
            form_version,
            Agency.objects.get(name="Ủy ban nhân dân Thành phố Hà Nội"),
            date(2024, 7, 13),
            date(2024, 8, 5),
        )
    assert "issued_on" in caught.value.message_dict


def test_a_body_of_the_old_map_needs_its_last_day_and_a_unit_of_its_day():
    district = old_district()
    with pytest.raises(ValidationError) as caught:
        access_services.create_agency(
            actor=None,
            name="Phòng Tư pháp huyện (minh họa)",
            agency_type=AgencyType.DISTRICT_LABOUR_OFFICE,
            unit=district,
        )
    assert "valid_to" in caught.value.message_dict
    new_commune = AdministrativeUnit.objects.get(parent__code="01", valid_to__isnull=True, name="Xã Thạch Thất")
    with pytest.raises(ValidationError) as caught:
        access_services.create_agency(
            actor=None, name="Ban (minh họa)", agency_type=AgencyType.NGO, unit=new_commune, valid_to=date(2024, 1, 1)
        )
    assert "unit" in caught.value.message_dict


def test_a_2024_activity_is_organised_by_a_body_that_existed_then(demo_users):
    old_commune = AdministrativeUnit.objects.filter(parent=old_district()).order_by("code").first()
    data = {
        "activity_type": "communication_session",
        "title": "Tuyên truyền tại thôn (minh họa)",
        "start_date": date(2024, 7, 20),
        "unit": old_commune,
        "organiser": Agency.objects.get(name="Hội Liên hiệp Phụ nữ Thành phố Hà Nội"),
        "target_groups": ["students"],
    }
    hanoi_women = data["organiser"]
    hanoi_women.valid_from = date(2025, 7, 1)  # as if recorded with the day the merged city began
    hanoi_women.save(update_fields=["valid_from"])
    with pytest.raises(ValidationError) as caught:
        prevention.create_activity(actor=demo_users["coordinator.hanoi"], data=data)
    assert "organiser" in caught.value.message_dict
    data["organiser"] = Agency.objects.get(name="Hội Liên hiệp Phụ nữ huyện Thạch Thất")
    activity = prevention.create_activity(actor=demo_users["coordinator.hanoi"], data=data)
    assert activity.organiser.valid_to == date(2025, 6, 30)
