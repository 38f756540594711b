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


def test_a_period_and_an_area_chosen_in_words(client, sign_in, world, demo_users):
    sign_in(demo_users["analyst"])
    chosen = {"indicator": "criminal_cases_detected", "period": "N9", "period_year": "2026", "period_form": "calendar"}
    response = client.get("/statistics/", {**chosen, "unit": "Hà Nội"})
    assert response.status_code == 200, response.context["form"].errors
    html = response.content.decode()
    assert "First nine months of 2026 compared with First nine months of 2025" in html
    assert "Statistics dashboard: Thành phố Hà Nội" in html
    # The picker shows the choice made, in words: no code to type.
    assert '<option value="N9" selected>First nine months</option>' in html
    assert 'value="Thành phố Hà Nội"' in html
    cutoff = client.get("/statistics/", {**chosen, "period": "Y", "period_year": "2023", "period_form": "cutoff"})
    assert "Year 2023 (from 15/12/2022 to 14/12/2023)" in cutoff.content.decode()
    # A link with an identifier still reads as the period it names.
    linked = client.get("/statistics/", {"indicator": "criminal_cases_detected", "period": "2026Q3"})
    picked = re.search(r'<select name="period"[^>]*>.*?</select>', linked.content.decode(), re.S).group(0)
    assert '<option value="Q3" selected>' in picked, picked


def test_an_old_unit_over_a_period_past_the_reform_is_named_not_counted(client, sign_in, world, demo_users):
    sign_in(demo_users["analyst"])
    chosen = {"indicator": "criminal_cases_detected", "period": "Y", "period_year": "2026", "period_form": "calendar"}
    response = client.get("/statistics/", {**chosen, "unit": "Huyện Thạch Thất", "as_of": "01/03/2025"})
    errors = response.context["form"].errors
    assert "records made after 30/06/2025 cannot be placed in it" in errors["unit"][0]
    # On the map of its own day, over a period of that map, it answers.
    earlier = client.get(
        "/statistics/", {**chosen, "period_year": "2024", "unit": "Huyện Thạch Thất", "as_of": "01/03/2025"}
    )
    assert earlier.status_code == 200 and earlier.context["board"] is not None
    assert "Statistics dashboard: Huyện Thạch Thất" in earlier.content.decode()
    # Named on today's map, it is explained and today's units offered instead.
    today = client.get("/statistics/", {**chosen, "unit": "Huyện Thạch Thất"})
    assert "since 01/07/2025 it belongs to" in today.context["form"].errors["unit"][0]
    assert "Xã Thạch Thất — Thành phố Hà Nội" in today.content.decode()
