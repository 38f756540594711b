"""A coordinator's and an analyst's day with the statistics, on a phone (390 px), in Vietnamese.

The analyst reads the dashboard: the chosen table comes first with its totals, figures are written
the Vietnamese way, the trend is drawn with straight lines, every unit's name is beside its bar and
the long table by unit is folded until asked for. Hà Nội's coordinator then publishes a release the
analyst built: the publication asks first, on a page of its own, and warns that most figures are
hidden; once confirmed the release is on the public page, which the sign-in page links to.
"""

import re
import uuid

import pytest

from tests_e2e.axe import assert_no_serious_findings

pytestmark = pytest.mark.browser

DASHBOARD = (
    "/statistics/?indicator=victims_received&period=2025&unit=01&breakdown=sex&pivot_rows=unit&pivot_columns=sex"
)
TREND_TENSION = "() => Chart.getChart(document.querySelector('[data-chart=chart-trend]')).data.datasets[0].tension"


def test_the_analyst_reads_the_table_first_and_the_charts_whole(page_as, live_server_url):
    page = page_as("analyst")
    page.goto(live_server_url + DASHBOARD)
    page.wait_for_load_state("networkidle")
    main = page.locator("main")
    # The table asked for comes first, right under the indicator's own figure, with its totals.
    headings = [text.strip() for text in main.locator("h2, h3").all_inner_texts()]
    assert headings[0] == "Số người được tiếp nhận"
    assert headings[1].startswith("Bảng: Đơn vị hành chính × Giới tính")
    pivot = page.locator("#pivot")
    assert pivot.locator("thead th").last.inner_text().strip() == "Tổng cộng"
    assert pivot.locator("tfoot th").inner_text().strip() == "Tổng cộng"
    corner = int(pivot.locator("tfoot td").last.inner_text().replace(".", ""))
    main_figure = int(page.locator("#main-figure strong").inner_text().replace(".", ""))
    assert corner == main_figure
    # A change in the Vietnamese way: a comma before the decimal, never a point.
    assert not re.search(r"\d\.\d%", main.inner_text())

    # Straight lines between the periods, and a label for every bar of the units chart.
    assert page.evaluate(TREND_TENSION) == 0
    units = page.evaluate(
        """() => { const chart = Chart.getChart(document.querySelector('[data-chart=chart-units]'));
                   return [chart.data.labels.length, chart.scales.y.ticks.length]; }"""
    )
    assert units[0] > 0 and units[0] == units[1]

    # The long table by unit is folded until asked for.
    table = page.locator("#units")
    assert not table.is_visible()
    page.locator("details#units-table > summary").click()
    assert table.is_visible()
    assert page.console_errors == []


def test_publishing_asks_first_and_warns_when_most_figures_are_hidden(page_as, live_server_url, server_python):
    title = f"Kiểm thử công bố {uuid.uuid4().hex[:6]} (minh họa)"
    release_id = server_python(
        "\n".join(
            [
                "from haidang.access.models import User",
                "from haidang.places.models import AdministrativeUnit",
                "from haidang.statistics import services",
                "analyst = User.objects.get(username='analyst')",
                "hanoi = AdministrativeUnit.objects.get(code='01', level=1, valid_to__isnull=True)",
                f"spec = services.check_spec(title='{title}', audience='public', indicators=['victims_received'],"
                " breakdowns=['sex', 'age_band'], period='2025', unit=hanoi, level=0)",
                "print(services.create_release(actor=analyst, spec=spec).pk)",
            ]
        )
    ).splitlines()[-1]
    page = page_as("coordinator.hanoi")
    page.goto(f"{live_server_url}/statistics/releases/{release_id}/")
    with page.expect_navigation():
        page.get_by_role("button", name="Phê duyệt").click()
    assert "Bản công bố hiện ở trạng thái" in page.locator(".messages").inner_text()

    page.get_by_role("link", name="Công bố…").click()
    page.wait_for_url(re.compile(r"/publish/confirm/$"))
    assert page.locator("h1").inner_text().strip() == "Công bố bản số liệu này?"
    warning = page.locator("#mostly-hidden")
    assert warning.is_visible() and "Phần lớn số liệu bị ẩn" in warning.inner_text()
    assert "không cần đăng nhập" in page.locator("main").inner_text()
    assert_no_serious_findings(page)
    # Cancelling publishes nothing.
    page.get_by_role("link", name="Hủy").click()
    page.wait_for_url(f"{live_server_url}/statistics/releases/{release_id}/")
    page.get_by_role("link", name="Công bố…").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Vẫn công bố").click()
    assert "Bản công bố hiện ở trạng thái" in page.locator(".messages").inner_text()
    assert page.get_by_role("link", name="Xem trên trang công khai").is_visible()

    # Anyone can now read it, starting from the sign-in page.
    public = page_as(None)
    public.goto(live_server_url + "/account/login/")
    public.locator("#public-statistics").click()
    public.get_by_role("link", name=title).click()
    assert public.locator("h1").inner_text().strip() == title
    assert public.console_errors == [] and page.console_errors == []
