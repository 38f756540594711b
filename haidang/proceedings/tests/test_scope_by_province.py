"""The register of a province is read on the placement stored with each criminal case (access.scope),
old units placed through the crosswalk included, and nothing of another province."""

import importlib
from datetime import date

from django.apps import apps

from haidang.proceedings import selectors
from haidang.proceedings.models import CriminalCase
from haidang.proceedings.tests.conftest import agency


def where(queryset) -> str:
    return str(queryset.query).split(" WHERE ", 1)[1].split(" GROUP BY ", 1)[0]


def test_a_province_investigator_reads_the_stored_placement(make_case, people, units):
    old = make_case(unit=units["old_commune"], detected_on=date(2024, 5, 2))
    haiphong = make_case(
        actor=people["police.haiphong.test"],
        investigating_agency=agency("Công an Thành phố Hải Phòng"),
        unit=units["haiphong"],
    )
    hanoi_police = people["police.hanoi"]
    visible = selectors.criminal_cases_visible_to(hanoi_police)
    assert "placed_province_id" in where(visible)
    assert set(visible.values_list("pk", flat=True)) == {old.pk}
    assert selectors.get_criminal_case_for_user(hanoi_police, haiphong.pk) is None
    # A commune investigator keeps the list of unit ids, and sees the old commune's case.
    commune_police = people["police.thachthat.test"]
    assert "placed_province_id" not in where(selectors.criminal_cases_visible_to(commune_police))
    assert selectors.get_criminal_case_for_user(commune_police, old.pk) == old


def test_the_migration_fills_a_missing_placement(make_case, people, units):
    old = make_case(unit=units["old_commune"], detected_on=date(2024, 5, 2))
    CriminalCase.objects.filter(pk=old.pk).update(placed_province=None, placed_commune=None)
    assert selectors.get_criminal_case_for_user(people["police.hanoi"], old.pk) is None
    migration = importlib.import_module("haidang.proceedings.migrations.0005_fill_missing_placement")
    migration.fill_missing_placement(apps, None)
    filled = CriminalCase.objects.get(pk=old.pk)
    assert (filled.placed_province_id, filled.placed_commune_id) == (units["hanoi"].pk, units["thach_that"].pk)
    assert selectors.get_criminal_case_for_user(people["police.hanoi"], old.pk) == old
