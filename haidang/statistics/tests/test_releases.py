"""Releases: built from the records under the author's scope, protected, approved by someone else, published."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from haidang.audit.models import AuditEntry
from haidang.places.models import AdministrativeUnit
from haidang.statistics import disclosure, services
from haidang.statistics.disclosure import TOTAL, Key
from haidang.statistics.models import Audience, Release, ReleaseStatus
from haidang.statistics.tests.release_fixture import load_release_world, national_releaser

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def world(demo_users):
    return load_release_world(demo_users["caseworker.hanoi"])


def spec(**overrides):
    values = {
        "title": "Victims received, first quarter 2026",
        "audience": Audience.PUBLIC,
        "indicators": ["victims_received"],
        "breakdowns": ["sex"],
        "period": "2026Q1",
        "unit": None,
        "level": 1,
    }
    values.update(overrides)
    return services.check_spec(**values)


def cell(release, row, column, position=0):
    return release.tables.get(position=position).cells["cells"][f"{row}|{column}"]["value"]


def test_a_national_release_hides_small_counts_and_what_would_give_them_away(world, demo_users):
    release = services.create_release(actor=demo_users["analyst"], spec=spec())
    assert release.status == ReleaseStatus.DRAFT
    assert release.audit["passed"]
    table = release.tables.get()
    assert table.protected
    # Hà Nội: 23 received, 20 women, 3 men. Hải Phòng: 4 women.
    assert cell(release, "31", TOTAL) is None
    assert cell(release, "31", "female") is None
    assert cell(release, "01", "male") is None
    # ... and enough complements that neither can be worked out from the totals.
    assert cell(release, "01", "female") is None
    assert cell(release, "VN", TOTAL) == 25  # 27, rounded to 5
    # Provinces with nobody show a zero, and other figures are multiples of five.
    assert cell(release, "48", TOTAL) == 0
    for value in table.cells["cells"].values():
        assert value["value"] is None or value["value"] % 5 == 0
    # The true counts stay inside, with the reason each cell is hidden.
    assert table.internal["31|*"] == {"value": 4, "reason": "primary"}


def test_the_stored_release_passes_an_independent_audit(world, demo_users):
    release = services.create_release(actor=demo_users["analyst"], spec=spec())
    table = release.tables.get()
    truth, hidden, sensitive = {}, set(), set()
    for cell_id, inside in table.internal.items():
        row, column = cell_id.rsplit("|", 1)
        key = (
            Key.total("victims_received", row, "2026Q1")
            if column == TOTAL
            else Key("victims_received", row, "sex", column, "2026Q1")
        )
        truth[key] = inside["value"]
        if table.cells["cells"][cell_id]["value"] is None:
            hidden.add(key)
        if inside["reason"] == "primary":
            sensitive.add(key)
    provinces = [row["code"] for row in table.cells["rows"] if not row["total"]]
    categories = [column["code"] for column in table.cells["columns"] if column["code"] != TOTAL]
    structure = disclosure.Structure(row_children={"VN": provinces}, categories={"sex": categories})
    relations = disclosure.derive_relations(truth, structure)
    result = disclosure.audit(truth, hidden, relations, threshold=10, only=sensitive)
    assert len(result.ranges) == 4 and result.passed
    assert all(item.width >= 10 for item in result.ranges)


def test_victim_counts_go_no_finer_than_province_and_quarter(world, demo_users):
    commune = AdministrativeUnit.objects.get(code="09955", valid_to__isnull=True)
    hanoi = AdministrativeUnit.objects.get(code="01", valid_to__isnull=True)
    with pytest.raises(ValidationError) as by_commune:
        spec(unit=hanoi, level=3)
    assert "level" in by_commune.value.message_dict
    with pytest.raises(ValidationError) as in_commune:
        spec(unit=commune, level=0)
    assert "level" in in_commune.value.message_dict
    with pytest.raises(ValidationError) as by_month:
        spec(period="2026M02")
    assert "period" in by_month.value.message_dict
    with pytest.raises(ValidationError) as custom:
        spec(period="2026-01-01_2026-01-31")
    assert "period" in custom.value.message_dict
    # Prevention work is not about persons: communes and months are fine.
    prevention = spec(indicators=["prevention_sessions"], breakdowns=[], unit=hanoi, level=3, period="2026M03")
    assert prevention.level == 3


def test_bad_requests_name_their_fields(world):
    with pytest.raises(ValidationError) as error:
        services.check_spec(
            title=" ",
            audience="everyone",
            indicators=["nope"],
            breakdowns=["ethnicity"],
            period="2026Q5",
            unit=None,
            level=2,
        )
    assert set(error.value.message_dict) == {"title", "audience", "indicators", "breakdowns", "period", "level"}


def test_approval_takes_someone_else_with_the_right_over_the_whole_area(world, demo_users):
    hanoi = AdministrativeUnit.objects.get(code="01", valid_to__isnull=True)
    release = services.create_release(
        actor=demo_users["coordinator.hanoi"], spec=spec(unit=hanoi, level=0, title="Hà Nội, quý I/2026")
    )
    with pytest.raises(ValidationError) as own:
        services.approve_release(actor=demo_users["coordinator.hanoi"], release=release)
    assert "approved_by" in own.value.message_dict
    with pytest.raises(PermissionDenied):  # another province's coordinator
        services.approve_release(actor=demo_users["coordinator.haiphong"], release=release)
    with pytest.raises(PermissionDenied):  # an analyst sees figures but does not release them
        services.approve_release(actor=demo_users["analyst"], release=release)
    with pytest.raises(ValidationError):  # not approved yet
        services.publish_release(actor=demo_users["coordinator.hanoi"], release=release)

    national = national_releaser()
    approved = services.approve_release(actor=national, release=release)
    assert approved.status == ReleaseStatus.APPROVED
    assert approved.approved_by == national and approved.approved_at is not None
    published = services.publish_release(actor=demo_users["coordinator.hanoi"], release=release)
    assert published.status == ReleaseStatus.PUBLISHED and published.published_at is not None
    actions = list(AuditEntry.objects.filter(object_id=str(release.pk)).order_by("id").values_list("action", flat=True))
    assert actions == [
        "statistics.release_created",
        "statistics.release_approved",
        "statistics.release_published",
    ]


def test_a_national_release_needs_a_national_approver(world, demo_users):
    release = services.create_release(actor=demo_users["analyst"], spec=spec())
    with pytest.raises(PermissionDenied):
        services.approve_release(actor=demo_users["coordinator.hanoi"], release=release)
    services.approve_release(actor=national_releaser(), release=release)


def test_an_author_outside_the_area_cannot_build_it(world, demo_users):
    with pytest.raises(PermissionDenied):
        services.create_release(actor=demo_users["coordinator.haiphong"], spec=spec())


def test_withdrawing_takes_a_reason(world, demo_users):
    release = services.create_release(actor=demo_users["analyst"], spec=spec())
    national = national_releaser()
    services.approve_release(actor=national, release=release)
    services.publish_release(actor=national, release=release)
    with pytest.raises(ValidationError) as error:
        services.withdraw_release(actor=national, release=release, reason="  ")
    assert "reason" in error.value.message_dict
    withdrawn = services.withdraw_release(actor=national, release=release, reason="Số liệu sai")
    assert withdrawn.status == ReleaseStatus.WITHDRAWN
    with pytest.raises(ValidationError):
        services.publish_release(actor=national, release=release)


def publish(release, approver):
    services.approve_release(actor=approver, release=release)
    return services.publish_release(actor=approver, release=release)


def test_a_new_version_is_protected_together_with_what_was_published(world, demo_users):
    national = national_releaser()
    first = publish(services.create_release(actor=demo_users["analyst"], spec=spec()), national)
    second = services.new_version(actor=demo_users["analyst"], release=first)
    assert (second.series, second.version) == (first.series, 2)
    # What was hidden stays hidden, and nothing published before is hidden now.
    before = first.tables.get().cells["cells"]
    after = second.tables.get().cells["cells"]
    for cell_id, figure in before.items():
        assert (figure["value"] is None) == (after[cell_id]["value"] is None), cell_id
    assert second.audit["passed"]


def test_a_half_year_next_to_a_published_quarter_keeps_the_quarter_protected(world, demo_users):
    national = national_releaser()
    q1 = publish(services.create_release(actor=demo_users["analyst"], spec=spec()), national)
    assert cell(q1, "01", "male") is None
    q2 = publish(services.create_release(actor=demo_users["analyst"], spec=spec(period="2026Q2", title="Q2")), national)
    half = services.create_release(actor=demo_users["analyst"], spec=spec(period="2026S1", title="S1"))
    assert half.audit["passed"]
    # Hà Nội men: 3 in Q1 (hidden), 14 in Q2, 17 in S1. Publishing both Q2 and S1 exactly would
    # give the 3 back, so one of them is hidden (the published Q2 cannot be taken back: S1 is).
    assert cell(q2, "01", "male") is not None
    assert cell(half, "01", "male") is None
    assert any(item["earlier"] for item in half.audit_ranges)


def test_a_release_published_meanwhile_is_checked_at_approval(world, demo_users):
    national = national_releaser()
    # Both drafts built before either is out: each alone is safe.
    q2 = services.create_release(actor=demo_users["analyst"], spec=spec(period="2026Q2", title="Q2"))
    half = services.create_release(actor=demo_users["analyst"], spec=spec(period="2026S1", title="S1"))
    q1 = services.create_release(actor=demo_users["analyst"], spec=spec())
    publish(q2, national)
    publish(half, national)
    with pytest.raises(ValidationError) as error:
        services.approve_release(actor=national, release=q1)
    assert "new version" in str(error.value)
    assert Release.objects.get(pk=q1.pk).status == ReleaseStatus.DRAFT


def test_counts_that_are_not_about_persons_are_published_as_counted(world, demo_users):
    hanoi = AdministrativeUnit.objects.get(code="01", valid_to__isnull=True)
    release = services.create_release(
        actor=demo_users["coordinator.hanoi"],
        spec=spec(indicators=["prevention_activities"], breakdowns=[], unit=hanoi, level=0, period="2026Q1"),
    )
    table = release.tables.get()
    assert not table.protected
    assert all(value["value"] is not None for value in table.cells["cells"].values())


def test_the_demonstration_release_is_published_once(demo_users, client):
    from haidang.proceedings.demo import seed_proceedings_demo
    from haidang.statistics.demo import seed_statistics_demo

    seed_proceedings_demo()
    release = seed_statistics_demo()
    assert release is not None and release.status == ReleaseStatus.PUBLISHED
    assert release.approved_by.username == "coordinator.hanoi" and release.created_by.username == "analyst"
    assert release.period.endswith(("Q1", "Q2", "Q3", "Q4"))
    assert seed_statistics_demo().pk == release.pk
    assert Release.objects.count() == 1
    assert release.title in client.get("/statistics/public/").content.decode()


def test_nine_months_next_to_published_quarters_keeps_the_hidden_quarter_protected(world, demo_users):
    national = national_releaser()
    q1 = publish(services.create_release(actor=demo_users["analyst"], spec=spec()), national)
    assert cell(q1, "01", "male") is None
    publish(services.create_release(actor=demo_users["analyst"], spec=spec(period="2026Q2", title="Q2")), national)
    publish(services.create_release(actor=demo_users["analyst"], spec=spec(period="2026Q3", title="Q3")), national)
    nine = services.create_release(actor=demo_users["analyst"], spec=spec(period="2026N9", title="9 tháng"))
    assert nine.audit["passed"]
    # Q2 and Q3 published exactly beside the nine months would give back Q1's hidden 3 men of Hà Nội.
    assert cell(nine, "01", "male") is None


def test_nested_periods_tile_each_other_with_the_nine_months():
    """Releasing a year and its nine months would give away the last quarter: the tilings say so."""
    from haidang.statistics.services import _period_parts

    parts = _period_parts(["2026", "2026N9C"])
    assert ["2026N9", "2026Q4"] in parts["2026"]
    assert parts["2026N9C"] == [["2026S1C", "2026Q3C"], ["2026Q1C", "2026Q2C", "2026Q3C"]]
