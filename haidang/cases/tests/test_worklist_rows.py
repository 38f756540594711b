"""The worklist's rows: printed by pattern (`common.rowpatterns`), exactly as the template engine printed
them; the blank filter form rendered once per language, a search still showing what was typed."""

from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.template import Context, Template
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from haidang.cases.models import CaseStatus, IntakeChannel
from haidang.cases.tests.steps import open_case
from haidang.cases.views.worklist import CASE_ROW, WORK_ROW
from haidang.common.rowpatterns import RowPattern
from haidang.places.models import AdministrativeUnit

# Every kind of value a row may hold: markup, quotes for an attribute, an ampersand, braces (printed,
# never filled), Vietnamese, and text already marked safe.
ROW = {
    "url": "/cases/1/?a=1&b=2",
    "number": "01-2026-000001",
    "label": "Xác minh thông tin ban đầu (Điều 27 khoản 2)",
    "due_iso": '2026-12-03" onmouseover="x',
    "due_shown": "03/12/2026",
    "status": "Đã “tiếp nhận” & 'ghi nhận'",
    "received": "03/12/2026",
    "channel": "<script>alert('x')</script>",
    "unit": "Xã {unit} {0} {}",
    "agency": mark_safe("<b>Công an</b>"),  # noqa: S308 (a test value)
}


def through_the_engine(pattern: RowPattern, row: dict, variant: tuple = ()) -> str:
    """The same file through the template engine, each slot a variable: what the page printed before."""
    source = get_template(pattern.template_name).template.source
    for name in pattern.slots:
        source = source.replace("{" + name + "}", "{{ row." + name + " }}")
    return Template(source).render(Context({"row": row, **dict(variant)}))


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_case_row_reads_as_the_engine_printed_it(language):
    with translation.override(language):
        assert CASE_ROW.render([ROW]) == through_the_engine(CASE_ROW, ROW)


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("overdue", [True, False])
@pytest.mark.parametrize("immediate", [True, False])
def test_a_work_row_reads_as_the_engine_printed_it_in_each_variant(language, overdue, immediate):
    variant = (("overdue", overdue), ("immediate", immediate))
    with translation.override(language):
        printed = WORK_ROW.render([ROW], lambda row: variant)
        assert printed == through_the_engine(WORK_ROW, ROW, variant)
    assert ('class="is-overdue"' in printed) is overdue


def test_values_are_escaped_and_braces_in_a_value_are_printed_not_filled():
    printed = CASE_ROW.render([ROW])
    assert "<script>" not in printed and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in printed
    assert 'href="/cases/1/?a=1&amp;b=2"' in printed
    assert "Xã {unit} {0} {}" in printed
    assert "<b>Công an</b>" in printed  # marked safe by the caller


def test_each_language_has_its_own_labels():
    with translation.override("vi"):
        assert 'data-label="Số hồ sơ"' in CASE_ROW.render([ROW])
    with translation.override("en"):
        assert 'data-label="Case number"' in CASE_ROW.render([ROW])


def test_none_prints_nothing_and_rows_come_in_order():
    with translation.override("en"):
        printed = CASE_ROW.render([{**ROW, "agency": None, "number": "A"}, {**ROW, "number": "B"}])
    assert '<td data-label="Receiving agency"></td>' in printed
    assert printed.index(">A</a>") < printed.index(">B</a>")
    assert "None" not in printed


def test_a_slot_missing_on_one_side_is_refused():
    with pytest.raises(ImproperlyConfigured, match="agency"):
        RowPattern("cases/rows/case_row.html", ("url", "number", "status", "received", "channel", "unit")).pattern()


@pytest.mark.django_db
def test_the_filter_form_shows_the_search_typed_and_the_reader_s_language(as_user, settings):
    worker = as_user("caseworker.hanoi")
    searched = worker.get(reverse("cases:worklist"), {"number": "01-2026-<b>"}).content.decode()
    assert 'value="01-2026-&lt;b&gt;"' in searched
    blank = worker.get(reverse("cases:worklist")).content.decode()
    assert "01-2026-" not in blank.split('role="search"')[1].split("</form>")[0]
    assert "All statuses" in blank  # as_user reads in English
    worker.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    assert "Tất cả các trạng thái" in worker.get(reverse("cases:worklist")).content.decode()


@pytest.mark.django_db
def test_the_page_prints_every_row_with_its_link_and_its_marks(as_user, demo_users):
    # A reception two days old is overdue ("immediately"), one of today is not.
    unit = AdministrativeUnit.objects.get(parent__code="01", valid_to__isnull=True, name="Xã Thạch Thất")
    for received in (timezone.localdate() - timedelta(days=2), timezone.localdate()):
        open_case(demo_users["commune.hanoi.a"], unit, "Ủy ban nhân dân Xã Thạch Thất", received=received)
    page = as_user("commune.hanoi.a").get(reverse("cases:worklist"))
    html = page.content.decode()
    work, cases = page.context["work_rows"], page.context["case_rows"]
    assert any(row["overdue"] for row in work) and not all(row["overdue"] for row in work) and cases
    waiting = html.split('id="work-heading"')[1].split("</table>")[0]
    for row in work:
        link = waiting.index(f'<a href="{row["url"]}">{row["number"]}</a>')
        tr = waiting[waiting.rfind("<tr", 0, link) : link]
        assert tr.startswith('<tr class="is-overdue">') is row["overdue"]
        assert f'<time datetime="{row["due"].isoformat()}">{row["due"]:%d/%m/%Y}</time>' in waiting[link:]
    listed = html.split('id="cases-heading"')[1].split("</table>")[0]
    for row in cases:
        assert f'<a href="{row["url"]}">{row["number"]}</a>' in listed
    assert listed.count("<tr>") == len(cases) + 1  # and the header row


@pytest.mark.django_db
def test_the_rows_statuses_and_channels_follow_the_reader_s_language(as_user, demo_users, settings):
    """The labels are translated once per language and kept: a reader switching language sees the other set."""
    unit = AdministrativeUnit.objects.get(parent__code="01", valid_to__isnull=True, name="Xã Thạch Thất")
    open_case(demo_users["commune.hanoi.a"], unit, "Ủy ban nhân dân Xã Thạch Thất", received=timezone.localdate())
    worker = as_user("commune.hanoi.a")
    for language in ("en", "vi", "en"):
        worker.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        rows = worker.get(reverse("cases:worklist")).context["case_rows"]
        with translation.override(language):
            labels = {str(label) for _code, label in CaseStatus.choices}
            channels = {str(label) for _code, label in IntakeChannel.choices}
        assert rows and all(row["status"] in labels and row["channel"] in channels for row in rows)


def test_a_status_label_is_the_active_language_s():
    from haidang.cases.models import status_label

    for language in ("vi", "en", "vi"):
        with translation.override(language):
            assert status_label(CaseStatus.RECEIVED) == str(CaseStatus.RECEIVED.label)
    with translation.override("en"):
        assert (status_label(""), status_label("no_such_status")) == ("", "no_such_status")
