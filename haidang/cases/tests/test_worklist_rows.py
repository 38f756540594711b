"""The worklist's rows are written by the view, not the template: every value is still escaped."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from haidang.cases.views.worklist import _case_rows_html, _work_rows_html

HOSTILE = '<script>alert("x")</script> & Co'


def test_every_value_of_a_case_row_is_escaped():
    row = {
        "url": '/cases/1/"onclick="x',
        "number": HOSTILE,
        "status": HOSTILE,
        "received": {"iso": "2026-03-01", "shown": "01/03/2026"},
        "channel": HOSTILE,
        "unit": HOSTILE,
        "agency": HOSTILE,
    }
    html = _case_rows_html([row])
    assert "<script>" not in html and '"onclick="' not in html
    assert html.count(escape(HOSTILE)) == 5 and "01/03/2026" in html


def test_every_value_of_a_work_row_is_escaped_and_an_overdue_step_is_marked():
    row = {
        "url": "/cases/1/",
        "number": HOSTILE,
        "label": HOSTILE,
        "due": {"iso": "2026-03-01", "shown": "01/03/2026"},
        "overdue": True,
        "immediate": True,
        "status": HOSTILE,
        "unit": HOSTILE,
    }
    html = _work_rows_html([row])
    assert "<script>" not in html and html.count(escape(HOSTILE)) == 4
    assert 'class="is-overdue"' in html and 'datetime="2026-03-01"' in html
    assert 'class="badge case-overdue"' not in _work_rows_html([{**row, "overdue": False}])


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
