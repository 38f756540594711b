"""An English word with several senses gets the Vietnamese word of its sense on each screen (pgettext):
a submitted report is "Đã gửi", not the submission channel "Hình thức nộp"; a directive's recipient is a
unit, not the recipient of disclosed information; the year-on-year change is "Tăng/giảm", not the edit
link "Sửa"; a release has a title, not an activity's name; a published release is "Đã công bố"."""

import pytest
from django.template import Context, Template
from django.utils import translation

from haidang.cases.forms.reintegration import ApplicationForm
from haidang.reporting.models import ReportStatus, ReportStatusChange
from haidang.statistics.forms import ReleaseForm
from haidang.statistics.models import ReleaseStatus
from haidang.statistics.tests.release_fixture import load_release_world

pytestmark = pytest.mark.django_db


def test_a_reports_history_reads_draft_then_sent():
    change = ReportStatusChange(from_status=ReportStatus.DRAFT, to_status=ReportStatus.SUBMITTED)
    history = Template("{{ c.get_from_status_display }} → {{ c.get_to_status_display }}")
    with translation.override("vi"):
        assert history.render(Context({"c": change})) == "Dự thảo → Đã gửi"
        assert str(ApplicationForm.base_fields["submitted_via"].label) == "Hình thức nộp"


def test_a_directives_recipients_are_units_on_the_report_lists(demo_users, sign_in):
    client = sign_in(demo_users["coordinator.hanoi"])
    html = client.get("/reporting/").content.decode() + client.get("/reporting/reviews/").content.decode()
    assert "Bên nhận thông tin" not in html
    with translation.override("vi"):
        assert translation.pgettext("directive", "Recipient") == "Đơn vị nhận"
        assert translation.gettext("Recipient") == "Bên nhận thông tin"  # of disclosed information (consent)


def test_the_change_column_and_a_published_release(demo_users, sign_in):
    load_release_world(demo_users["caseworker.hanoi"])
    client = sign_in(demo_users["coordinator.hanoi"])
    dashboard = client.get("/statistics/", {"period": "2026Q1"}).content.decode()
    assert "Tăng/giảm" in dashboard and ">Sửa<" not in dashboard
    with translation.override("vi"):
        assert translation.pgettext("release date", "Published") == "Ngày công bố"  # the public list's column
        assert str(ReleaseStatus.PUBLISHED.label) == "Đã công bố"
        assert str(ReleaseForm.base_fields["title"].label) == "Tiêu đề"
