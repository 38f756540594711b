"""Rule severity: an error rule stops the submission, a warning rule is shown on the fill and
review pages naming indicator and breakdown, does not block, and is recorded with the submission."""

import pytest
from django.core.exceptions import ValidationError

from haidang.audit.models import AuditEntry
from haidang.reporting import selectors, services
from haidang.reporting.models import ReportStatus, Severity
from haidang.reporting.services import ReportValidationError
from haidang.reporting.tests.test_views import _fill_data

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

BREAKDOWN = "sex=male|age_band=16_17"
REASON = "Tiếp nhận quý trước, xác định quý này (Công an tỉnh)"


def _identified_above_received(officer, report):
    """A commune's true figures: one boy of 16-17 identified now but received last quarter."""
    change = {
        "indicator": "V2",
        "dimensions": {"sex": "male", "age_band": "16_17"},
        "value": 1,
        "override_reason": REASON,
    }
    return services.save_report(
        actor=officer, report=report, version=report.version, values=[change], narratives={"results": "Đã làm."}
    )


def test_the_default_forms_identified_within_received_rule_is_a_warning(form_version):
    rule = form_version.rules.get(code="R1")
    assert (rule.left_indicator.code, rule.operator, rule.right_indicator.code) == ("V2", "<=", "V1")
    assert rule.severity == Severity.WARNING


def test_an_error_rule_blocks_naming_indicator_and_breakdown(issued, demo_users, strict_rules):
    _directive, reports = issued()
    officer = demo_users["commune.hanoi.a"]
    report = _identified_above_received(officer, reports["Xã Thạch Thất"])
    with pytest.raises(ReportValidationError) as caught:
        services.transition_report(actor=officer, report=report, action="submit")
    found = {(p["indicator"], p["breakdown"], p["severity"]) for p in caught.value.problems}
    assert found == {("V2", "", "error"), ("V2", BREAKDOWN, "error")}
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT


def test_a_warning_rule_does_not_block_and_the_acknowledgement_is_in_the_history(issued, demo_users):
    _directive, reports = issued()
    officer = demo_users["commune.hanoi.a"]
    report = _identified_above_received(officer, reports["Xã Thạch Thất"])
    checks = selectors.check_report(report)
    assert {(p["indicator"], p["breakdown"]) for p in selectors.warnings(checks)} == {("V2", ""), ("V2", BREAKDOWN)}
    assert selectors.blocking(checks) == []

    report = services.transition_report(actor=officer, report=report, action="submit")
    assert report.status == ReportStatus.SUBMITTED
    submitted = report.status_changes.get(to_status=ReportStatus.SUBMITTED)
    assert submitted.actor == officer
    assert "[R1]" in submitted.comment and "Nam" in submitted.comment and "16" in submitted.comment
    audit = AuditEntry.objects.filter(action="reporting.report_submit").latest("pk")
    assert sorted(audit.changes["warnings"]) == ["R1:V2:", f"R1:V2:{BREAKDOWN}"]


def test_warnings_are_shown_on_the_fill_and_review_pages(issued, demo_users, sign_in, client):
    _directive, reports = issued()
    officer = demo_users["commune.hanoi.a"]
    report = _identified_above_received(officer, reports["Xã Thạch Thất"])

    page = sign_in(officer).get(f"/reports/{report.pk}/")
    html = page.content.decode()
    assert 'class="card rp-warnings"' in html
    assert f'data-indicator="V2" data-breakdown="{BREAKDOWN}"' in html and "V2 — Nam · Từ đủ 16" in html

    response = client.post(f"/reports/{report.pk}/", _fill_data(report, action="submit", **{"r:V2": REASON}))
    report.refresh_from_db()
    assert response.status_code == 302 and report.status == ReportStatus.SUBMITTED, response.content[:300]

    client.logout()
    review = sign_in(demo_users["coordinator.hanoi"]).get(f"/reports/{report.pk}/")
    html = review.content.decode()
    assert 'class="card rp-warnings"' in html and f'data-breakdown="{BREAKDOWN}"' in html
    assert review.context["review_form"] is not None and review.context["problems"] == []


def test_the_api_gives_each_rule_and_check_its_severity(issued, demo_users, api_client, form_version):
    _directive, reports = issued()
    officer = demo_users["commune.hanoi.a"]
    report = _identified_above_received(officer, reports["Xã Thạch Thất"])
    api = api_client(officer)

    detail = api.get(f"/api/v1/report-forms/{form_version.form_id}").json()
    assert [(r["code"], r["severity"]) for r in detail["rules"]] == [("R1", "warning")]
    body = api.get(f"/api/v1/reports/{report.pk}").json()
    assert {(c["indicator"], c["breakdown"], c["severity"]) for c in body["checks"]} == {
        ("V2", "", "warning"),
        ("V2", BREAKDOWN, "warning"),
    }
    submitted = api.post(f"/api/v1/reports/{report.pk}/submit", {})
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    assert "[R1]" in submitted.json()["history"][-1]["comment"]


def test_a_form_definition_refuses_an_unknown_severity(demo_users):
    with pytest.raises(ValidationError) as caught:
        services.define_form(
            actor=demo_users["coordinator.hanoi"],
            code="X1",
            name="Thử",
            period_type="month",
            indicators=[{"code": "A", "name": "A"}, {"code": "B", "name": "B"}],
            sections=[],
            rules=[{"left": "A", "operator": "<=", "right": "B", "severity": "fatal"}],
        )
    assert "rules[0]" in caught.value.message_dict
