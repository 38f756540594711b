"""Dashboards: the seed questions answered from the records, by area, with charts and downloads."""

import csv
import io
import json
import re
from datetime import date

import pytest
from openpyxl import load_workbook

from haidang.statistics.tests.figures_fixture import expected, load

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


def _pivot(html: str) -> tuple[list[str], dict[str, list[str]], list[str]]:
    """(column headings, {row label: cells}, the totals row) of the dashboard's pivot table."""
    block = re.search(r'<table class="summary" id="pivot">(.*?)</table>', html, re.S).group(1)
    head = re.findall(r'<th scope="col"[^>]*>([^<]*)</th>', block)
    body = re.search(r"<tbody>(.*?)</tbody>", block, re.S).group(1)
    rows = {
        re.sub(r"<[^>]+>", "", label).strip(): re.findall(r"<td[^>]*>([^<]*)", cells)
        for label, cells in re.findall(r'<tr[^>]*>\s*<th scope="row">(.*?)</th>(.*?)</tr>', body, re.S)
    }
    foot = re.search(r"<tfoot>(.*?)</tfoot>", block, re.S).group(1)
    return head, rows, re.findall(r"<td[^>]*>([^<]*)", foot)


def test_the_pivot_comes_first_with_counted_row_and_column_totals(client, sign_in, world, demo_users):
    sign_in(demo_users["analyst"])
    params = {
        "indicator": "victims_received",
        "period": "2026S1",
        "unit": "01",
        "pivot_rows": "unit",
        "pivot_columns": "exploitation",
    }
    html = client.get("/statistics/", params).content.decode()
    # First on the page after the indicator's own figure: before the headline figures and the trend.
    assert html.index('id="pivot"') < html.index('id="headlines"') < html.index('id="trend"')
    head, rows, totals = _pivot(html)
    assert head[0] == "Unit" and head[-1] == "Total"
    start, end = date(2026, 1, 1), date(2026, 6, 30)
    by_commune = expected("victims_received", start, end, province="01", level=3)
    by_form = expected("victims_received", start, end, province="01", breakdown="exploitation")
    grand = expected("victims_received", start, end, province="01")
    # Thạch Thất: p1 (forced crime) and p2 (forced labour and sexual exploitation). The row's total
    # counts two people, not the three cells they fill.
    thach_that = rows["Xã Thạch Thất"]
    assert sum(int(value) for value in thach_that[:-1]) == 3
    assert int(thach_that[-1]) == by_commune[("09955", None)] == 2
    assert int(rows["Xã Tây Phương"][-1]) == by_commune[("10006", None)]
    # Column totals are counted over the area (one person in two communes once), and the corner is
    # the indicator's total.
    columns = head[1:-1]
    forced_crime = columns.index("Forced criminal activity (including online fraud)")
    assert int(totals[forced_crime]) == by_form[(None, "forced_crime")]
    assert int(totals[-1]) == grand[(None, None)] == 4
    # Communes with nothing are left out of the page, said in words; the download keeps them.
    assert set(rows) == {"Xã Thạch Thất", "Xã Tây Phương", "Above this level"}
    assert re.search(r'id="pivot-empty">\d+ rows with no figure are left out', html)
    xlsx = client.get("/statistics/", {**params, "export": "xlsx"})
    pivot_sheet = list(load_workbook(io.BytesIO(xlsx.content))["Pivot"].iter_rows(values_only=True))
    assert len(pivot_sheet) > 100 and pivot_sheet[-1][0] == "Total" and pivot_sheet[-1][-1] == 4


def test_the_long_table_by_unit_is_folded_away(client, sign_in, world, demo_users):
    sign_in(demo_users["analyst"])
    html = client.get("/statistics/", {"indicator": "victims_received", "period": "2026S1", "unit": "01"}).content
    html = html.decode()
    folded = re.search(r'<details class="fold" id="units-table"([^>]*)>\s*<summary>(.*?)</summary>', html, re.S)
    assert folded and "open" not in folded.group(1)  # Hà Nội's communes: far more than a screen
    assert re.match(r"Table by unit \(\d+ rows\)", folded.group(2))
    assert 'id="units"' in html
    # The chart shows the units that have a figure (every label at any width), not every commune.
    chart = json.loads(re.search(r'<script id="chart-units" type="application/json">(.*?)</script>', html, re.S)[1])
    assert chart["horizontal"] and set(chart["labels"]) == {"Xã Thạch Thất", "Xã Tây Phương", "Above this level"}


def test_numbers_are_written_the_readers_way_and_downloads_keep_them_raw(client, sign_in, world, demo_users):
    sign_in(demo_users["analyst"])
    params = {"indicator": "victims_received", "period": "2026S1"}
    # 6 people in the first half of 2026 against 2 a year before: +4, +200.0 %.
    assert "+4 (+200.0%)" in client.get("/statistics/", params).content.decode()
    client.cookies["haidang_language"] = "vi"
    page = client.get("/statistics/", params).content.decode()
    assert "+4 (+200,0%)" in page and "200.0" not in page
    download = client.get("/statistics/", {**params, "export": "csv"}).content.decode("utf-8-sig")
    nation = list(csv.reader(io.StringIO(download)))[-1]
    assert nation[1:] == ["6", "2", "4", "200.0"]


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
