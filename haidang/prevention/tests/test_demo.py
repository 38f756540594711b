"""The demonstration prevention data: a 30 July campaign in both provinces, deterministic, idempotent."""

import pytest

from haidang.places.models import AdministrativeUnit
from haidang.prevention import selectors
from haidang.prevention.demo import CAMPAIGN_NAME, SLOTS, seed_prevention_demo
from haidang.prevention.models import Activity, Campaign, PreventionModel

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(demo_users):
    seed_prevention_demo()
    return demo_users


def test_demo_has_a_month_of_action_in_both_provinces_with_a_few_dozen_activities(seeded):
    campaigns = Campaign.objects.filter(name=CAMPAIGN_NAME).select_related("issuing_unit", "issuing_agency")
    assert {(c.issuing_unit.code, c.issuing_agency.name) for c in campaigns} == {
        ("01", "Ủy ban nhân dân Thành phố Hà Nội"),
        ("31", "Ủy ban nhân dân Thành phố Hải Phòng"),
    }
    assert all((c.start_date.isoformat(), c.end_date.isoformat()) == ("2026-07-01", "2026-07-31") for c in campaigns)
    assert Activity.objects.count() == len(SLOTS) == 36
    assert Activity.objects.filter(campaign__in=campaigns).count() >= 24
    # Varied types, joint work, both provinces, plausible measures.
    assert Activity.objects.values("activity_type").distinct().count() >= 15
    assert Activity.objects.filter(co_organisers__isnull=False).distinct().count() >= 5
    for code in ("01", "31"):
        province = AdministrativeUnit.objects.get(code=code, level=1, valid_to__isnull=True)
        assert Activity.objects.filter(unit__placement_path__startswith=province.path).count() >= 15
    for activity in Activity.objects.all():
        if activity.sessions is not None and activity.participants is not None:
            assert activity.participants >= activity.sessions
        assert activity.end_date >= activity.start_date
    assert PreventionModel.objects.count() == 2


def test_demo_places_2024_activities_of_old_communes_in_todays_commune(seeded):
    thach_that = AdministrativeUnit.objects.get(name="Xã Thạch Thất", valid_to__isnull=True)
    old = Activity.objects.filter(unit__placement=thach_that, unit__valid_to__isnull=False)
    assert old.count() >= 2
    assert all(activity.start_date.year == 2024 for activity in old)
    rows = selectors.summarise_activities(
        selectors.activities_for_statistics(seeded["coordinator.hanoi"]), "unit", level=3
    )
    row = next(row for row in rows if row["key"] == thach_that.code)
    assert row["activities"] >= old.count() + 1


def test_demo_is_recorded_by_the_organisers_own_people(seeded):
    by_commune_a = Activity.objects.filter(organiser__name="Ủy ban nhân dân Xã Thạch Thất")
    assert by_commune_a.exists()
    assert {a.created_by.username for a in by_commune_a} == {"commune.hanoi.a"}
    by_womens_union = Activity.objects.filter(organiser__name="Hội Liên hiệp Phụ nữ Thành phố Hải Phòng")
    assert {a.created_by.username for a in by_womens_union} == {"prevention.haiphong"}
    assert {a.created_by.username for a in Activity.objects.filter(organiser__name__startswith="Thành đoàn")} == {
        "coordinator.hanoi"
    }


def test_demo_runs_again_without_creating_anything_twice(seeded):
    counts = (Campaign.objects.count(), Activity.objects.count(), PreventionModel.objects.count())
    titles = sorted(Activity.objects.values_list("title", "start_date"))
    result = seed_prevention_demo()
    assert result["activities_created"] == 0
    assert (Campaign.objects.count(), Activity.objects.count(), PreventionModel.objects.count()) == counts
    assert sorted(Activity.objects.values_list("title", "start_date")) == titles
