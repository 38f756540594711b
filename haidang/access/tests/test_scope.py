"""One scope rule: own unit and below, narrowed by role; siblings and parents are out of scope."""

import pytest

from haidang.access import selectors, services
from haidang.access.models import Agency, AgencyType
from haidang.access.roles import Capability, Role, role_can
from haidang.access.scope import scope_for
from haidang.places.models import AdministrativeUnit

PASSWORD = "a-Long-pass-phrase-42"


def current(code, **filters):
    return AdministrativeUnit.objects.get(code=code, valid_to__isnull=True, **filters)


def commune(province_code, name):
    return AdministrativeUnit.objects.get(parent__code=province_code, valid_to__isnull=True, name=name)


@pytest.fixture
def places(db):
    nation = current("VN")
    hanoi = current("01")
    haiphong = current("31")
    thach_that = commune("01", "Xã Thạch Thất")
    tay_phuong = commune("01", "Xã Tây Phương")
    # An old commune of the former Thạch Thất district whose records now count in Xã Thạch Thất.
    old_in_thach_that = AdministrativeUnit.objects.filter(placement=thach_that, valid_to__isnull=False, level=3).first()
    return {
        "nation": nation,
        "hanoi": hanoi,
        "haiphong": haiphong,
        "thach_that": thach_that,
        "tay_phuong": tay_phuong,
        "old_in_thach_that": old_in_thach_that,
    }


def make_member(role, unit, name):
    agency = services.create_agency(actor=None, name=f"Cơ quan {name}", agency_type=AgencyType.NGO, unit=unit)
    user = services.create_user(actor=None, username=name, password=PASSWORD)
    services.add_membership(actor=None, user=user, agency=agency, unit=unit, role=role)
    return user


# For a member at a province: own = the province, child = one of its communes,
# sibling = another province, parent = the nation.
# For a member at a commune: own = the commune, child = an old commune placed in it,
# sibling = another commune of the province, parent = the province.
# For a national coordinator: own = the nation, child = a province, grandchild = a commune.
def relations(places, role):
    if role == Role.NATIONAL_COORDINATOR:
        return places["nation"], {"own": places["nation"], "child": places["hanoi"], "grandchild": places["thach_that"]}
    if role == Role.COMMUNE_OFFICER:
        return places["thach_that"], {
            "own": places["thach_that"],
            "child": places["old_in_thach_that"],
            "sibling": places["tay_phuong"],
            "parent": places["hanoi"],
        }
    return places["hanoi"], {
        "own": places["hanoi"],
        "child": places["thach_that"],
        "sibling": places["haiphong"],
        "parent": places["nation"],
    }


@pytest.mark.parametrize("role", Role.values)
@pytest.mark.parametrize("capability", Capability.values)
def test_scope_matrix(places, role, capability):
    home, units = relations(places, role)
    user = make_member(role, home, f"u-{role}")
    scope = scope_for(user)
    for relation, unit in units.items():
        expected = role_can(role, capability) and relation in {"own", "child", "grandchild"}
        assert scope.covers_unit(unit, capability) is expected, (role, capability, relation)


def test_records_of_old_units_are_placed_through_the_crosswalk(places):
    assert places["old_in_thach_that"] is not None
    officer = make_member(Role.COMMUNE_OFFICER, places["thach_that"], "officer-a")
    other = make_member(Role.COMMUNE_OFFICER, places["tay_phuong"], "officer-b")
    old_agency = Agency.objects.create(
        name="Cơ quan cũ", agency_type=AgencyType.COMMUNE_PEOPLES_COMMITTEE, unit=places["old_in_thach_that"]
    )
    assert selectors.agencies_visible_to(officer).filter(pk=old_agency.pk).exists()
    assert not selectors.agencies_visible_to(other).filter(pk=old_agency.pk).exists()


def test_scope_is_narrowed_by_role_per_membership(places):
    user = make_member(Role.PREVENTION_OFFICER, places["hanoi"], "two-hats")
    agency = services.create_agency(
        actor=None,
        name="UBND thử",
        agency_type=AgencyType.COMMUNE_PEOPLES_COMMITTEE,
        unit=places["tay_phuong"],
    )
    services.add_membership(actor=None, user=user, agency=agency, unit=places["tay_phuong"], role=Role.COMMUNE_OFFICER)
    scope = scope_for(user)
    # Prevention work across the province, but case records only in the one commune.
    assert scope.covers_unit(places["thach_that"], Capability.MANAGE_PREVENTION)
    assert not scope.covers_unit(places["thach_that"], Capability.VIEW_CASES)
    assert scope.covers_unit(places["tay_phuong"], Capability.VIEW_CASES)


