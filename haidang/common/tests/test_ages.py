"""One age, computed one way in Python and in SQL, with one rule for a birth year alone (31/12)."""

from datetime import date

import pytest

from haidang.access.models import Agency
from haidang.cases import protection, services, support
from haidang.cases.models import Case
from haidang.common.ages import age_band_expression, age_band_on, age_on
from haidang.places.models import AdministrativeUnit


@pytest.mark.parametrize(
    ("on", "birth_date", "birth_year", "age"),
    [
        (date(2026, 7, 10), date(2010, 7, 11), None, 15),  # the day before the 16th birthday
        (date(2026, 7, 10), date(2010, 7, 10), None, 16),  # on it
        (date(2026, 7, 10), date(2008, 7, 11), None, 17),
        (date(2026, 7, 10), date(2008, 7, 10), None, 18),
        (date(2028, 2, 28), date(2012, 2, 29), None, 15),  # born on 29/02: 16 from 01/03
        (date(2028, 3, 1), date(2012, 2, 29), None, 16),
        # A birth year alone: born on 31/12 of that year, so the youngest possible age.
        (date(2026, 12, 30), None, 2008, 17),
        (date(2026, 12, 31), None, 2008, 18),
        (date(2026, 12, 30), None, 2010, 15),
        (date(2026, 12, 31), None, 2010, 16),
        (date(2026, 1, 1), None, 2008, 17),
        (date(2026, 1, 1), None, None, None),
    ],
)
def test_the_age_on_a_day_at_the_16_and_18_boundaries(on, birth_date, birth_year, age):
    assert age_on(on, birth_date=birth_date, birth_year=birth_year) == age


@pytest.mark.django_db
def test_the_database_bands_ages_exactly_as_python_does(demo_users):
    """The statistics compute the band in SQL: it must agree with the one function on every boundary."""
    worker = demo_users["caseworker.hanoi"]
    hanoi = AdministrativeUnit.objects.get(code="01", valid_to__isnull=True)
    agency = Agency.objects.get(name="Sở Y tế Thành phố Hà Nội")
    people = [
        (date(2026, 7, 10), {"birth_date": date(2010, 7, 11)}),
        (date(2026, 7, 10), {"birth_date": date(2010, 7, 10)}),
        (date(2026, 7, 10), {"birth_date": date(2008, 7, 11)}),
        (date(2026, 7, 10), {"birth_date": date(2008, 7, 10)}),
        (date(2026, 3, 1), {"birth_year": 2008}),
        (date(2025, 12, 31), {"birth_year": 2007}),
        (date(2026, 3, 1), {"birth_year": 2010}),
        (date(2026, 3, 1), {}),
    ]
    expected = {}
    for received, birth in people:
        case = services.create_case(
            actor=worker,
            person_data={"full_name": "Nguyễn Văn Tuổi (minh họa)", **birth},
            case_data={"intake_channel": "self_report", "reception_date": received, "unit": hanoi, "agency": agency},
        )
        expected[case.pk] = age_band_on(
            received, birth_date=birth.get("birth_date"), birth_year=birth.get("birth_year")
        )
    bands = dict(
        Case.objects.filter(pk__in=expected)
        .annotate(
            band=age_band_expression(
                birth_date="person__birth_date", birth_year="person__birth_year", on="reception_date"
            )
        )
        .values_list("pk", "band")
    )
    assert bands == expected
    assert sorted(set(expected.values())) == ["16_17", "18_plus", "under_16", "unknown"]


@pytest.mark.django_db
def test_a_child_with_a_birth_year_alone_is_a_child_for_linking_and_for_support(demo_users):
    """Born in 2008 (year only): accepted as an accompanying child in March 2026, and so not an
    adult for support either (the two used to disagree)."""
    worker = demo_users["caseworker.hanoi"]
    case = services.create_case(
        actor=worker,
        person_data={"full_name": "Vũ Thị Thanh (minh họa)", "birth_year": 1990},
        case_data={
            "intake_channel": "self_report",
            "reception_date": date(2026, 3, 1),
            "unit": AdministrativeUnit.objects.get(code="01", valid_to__isnull=True),
            "agency": Agency.objects.get(name="Sở Y tế Thành phố Hà Nội"),
        },
    )
    child = protection.link_person(
        actor=worker, case=case, person_data={"full_name": "Vũ An (minh họa)", "birth_year": 2008}, relationship="child"
    ).person
    applicant = support.applicant_for(case, child, on=date(2026, 3, 1))
    assert applicant.age == 17 and not applicant.adult_companion
