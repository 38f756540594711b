"""The auditor's page at /audit/: who may read it, the filters, and that reading it is recorded."""

import re

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from haidang.audit.models import AuditEntry
from haidang.audit.services import record_event

pytestmark = pytest.mark.django_db


def rows_in(html: str) -> int:
    return len(re.findall(r"<time datetime=", html))


def page(client, **params):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # Assertions read the English text.
    response = client.get("/audit/", params)
    assert response.status_code == 200
    return response.content.decode()


def test_an_auditor_sees_the_log_with_dates_day_first_and_values_masked(auditor, sign_in, story):
    html = page(sign_in(auditor))
    assert "30/07/2025 09:00" in html and "10/08/2025 14:05" in html
    assert "worker.hn" in html and "Case worker" in html and "returned home" in html
    assert "0912345678" not in html and "***" in html


def test_filter_by_user(auditor, sign_in, story):
    html = page(sign_in(auditor), user="worker.hn")
    assert "case-aaa" in html and "case-bbb" not in html


def test_filter_by_unit_includes_the_units_below(auditor, sign_in, story):
    html = page(sign_in(auditor), unit="01")
    assert "case-aaa" in html and "case-bbb" not in html
    # By name as well, shown back with the picker (never a raw value of the form's internals).
    html = page(sign_in(auditor), unit="ha noi")
    assert "case-aaa" in html and "case-bbb" not in html
    assert 'value="Thành phố Hà Nội"' in html and "UnitInput" not in html


def test_filter_by_object(auditor, sign_in, story):
    html = page(sign_in(auditor), object_type="cases.case", object_id="case-aaa")
    assert "case-aaa" in html and "case-bbb" not in html


def test_filter_by_action_or_action_group(auditor, sign_in, story):
    client = sign_in(auditor)
    assert "case-bbb" not in page(client, action="cases.case_viewed")
    html = page(client, action="cases.")
    assert "case-aaa" in html and "case-bbb" in html


def test_filter_by_time(auditor, sign_in, story):
    client = sign_in(auditor)
    html = page(client, since="01/08/2025", until="31/08/2025")
    assert "case-bbb" in html and "case-aaa" not in html
    html = page(client, until="31/07/2025")
    assert "case-aaa" in html and "case-bbb" not in html
    # A minute means the whole minute: the read at 09:00:30 is found.
    html = page(client, since="30/07/2025 09:00", until="30/07/2025 09:00")
    assert "case-aaa" in html and rows_in(html) == 1


def test_an_impossible_date_is_a_translated_error_not_a_crash(auditor, sign_in, story):
    html = page(sign_in(auditor), since="31/11/2023")
    assert "month 11 of 2023 has 30 days" in html and rows_in(html) == 0


def test_reading_the_log_is_recorded(auditor, sign_in, story):
    page(sign_in(auditor), user="worker.hn", page="1")
    viewed = AuditEntry.objects.filter(action="audit.log_viewed").latest("id")
    assert viewed.actor == auditor and viewed.role == "auditor"
    assert viewed.changes == {"user": "worker.hn", "page": "1"}
    assert viewed.ip == "127.0.0.1"  # The test client's REMOTE_ADDR, through the middleware.


def test_a_provincial_auditor_sees_only_their_province(make_user, hanoi, sign_in, story):
    html = page(sign_in(make_user("auditor.hn", "auditor", hanoi)))
    assert "case-aaa" in html and "case-bbb" not in html


def test_others_are_refused_and_the_attempt_is_recorded(make_user, hanoi, sign_in, story):
    worker = make_user("curious", "case_worker", hanoi)
    assert sign_in(worker).get("/audit/").status_code == 403
    assert AuditEntry.objects.filter(action="audit.log_access_denied", actor=worker).exists()


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/audit/")
    assert response.status_code == 302 and "/account/login/" in response["Location"]


def test_fifty_entries_a_page_newest_first(auditor, sign_in):
    for n in range(60):
        record_event(action="test.bulk", object_type="test.thing", object_id=f"thing-{n:02d}")
    client = sign_in(auditor)
    first = page(client, action="test.bulk")
    assert rows_in(first) == 50 and first.index("thing-59") < first.index("thing-58")
    second = page(client, action="test.bulk", page=2)
    assert rows_in(second) == 10 and "thing-00" in second and "action=test.bulk" in first


def test_the_number_of_queries_does_not_grow_with_the_page(auditor, sign_in, hanoi):
    client = sign_in(auditor)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/audit/").status_code == 200
        return len(captured)

    record_event(action="test.one", unit=hanoi)
    few = queries()
    for n in range(40):
        record_event(action="test.many", unit=hanoi, object_id=str(n), changes={"n": n})
    assert queries() == few
