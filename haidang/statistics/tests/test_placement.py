"""The placement stored with each victim case and criminal case (places.placing), which the
statistics group on instead of joining the map: set when a record is saved with its unit, filled
by `fill_placement` for rows written in bulk, and never stale because the map cannot change under
records."""

import importlib
from datetime import date

import pytest

from haidang.cases.models import Case
from haidang.places.models import AdministrativeUnit, UnitLevel
from haidang.places.placing import fill_placement
from haidang.places.services import MapInUseError, load_admin_map
from haidang.proceedings.models import CriminalCase
from haidang.reporting.periods import parse
from haidang.statistics.query import ABOVE, run_query
from haidang.statistics.tests import figures_fixture as world

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def loaded(demo_users):
    return world.load(demo_users["admin"])


def placed(record) -> tuple[str | None, str | None]:
    record.refresh_from_db()
    codes = dict(AdministrativeUnit.objects.values_list("pk", "code"))
    return codes.get(record.placed_province_id), codes.get(record.placed_commune_id)


def test_a_case_made_under_an_old_commune_is_placed_in_today_s_commune_and_province(loaded):
    case = Case.objects.filter(unit=loaded["old_commune"]).first()
    assert case.unit.valid_to is not None  # made under the unit valid on its date
    assert placed(case) == ("01", "09955")
    at_province = Case.objects.filter(unit=loaded["hanoi"]).first()
    assert placed(at_province) == ("01", None)  # recorded at the province itself: no commune


def test_moving_a_case_to_another_unit_moves_its_placement(loaded):
    case = Case.objects.filter(unit=loaded["thach_that"]).first()
    case.unit = loaded["hong_bang"]
    case.save(update_fields=["unit", "version", "updated_at"])  # as an accepted transfer saves it
    assert placed(case) == ("31", "11311")
    criminal_case = CriminalCase.objects.filter(unit=loaded["old_commune"]).first()
    criminal_case.unit = loaded["haiphong"]
    criminal_case.save()
    assert placed(criminal_case) == ("31", None)


def test_saving_other_fields_keeps_the_placement(loaded):
    case = Case.objects.filter(unit=loaded["thach_that"]).first()
    case.route = "domestic"
    case.save(update_fields=["route"])
    assert placed(case) == ("01", "09955")


def test_cases_written_in_bulk_count_in_their_province_once_their_placement_is_filled(loaded, demo_users):
    analyst = demo_users["analyst"]
    template = Case.objects.filter(unit=loaded["hong_bang"]).first()
    person = template.person
    bulk = [
        Case(
            number=f"BULK-{n}",
            province=template.province,
            year=2023,
            sequence=90_000 + n,
            person=person,
            legal_regime="2011",
            intake_channel="rescue",
            reception_date=date(2023, 5, n + 1),
            agency=template.agency,
            unit=template.unit,
            created_by=template.created_by,
        )
        for n in range(3)
    ]
    Case.objects.bulk_create(bulk)  # bypasses save(): no placement yet

    def haiphong_2023():
        result = run_query(analyst, "victims_received", parse("2023"), None, UnitLevel.PROVINCE, compare=False)
        return {row.unit_code: row.value for row in result.rows if row.value}

    assert haiphong_2023() == {ABOVE: 1}  # one person, not yet placed below the nation
    assert fill_placement(Case.objects.filter(number__startswith="BULK-")) == 3
    assert haiphong_2023() == {"31": 1}


def test_the_map_cannot_change_under_placed_records(loaded):
    # Placements are derived from the map; a reload is refused once records refer to it, so a
    # stored placement is only ever changed with the record's unit.
    with pytest.raises(MapInUseError):
        load_admin_map(reload=True)


@pytest.mark.parametrize(
    ("migration", "model"),
    [
        ("haidang.cases.migrations.0011_case_placement", Case),
        ("haidang.proceedings.migrations.0004_criminal_case_placement", CriminalCase),
    ],
)
def test_the_migration_places_records_written_before_it(loaded, migration, model):
    from django.apps import apps

    saved = dict(model.objects.values_list("pk", "placed_province_id"))
    communes = dict(model.objects.values_list("pk", "placed_commune_id"))
    assert any(saved.values()) and any(communes.values())
    model.objects.update(placed_province=None, placed_commune=None)  # as the rows were before it
    importlib.import_module(migration).fill_placement(apps, None)
    assert dict(model.objects.values_list("pk", "placed_province_id")) == saved
    assert dict(model.objects.values_list("pk", "placed_commune_id")) == communes
