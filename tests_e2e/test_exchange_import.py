"""A provincial data officer imports a register of prevention activities kept in Excel: the first upload
has an impossible date, the errors are read in Vietnamese and the marked sheet downloaded, fixed and sent
back; the second check runs on the job worker with its progress shown, is committed, and the records are
found — the one written under an old commune of 2024 placed in its commune of today's map."""

import io
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from haidang.exchange.imports.kinds.activities import SCHEMA
from haidang.exchange.tests.registers import activity_row

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def job_worker(server_env, live_server_url):
    """The database job worker, as `make run` starts it beside the server."""
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--interval", "0.5"],
        cwd=ROOT,
        env=server_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    yield worker
    worker.terminate()
    worker.wait(timeout=20)


def register(rows: list[dict]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(SCHEMA.headers)
    for row in rows:
        sheet.append([row.get(column.key) for column in SCHEMA.columns])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(page, base_url: str, name: str, content: bytes) -> None:
    page.goto(base_url + "/exchange/imports/")
    page.get_by_label("Loại sổ đăng ký").select_option("activities")
    page.get_by_label("Tệp (Excel .xlsx hoặc CSV mã hóa UTF-8)").set_input_files(
        {"name": name, "mimeType": "application/octet-stream", "buffer": content}
    )
    page.get_by_role("button", name="Tải lên và kiểm tra").click()
    page.wait_for_url(re.compile(r"/exchange/imports/[0-9a-f-]+/$"))


def test_import_with_errors_fixed_and_committed(page_as, live_server_url, job_worker, tmp_path):
    tag = uuid.uuid4().hex[:6]
    new = activity_row(f"E2E-{tag}-1", title=f"Tuyên truyền tại thôn 3 ({tag})", start_date="31/11/2023")
    old = activity_row(
        f"E2E-{tag}-2",
        title=f"Tuyên truyền tại xã Đại Đồng ({tag})",
        start_date="30/07/2024",
        unit="Xã Đại Đồng, Huyện Thạch Thất, Thành phố Hà Nội",
    )
    page = page_as("coordinator.hanoi", 1280)
    upload(page, live_server_url, "so-hoat-dong.xlsx", register([new, old]))

    # The worker reads it; the page follows the progress and shows the result.
    errors = page.locator("table.import-errors")
    errors.wait_for(timeout=60_000)
    first = errors.locator("tbody tr").first
    assert first.locator("td").nth(0).inner_text() == "2"
    assert first.locator("td").nth(1).inner_text() == "Ngày bắt đầu"
    assert "không phải là ngày có thật" in first.inner_text() or "tháng 11" in first.inner_text()
    assert page.get_by_role("button", name="Ghi các dòng này vào hệ thống").count() == 0  # errors: no commit

    # The marked sheet: the same rows with an error column, fixed where the error is and sent back.
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải về trang tính có cột lỗi").click()
    marked = tmp_path / "loi.xlsx"
    download.value.save_as(marked)
    book = load_workbook(marked)
    sheet = book.active
    header = [cell.value for cell in sheet[1]]
    assert header[-1] == "Lỗi cần sửa"
    assert "31/11/2023" in sheet.cell(row=2, column=len(header)).value
    sheet.cell(row=2, column=header.index("Ngày bắt đầu") + 1, value="30/07/2026")
    fixed = io.BytesIO()
    book.save(fixed)
    upload(page, live_server_url, "so-hoat-dong-da-sua.xlsx", fixed.getvalue())

    page.locator("progress").wait_for()
    commit = page.get_by_role("button", name="Ghi các dòng này vào hệ thống")
    commit.wait_for(timeout=60_000)
    assert page.locator("[data-created]").inner_text() == "2"
    commit.click()
    page.locator("[data-committed]").wait_for()

    # Both records are there; the 2024 one, written under Xã Đại Đồng, counts in Xã Thạch Thất today.
    page.goto(live_server_url + "/prevention/?unit=09955&date_from=01/01/2024")
    listed = page.locator("main").inner_text()
    assert old["title"] in listed and new["title"] in listed
