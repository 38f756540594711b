"""Dashboards: the seed questions answered from the records, by area, with charts and downloads."""

import io
import json
import re

import pytest
from openpyxl import load_workbook

from haidang.statistics.tests.figures_fixture import load

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def world(demo_users):
    return load(demo_users["caseworker.hanoi"])


def table_rows(html: str, table_id: str) -> dict[str, list[str]]:
    block = re.search(rf'<table class="summary" id="{table_id}">(.*?)</table>', html, re.S).group(1)
    rows = re.findall(r"<tr[^>]*>\s*<th scope=\"row\">(.*?)</th>(.*?)</tr>", block, re.S)
    return {re.sub(r"<[^>]+>", "", label).strip(): re.findall(r"<td[^>]*>([^<]*)", cells) for label, cells in rows}


def test_the_national_dashboard_answers_the_seed_questions(client, sign_in, world, demo_users):
    sign_in(demo_users["analyst"])
    response = client.get("/statistics/", {"indicator": "criminal_cases_detected", "period": "2026S1"})
    assert response.status_code == 200
    html = response.content.decode()
    headlines = table_rows(html, "headlines")
    assert len(headlines) == 5
    codes = re.findall(r'<tr data-indicator="([a-z_]+)">', html)
    assert codes == [
        "criminal_cases_detected",
        "criminal_cases_prosecuted",
        "suspects_prosecuted",
        "victims_received",
        "victims_received",
    ]
    assert any("From another province" in label for label in headlines)
    # Provinces compared, each row linking to that province's dashboard; never to a record.
    assert "unit=01" in html and "/cases/" not in html and "/proceedings/" not in html
    # Charts: data in JSON blocks, drawn by a shipped script.
    trend = json.loads(
        re.search(r'<script id="chart-trend" type="application/json">(.*?)</script>', html, re.S).group(1)
    )
    assert trend["type"] == "line" and len(trend["labels"]) == 8
    assert "/static/vendor/chartjs/chart.umd.min.js" in html and "<script>" not in html


def test_a_zero_base_is_shown_as_such(client, sign_in, world, demo_users):
    sign_in(demo_users["analyst"])
    html = client.get("/statistics/", {"indicator": "victims_received", "period": "2030S1"}).content.decode()
    # Nothing in 2029 either: no percentage, the words instead.
    assert "no base" in html
    assert "inf%" not in html and "∞" not in html


def test_a_commune_user_sees_their_commune_and_nothing_else(client, sign_in, world, demo_users):
    sign_in(demo_users["caseworker.hanoi"])  # statistics rights over Hà Nội
    ok = client.get("/statistics/", {"indicator": "victims_received", "period": "2026S1", "unit": "09955"})
    assert ok.status_code == 200
    assert (
        client.get("/statistics/", {"indicator": "victims_received", "period": "2026S1", "unit": "31"}).status_code
        == 404
    )
    assert (
        client.get("/statistics/", {"indicator": "victims_received", "period": "2026S1", "unit": ""}).status_code == 200
    )


def test_pivot_by_two_breakdowns_and_downloads(client, sign_in, world, demo_users):
    sign_in(demo_users["analyst"])
    params = {
        "indicator": "victims_received",
        "period": "2026S1",
        "unit": "01",
        "breakdown": "sex",
        "pivot_rows": "unit",
        "pivot_columns": "sex",
    }
    html = client.get("/statistics/", params).content.decode()
    pivot = table_rows(html, "pivot")
    assert pivot  # communes of Hà Nội by sex
    csv_response = client.get("/statistics/", {**params, "export": "csv"})
    assert csv_response["Content-Type"].startswith("text/csv")
    assert "Xã Thạch Thất" in csv_response.content.decode("utf-8-sig")
    xlsx = client.get("/statistics/", {**params, "export": "xlsx"})
    workbook = load_workbook(io.BytesIO(xlsx.content))
    assert {"Units", "Headline figures", "Trend", "Pivot"} <= set(workbook.sheetnames)


def test_bad_choices_are_named_not_a_500(client, sign_in, world, demo_users):
    sign_in(demo_users["analyst"])
    response = client.get("/statistics/", {"indicator": "suspects_prosecuted", "period": "2026Q5", "breakdown": "sex"})
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