def test_ended_membership_grants_nothing(places):
    user = make_member(Role.CASE_WORKER, places["hanoi"], "leaver")
    membership = user.memberships.get()
    services.end_membership(actor=user, membership=membership)
    user = type(user).objects.get(pk=user.pk)
    assert scope_for(user).capabilities == frozenset()
    assert not selectors.agencies_visible_to(user).exists()


def test_agency_outside_scope_answers_404_on_page_and_api(demo_users, sign_in, api_client):
    haiphong_agency = Agency.objects.get(name="Sở Y tế Thành phố Hải Phòng")
    hanoi_agency = Agency.objects.get(name="Sở Y tế Thành phố Hà Nội")
    api = api_client(demo_users["coordinator.hanoi"])
    assert api.get(f"/api/v1/agencies/{hanoi_agency.pk}").status_code == 200
    response = api.get(f"/api/v1/agencies/{haiphong_agency.pk}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    missing = api.get("/api/v1/agencies/00000000-0000-0000-0000-000000000000")
    assert missing.status_code == 404 and missing.json() == response.json()


def test_agency_lists_follow_scope(demo_users):
    commune_officer = demo_users["commune.hanoi.a"]
    names = set(selectors.agencies_visible_to(commune_officer).values_list("name", flat=True))
    assert "Ủy ban nhân dân Xã Thạch Thất" in names
    assert "Sở Y tế Thành phố Hà Nội" in names  # the province above, to refer and report to
    assert "Ủy ban nhân dân Xã Tây Phương" not in names  # a sibling commune
    assert "Sở Y tế Thành phố Hải Phòng" not in names  # another province
    assert not selectors.agencies_visible_to(demo_users["analyst"]).exists()
    national = selectors.agencies_visible_to(demo_users["admin"])
    assert national.filter(name="Sở Y tế Thành phố Hải Phòng").exists()


def test_membership_rules_refuse_old_units_and_units_outside_the_agency(places):
    from django.core.exceptions import ValidationError

    agency = services.create_agency(
        actor=None, name="Sở thử", agency_type=AgencyType.DEPARTMENT_OF_HEALTH, unit=places["hanoi"]
    )
    user = services.create_user(actor=None, username="newbie", password=PASSWORD)
    with pytest.raises(ValidationError) as outside:
        services.add_membership(actor=None, user=user, agency=agency, unit=places["haiphong"], role=Role.CASE_WORKER)
    assert "unit" in outside.value.message_dict
    with pytest.raises(ValidationError) as old:
        services.add_membership(
            actor=None, user=user, agency=agency, unit=places["old_in_thach_that"], role=Role.CASE_WORKER
        )
    assert places["old_in_thach_that"].name in old.value.message_dict["unit"][0]
    with pytest.raises(ValidationError):
        services.add_membership(actor=None, user=user, agency=agency, unit=places["hanoi"], role=Role.COMMUNE_OFFICER)


def test_coordinators_work_at_their_own_level(places):
    from django.core.exceptions import ValidationError

    steering = services.create_agency(
        actor=None, name="Ban chỉ đạo thử", agency_type=AgencyType.STEERING_COMMITTEE, unit=places["nation"]
    )
    user = services.create_user(actor=None, username="coordinator-x", password=PASSWORD)
    for unit, role in ((places["hanoi"], Role.NATIONAL_COORDINATOR), (places["nation"], Role.PROVINCE_COORDINATOR)):
        with pytest.raises(ValidationError) as refused:
            services.add_membership(actor=None, user=user, agency=steering, unit=unit, role=role)
        assert "role" in refused.value.message_dict
    national = Role.NATIONAL_COORDINATOR
    services.add_membership(actor=None, user=user, agency=steering, unit=places["nation"], role=national)
    scope = scope_for(user)
    assert scope.covers_unit(places["haiphong"], Capability.RELEASE_STATISTICS)
    assert not scope.can(Capability.MANAGE_RATES)
