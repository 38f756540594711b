"""Suspects are found again by the keyed hashes of their document and name, never by their sealed values."""

import importlib

from django.apps import apps

from haidang.proceedings import services
from haidang.proceedings.models import Suspect
from haidang.proceedings.selectors import suspect_matches


def _suspect(make_case, people, **data):
    case = make_case()
    values = {"full_name": "Trần Văn Bình (minh họa)", "document_number": "001090000123", "birth_year": 1990}
    values.update(data)
    return services.add_suspect(actor=people["police.hanoi"], criminal_case=case, data={"role": "broker", **values})


def test_a_suspect_is_found_by_document_or_by_name_and_birth_year_within_the_readers_area(make_case, people):
    suspect = _suspect(make_case, people)
    police = people["police.hanoi"]
    by_document = suspect_matches(police, full_name="Người khác (minh họa)", document_number="0010 9000-0123")
    assert [(m.suspect_id, m.reason) for m in by_document] == [(suspect.pk, "document")]
    by_name = suspect_matches(police, full_name="binh tran van (minh hoa)", birth_year=1990)
    assert [(m.suspect_id, m.reason) for m in by_name] == [(suspect.pk, "name")]
    assert suspect_matches(police, full_name="Trần Văn Bình (minh họa)", birth_year=1991) == []
    assert suspect_matches(people["police.haiphong.test"], full_name="X", document_number="001090000123") == []


def test_a_corrected_name_or_document_is_found_by_its_new_keys(make_case, people):
    suspect = _suspect(make_case, people)
    services.update_suspect(
        actor=people["police.hanoi"], suspect=suspect, version=suspect.version, data={"document_number": "B7654321"}
    )
    police = people["police.hanoi"]
    assert suspect_matches(police, full_name="X", document_number="001090000123") == []
    assert [m.suspect_id for m in suspect_matches(police, full_name="X", document_number="b 765 4321")] == [suspect.pk]


def test_the_migration_works_out_the_keys_of_suspects_already_recorded(make_case, people):
    suspect = _suspect(make_case, people)
    Suspect.objects.update(name_key="", document_hash="")
    migration = importlib.import_module("haidang.proceedings.migrations.0003_suspect_match_keys")
    migration.fill_keys(apps, None)
    found = suspect_matches(people["police.hanoi"], full_name="X", document_number="001090000123")
    assert [m.suspect_id for m in found] == [suspect.pk]
