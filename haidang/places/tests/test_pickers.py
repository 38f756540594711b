"""The place picker in forms: a name (or a code) resolved on the record's date on the server, a choice when
the name is not sure, the picker's code kept only while it fits the text, and the suggestions it asks for."""

from datetime import date

import pytest
from django import forms
from django.urls import reverse

from haidang.common.forms import DayField
from haidang.places.forms import UnitField, UnitListField, resolve_unit_field, resolve_unit_list_field
from haidang.places.models import AdministrativeUnit

pytestmark = pytest.mark.django_db


class RecordForm(forms.Form):
    day = DayField()
    unit = UnitField(date_field="day")

    def clean(self):
        cleaned = super().clean()
        resolve_unit_field(self, "unit", cleaned.get("day"))
        return cleaned


class ListForm(forms.Form):
    day = DayField()
    units = UnitListField(date_field="day", required=False)

    def clean(self):
        cleaned = super().clean()
        resolve_unit_list_field(self, "units", cleaned.get("day"))
        return cleaned


def record(**data) -> RecordForm:
    form = RecordForm({"day": "01/03/2026", **data})
    form.is_valid()
    return form


def test_a_name_is_read_on_the_records_date():
    assert record(unit="thach that").cleaned_data["unit"].code == "09955"
    form = record(day="01/03/2024", unit="Thạch Thất")
    assert form.cleaned_data["unit"].name == "Huyện Thạch Thất"
    # Shown back by name with its parent, the code in the hidden field beside it.
    html = str(form["unit"])
    assert 'value="Huyện Thạch Thất — Thành phố Hà Nội"' in html and 'name="unit__code" value="276"' in html


def test_typing_hong_bang_or_thach_that_is_never_an_error_about_a_code():
    for text in ("Hồng Bàng", "Thạch Thất"):
        form = record(unit=text)
        assert form.is_valid(), form.errors
        assert "mã" not in str(form.errors) and "code" not in str(form.errors)


def test_an_ambiguous_name_offers_a_choice_and_the_choice_is_taken():
    form = record(unit="Tân Lập")
    assert not form.is_valid()
    assert "Several units match “Tân Lập”" in form.errors["unit"][0]
    html = str(form["unit"])
    assert 'type="radio" name="unit__choice" value="19462"' in html
    assert "Xã Tân Lập — Tỉnh Quảng Trị" in html
    chosen = record(unit="Tân Lập", unit__choice="19462")
    assert chosen.is_valid() and chosen.cleaned_data["unit"].name == "Xã Tân Lập"
    assert chosen.cleaned_data["unit"].parent.name == "Tỉnh Quảng Trị"


def test_the_pickers_code_is_kept_only_while_the_text_fits_it():
    picked = record(unit="Xã Tân Lập — Tỉnh Quảng Trị", unit__code="19462")
    assert picked.cleaned_data["unit"].code == "19462"
    # The text was changed after picking: the text is read, not the stale code.
    changed = record(unit="Tây Phương", unit__code="19462")
    assert changed.cleaned_data["unit"].name == "Xã Tây Phương"
    # A code alone still works.
    assert record(unit="10006").cleaned_data["unit"].name == "Xã Tây Phương"


def test_a_unit_of_another_date_is_explained_with_what_to_choose_instead():
    form = record(unit="Huyện Thạch Thất")
    assert not form.is_valid()
    assert "since 01/07/2025 it belongs to" in form.errors["unit"][0]
    html = str(form["unit"])
    assert "Xã Thạch Thất — Thành phố Hà Nội" in html and 'name="unit__choice"' in html
    earlier = record(day="15/03/2024", unit="Xã Thạch Thất")
    assert "it exists from 01/07/2025" in earlier.errors["unit"][0]
    assert "until 30/06/2025, now Xã Thạch Thất" in str(earlier["unit"])


def test_the_text_box_opens_the_ordinary_keyboard_and_carries_the_records_date_field():
    html = str(RecordForm()["unit"])
    assert 'inputmode="text"' in html and "numeric" not in html
    assert 'data-date-field="day"' in html and f'data-suggest-url="{reverse("places:suggest")}"' in html
    assert "<script" not in html  # strict CSP: the picker's script is a static file


def test_a_list_of_units_one_per_line_with_a_choice_for_an_unsure_line():
    form = ListForm({"day": "01/03/2026", "units": "Thạch Thất\n10006\nTân Lập"})
    assert not form.is_valid()
    assert "Line 3: Several units match" in form.errors["units"][0]
    html = str(form["units"])
    assert "Xã Thạch Thất — Thành phố Hà Nội" in html and 'name="units__choice_2"' in html
    chosen = ListForm({"day": "01/03/2026", "units": "Thạch Thất\n10006\nTân Lập", "units__choice_2": "19462"})
    assert chosen.is_valid(), chosen.errors
    assert [u.code for u in chosen.cleaned_data["units"]] == ["09955", "10006", "19462"]
    # Codes separated by commas, as the field took them before, still work.
    assert [u.code for u in _clean_list("01, 31")] == ["01", "31"]


def _clean_list(text: str) -> list[AdministrativeUnit]:
    form = ListForm({"day": "01/03/2026", "units": text})
    assert form.is_valid(), form.errors
    return form.cleaned_data["units"]


def test_suggestions_for_the_picker(sign_in, demo_users):
    client = sign_in(demo_users["commune.hanoi.a"])
    url = reverse("places:suggest")
    items = client.get(url, {"q": "thach that", "as_of": "01/03/2026"}).json()["items"]
    assert items[0]["label"] == "Xã Thạch Thất — Thành phố Hà Nội" and items[0]["code"] == "09955"
    old = client.get(url, {"q": "kim quan", "as_of": "15.03.2024"}).json()
    assert old["as_of"] == "15/03/2024"
    assert any(item["old"] and "Xã Thạch Thất" in item["note"] for item in old["items"])
    # A date not yet typed in full: today's map.
    assert client.get(url, {"q": "thach that", "as_of": "15/03"}).json()["items"][0]["code"] == "09955"
    assert client.get(url, {"q": "Hà Nội", "levels": "1"}).json()["items"][0]["level"] == 1


def test_suggestions_need_a_signed_in_user(client):
    assert client.get(reverse("places:suggest"), {"q": "thach"}).status_code == 302


def test_unit_is_date_specific_in_resolution():
    assert AdministrativeUnit.objects.filter(code="09955").count() == 2
    assert record(day="01/03/2024", unit="09955").cleaned_data["unit"].valid_to == date(2025, 6, 30)
