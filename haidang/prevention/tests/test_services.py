"""Recording prevention work: every validation rule, the counting rule, summaries, scope."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from haidang.access.models import Agency
from haidang.audit.models import AuditEntry
from haidang.places.models import AdministrativeUnit, UnitLevel
from haidang.places.territory import Territory
from haidang.prevention import selectors, services
from haidang.prevention.models import Activity

pytestmark = pytest.mark.django_db

DAY = date(2026, 7, 15)


def commune(name, province="01"):
    return AdministrativeUnit.objects.get(parent__code=province, valid_to__isnull=True, name=name)


def agency(name):
    return Agency.objects.get(name=name)


@pytest.fixture
def places(demo_users):
    thach_that = commune("Xã Thạch Thất")
    old_commune = (
        AdministrativeUnit.objects.filter(placement=thach_that, valid_to__isnull=False, level=UnitLevel.COMMUNE)
        .order_by("name")
        .first()
    )
    return {
        "hanoi": AdministrativeUnit.objects.get(code="01", valid_to__isnull=True),
        "thach_that": thach_that,
        "tay_phuong": commune("Xã Tây Phương"),
        "old_commune": old_commune,
        "hong_bang": commune("Phường Hồng Bàng", "31"),
    }


def record(actor, **overrides):
    data = {
        "activity_type": "communication_session",
        "title": "Tuyên truyền tại nhà văn hoá thôn",
        "start_date": DAY,
        "unit": overrides.pop("unit"),
        "organiser": overrides.pop("organiser"),
        "sessions": 1,
        "participants": 60,
    }
    data.update(overrides)
    return services.create_activity(actor=actor, data=data)


def errors_of(call) -> dict:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict


# --- Validation: each rule refused with a message naming its field -------------------------------


def test_negative_counts_are_refused(demo_users, places):
    officer = demo_users["commune.hanoi.a"]
    own = agency("Ủy ban nhân dân Xã Thạch Thất")
    errors = errors_of(lambda: record(officer, unit=places["thach_that"], organiser=own, participants=-5))
    assert "participants" in errors and "-5" in errors["participants"][0]
    errors = errors_of(
        lambda: record(
            officer, unit=places["thach_that"], organiser=own, materials=[{"kind": "leaflet", "produced": -1}]
        )
    )
    assert "materials" in errors
    assert not Activity.objects.exists()


def test_end_before_start_is_refused(demo_users, places):
    errors = errors_of(
        lambda: record(
            demo_users["commune.hanoi.a"],
            unit=places["thach_that"],
            organiser=agency("Ủy ban nhân dân Xã Thạch Thất"),
            end_date=DAY - timedelta(days=1),
        )
    )
    assert "end_date" in errors and "15/07/2026" in errors["end_date"][0]


def test_a_date_far_in_the_future_is_refused(demo_users, places):
    far = timezone.localdate() + timedelta(days=800)
    errors = errors_of(
        lambda: record(
            demo_users["commune.hanoi.a"],
            unit=places["thach_that"],
            organiser=agency("Ủy ban nhân dân Xã Thạch Thất"),
            start_date=far,
            end_date=far,
        )
    )
    assert "start_date" in errors


def test_a_unit_not_valid_on_the_date_is_refused_naming_its_successor(demo_users, places):
    # A 2026 activity cannot be placed in a commune that ceased to exist on 30/06/2025...
    errors = errors_of(
        lambda: record(
            demo_users["commune.hanoi.a"],
            unit=places["old_commune"],
            organiser=agency("Ủy ban nhân dân Xã Thạch Thất"),
        )
    )
    assert places["old_commune"].name in errors["unit"][0] and "Xã Thạch Thất" in errors["unit"][0]
    # ...nor a 2024 activity in a commune that did not exist yet.
    errors = errors_of(
        lambda: record(
            demo_users["commune.hanoi.a"],
            unit=places["thach_that"],
            organiser=agency("Ủy ban nhân dân Xã Thạch Thất"),
            start_date=date(2024, 7, 30),
        )
    )
    assert "unit" in errors


def test_participants_fewer_than_sessions_is_refused(demo_users, places):
    errors = errors_of(
        lambda: record(
            demo_users["commune.hanoi.a"],
            unit=places["thach_that"],
            organiser=agency("Ủy ban nhân dân Xã Thạch Thất"),
            sessions=5,
            participants=3,
        )
    )
    assert "participants" in errors


def test_participants_by_sex_cannot_exceed_the_total(demo_users, places):
    errors = errors_of(
        lambda: record(
            demo_users["commune.hanoi.a"],
            unit=places["thach_that"],
            organiser=agency("Ủy ban nhân dân Xã Thạch Thất"),
            participants=10,
            participants_female=8,
            participants_male=5,
        )
    )
    assert "participants_female" in errors


def test_a_unit_outside_the_users_area_is_refused(demo_users, places):
    errors = errors_of(
        lambda: record(
            demo_users["commune.hanoi.a"],
            unit=places["tay_phuong"],
            organiser=agency("Ủy ban nhân dân Xã Thạch Thất"),
        )
    )
    assert "unit" in errors


def test_roles_without_prevention_work_cannot_record(demo_users, places):
    with pytest.raises(PermissionDenied):
        record(demo_users["analyst"], unit=places["thach_that"], organiser=agency("Ủy ban nhân dân Xã Thạch Thất"))


def test_a_valid_activity_is_saved_with_its_materials_and_audited(demo_users, places):
    activity = record(
        demo_users["commune.hanoi.a"],
        unit=places["thach_that"],
        organiser=agency("Ủy ban nhân dân Xã Thạch Thất"),
        target_groups=["students", "women"],
        materials=[{"kind": "leaflet", "produced": 500, "distributed": 450}],
        title="  Tuye\u0302n truye\u0302\u0300n  ",  # decomposed Unicode and extra spaces
    )
    assert activity.end_date == DAY
    assert activity.title == "Tuyên truyền"
    assert activity.materials.get().distributed == 450
    assert AuditEntry.objects.filter(action="prevention.activity_created", object_id=str(activity.pk)).exists()


# --- Optimistic locking ---------------------------------------------------------------------------


def test_a_stale_update_is_refused_and_changes_nothing(demo_users, places):
    officer = demo_users["commune.hanoi.a"]
    activity = record(officer, unit=places["thach_that"], organiser=agency("Ủy ban nhân dân Xã Thạch Thất"))
    first = services.update_activity(actor=officer, activity=activity, version=1, data={"participants": 80})
    assert first.version == 2
    with pytest.raises(services.StaleVersionError) as stale:
        services.update_activity(actor=officer, activity=activity, version=1, data={"participants": 99})
    assert stale.value.current_version == 2
    assert Activity.objects.get(pk=activity.pk).participants == 80


def test_only_the_organiser_or_a_coordinator_may_edit(demo_users, places):
    activity = record(
        demo_users["commune.hanoi.a"], unit=places["thach_that"], organiser=agency("Ủy ban nhân dân Xã Thạch Thất")
    )
    assert selectors.can_edit_activity(demo_users["coordinator.hanoi"], activity)
    assert not selectors.can_edit_activity(demo_users["commune.hanoi.b"], activity)
    with pytest.raises(PermissionDenied):
        services.update_activity(actor=demo_users["commune.hanoi.b"], activity=activity, version=1, data={})


# --- Counting, summaries, scope --------------------------------------------------------------------


def test_joint_activity_counts_once_in_totals_and_for_each_organiser(demo_users, places):
    coordinator = demo_users["coordinator.hanoi"]
    women = agency("Hội Liên hiệp Phụ nữ Thành phố Hà Nội")
    youth = agency("Thành đoàn Hà Nội")
    record(coordinator, unit=places["thach_that"], organiser=women, co_organisers=[youth], participants=100)
    record(coordinator, unit=places["tay_phuong"], organiser=youth, participants=40)
    visible = selectors.activities_visible_to(coordinator)
    totals = selectors.activity_totals(visible)
    assert totals["activities"] == 2 and totals["participants"] == 140
    by_agency = {row["label"]: row for row in selectors.summarise_activities(visible, "agency")}
    assert by_agency[women.name]["participants"] == 100
    assert by_agency[youth.name]["participants"] == 140
    assert by_agency[youth.name]["activities"] == 2
    # Filtering by an agency finds the joint activity once.
    assert selectors.filter_activities(visible, agency=youth).count() == 2


def test_summaries_place_old_units_in_their_successors(demo_users, places):
    coordinator = demo_users["coordinator.hanoi"]
    committee = agency("Ủy ban nhân dân Xã Thạch Thất")
    # Recorded in 2024 under the old commune, and in 2026 under today's Xã Thạch Thất.
    record(coordinator, unit=places["old_commune"], organiser=committee, start_date=date(2024, 7, 30), participants=30)
    record(coordinator, unit=places["thach_that"], organiser=committee, participants=70)
    record(coordinator, unit=places["tay_phuong"], organiser=committee, participants=5)
    visible = selectors.activities_visible_to(coordinator)
    by_commune = {row["key"]: row for row in selectors.summarise_activities(visible, "unit", level=UnitLevel.COMMUNE)}
    assert by_commune[places["thach_that"].code]["participants"] == 100
    assert by_commune[places["thach_that"].code]["activities"] == 2
    by_province = selectors.summarise_activities(visible, "unit", level=UnitLevel.PROVINCE)
    assert [(row["key"], row["participants"]) for row in by_province] == [("01", 105)]
    in_thach_that = selectors.filter_activities(visible, territory=Territory(places["thach_that"], date(2026, 1, 1)))
    assert in_thach_that.count() == 2
    in_old_commune = selectors.filter_activities(visible, territory=Territory(places["old_commune"], date(2024, 1, 1)))
    assert in_old_commune.count() == 1
    by_year = {row["key"]: row["activities"] for row in selectors.summarise_activities(visible, "year")}
    assert by_year == {"2024": 1, "2026": 2}


def test_a_commune_sees_its_own_and_a_province_its_communes(demo_users, places):
    hanoi_coordinator = demo_users["coordinator.hanoi"]
    own = record(
        demo_users["commune.hanoi.a"], unit=places["thach_that"], organiser=agency("Ủy ban nhân dân Xã Thạch Thất")
    )
    other = record(
        demo_users["commune.hanoi.b"], unit=places["tay_phuong"], organiser=agency("Ủy ban nhân dân Xã Tây Phương")
    )
    assert set(selectors.activities_visible_to(demo_users["commune.hanoi.a"])) == {own}
    assert set(selectors.activities_visible_to(hanoi_coordinator)) == {own, other}
    assert not selectors.activities_visible_to(demo_users["coordinator.haiphong"]).exists()
    assert selectors.get_activity_for_user(demo_users["commune.hanoi.a"], other.pk) is None
    # Analysts: aggregates only.
    assert not selectors.activities_visible_to(demo_users["analyst"]).exists()
    assert selectors.activities_for_statistics(demo_users["analyst"]).count() == 2


def test_summary_by_period_and_type(demo_users, places):
    coordinator = demo_users["coordinator.hanoi"]
    committee = agency("Ủy ban nhân dân Xã Thạch Thất")
    record(coordinator, unit=places["thach_that"], organiser=committee, start_date=date(2026, 1, 10))
    record(
        coordinator,
        unit=places["thach_that"],
        organiser=committee,
        activity_type="loudspeaker",
        broadcast_minutes=45,
        sessions=None,
        participants=None,
    )
    visible = selectors.activities_visible_to(coordinator)
    quarters = [row["key"] for row in selectors.summarise_activities(visible, "quarter")]
    assert quarters == ["2026-Q1", "2026-Q3"]
    by_type = {row["key"]: row for row in selectors.summarise_activities(visible, "type")}
    assert by_type["loudspeaker"]["broadcast_minutes"] == 45
