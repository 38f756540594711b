"""The worklist's rows are written by the view, not the template: every value is still escaped."""

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
