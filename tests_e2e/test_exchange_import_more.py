"""The police's register of criminal cases and a Department of Health's register of support given, each
brought in from Excel: the template downloaded and filled in, a first upload with an impossible date and
an unknown code read back in Vietnamese, the marked sheet fixed and sent again, the check followed on
its progress bar, committed, and the records found on their pages — the criminal case with its suspect
in the proceedings register, the support items on the victim's case."""

import io
import re
import uuid
from datetime import date

import pytest
from openpyxl import load_workbook

from tests_e2e.test_exchange_import import job_worker  # noqa: F401 (the fixture)

pytestmark = pytest.mark.browser

COMMIT = "Ghi các dòng này vào hệ thống"
ERROR_COLUMN = "Lỗi cần sửa"


def template(page, base_url: str, label: str, tmp_path) -> tuple:
    """The kind's template as the import page offers it, its example row removed: (book, data sheet, headers)."""
    page.goto(base_url + "/exchange/imports/")
    with page.expect_download() as download:
        page.get_by_role("link", name=f"Mẫu: {label}").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    book = load_workbook(path)
    sheet = book["Dữ liệu"]
    headers = [cell.value for cell in sheet[1]]
    sheet.delete_rows(2, sheet.max_row)
    return book, sheet, headers


def fill(sheet, headers: list[str], rows: list[dict]) -> None:
    for row in rows:
        sheet.append([row.get(header) for header in headers])


def saved(book) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(page, base_url: str, kind: str, name: str, content: bytes) -> None:
    page.goto(base_url + "/exchange/imports/")
    page.get_by_label("Loại sổ đăng ký").select_option(kind)
    page.get_by_label("Tệp (Excel .xlsx hoặc CSV mã hóa UTF-8)").set_input_files(
        {"name": name, "mimeType": "application/octet-stream", "buffer": content}
    )
    page.get_by_role("button", name="Tải lên và kiểm tra").click()
    page.wait_for_url(re.compile(r"/exchange/imports/[0-9a-f-]+/$"))


def errors_shown(page) -> dict[tuple[str, str], str]:
    """The errors table once the worker has read the file: {(row, column): message}."""
    table = page.locator("table.import-errors")
    table.wait_for(timeout=60_000)
    assert page.get_by_role("button", name=COMMIT).count() == 0  # errors: nothing to commit
    shown = {}
    for line in table.locator("tbody tr").all():
        cells = [cell.inner_text() for cell in line.locator("td").all()]
        shown[(cells[0], cells[1])] = cells[3]
    return shown


def marked_sheet(page, tmp_path):
    """The sheet with its error column, as downloaded from the result: (book, sheet, headers)."""
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải về trang tính có cột lỗi").click()
    path = tmp_path / "loi.xlsx"
    download.value.save_as(path)
    book = load_workbook(path)
    sheet = book.active
    headers = [cell.value for cell in sheet[1]]
    assert headers[-1] == ERROR_COLUMN
    return book, sheet, headers


def set_cell(sheet, headers: list[str], row: int, header: str, value) -> None:
    sheet.cell(row=row, column=headers.index(header) + 1, value=value)


def commit_when_checked(page, created: int) -> None:
    page.locator("progress").wait_for()
    button = page.get_by_role("button", name=COMMIT)
    button.wait_for(timeout=60_000)
    assert page.locator("[data-errors]").inner_text() == "0"
    assert page.locator("[data-created]").inner_text() == str(created)
    button.click()
    page.locator("[data-committed]").wait_for()


def test_a_police_register_with_errors_fixed_and_committed(page_as, live_server_url, job_worker, tmp_path):  # noqa: F811
    tag = uuid.uuid4().hex[:6]
    number = f"{tag}/VA"
    case = {
        "Số vụ án": number,
        "Tội danh (điều luật)": "Điều 150 — Tội mua bán người",
        "Ngày phát hiện": "31/11/2025",  # November has 30 days
        "Ngày khởi tố vụ án": "12/12/2025",
        "Cơ quan điều tra": "Công an Thành phố Hà Nội",
        "Đơn vị hành chính nơi điều tra": "Thành phố Hà Nội",
        "Tuyến": "Việt Nam–Campuchia",
        "Nước bị đưa đến (mã ISO)": "KHM",
        "Hình thức bóc lột": "Cưỡng ép thực hiện hành vi phạm tội (kể cả lừa đảo trực tuyến)",
    }
    broker = {
        **case,
        "Số thứ tự trong sổ": f"{tag}-1",
        "Họ và tên đối tượng": f"Đoàn Văn Khải {tag} (minh họa)",
        "Số giấy tờ của đối tượng": f"0010{int(tag, 16) % 10**8:08d}",
        "Giới tính": "Nam",
        "Năm sinh": 1988,
        "Vai trò trong đường dây": "Trùm",  # not a role of the list
        "Ngày khởi tố bị can": "15/12/2025",
    }
    recruiter = {
        **case,
        "Số thứ tự trong sổ": f"{tag}-2",
        "Họ và tên đối tượng": f"Mạc Thị Hằng {tag} (minh họa)",
        "Giới tính": "Nữ",
        "Năm sinh": 1995,
        "Vai trò trong đường dây": "Kẻ tuyển mộ",
    }
    page = page_as("police.hanoi", 1280)
    book, sheet, headers = template(page, live_server_url, "Vụ án hình sự và đối tượng", tmp_path)
    fill(sheet, headers, [broker, recruiter])
    upload(page, live_server_url, "criminal_cases", "so-vu-an.xlsx", saved(book))

    errors = errors_shown(page)
    assert "tháng 11" in errors[("2", "Ngày phát hiện")]  # "31/11/2025 …: tháng 11 chỉ có 30 ngày"
    assert (
        "Trùm" in errors[("2", "Vai trò trong đường dây")] and "danh sách" in errors[("2", "Vai trò trong đường dây")]
    )
    assert "tháng 11" in errors[("3", "Ngày phát hiện")]

    book, sheet, headers = marked_sheet(page, tmp_path)
    assert "Trùm" in sheet.cell(row=2, column=len(headers)).value
    for row in (2, 3):
        set_cell(sheet, headers, row, "Ngày phát hiện", "30/11/2025")
    set_cell(sheet, headers, 2, "Vai trò trong đường dây", "Kẻ môi giới")
    upload(page, live_server_url, "criminal_cases", "so-vu-an-da-sua.xlsx", saved(book))
    commit_when_checked(page, created=2)

    # The case is in the proceedings register, with its two suspects.
    page.goto(live_server_url + f"/proceedings/?number={tag}")
    page.get_by_role("link", name=number).click()
    page.wait_for_url(re.compile(r"/proceedings/[0-9a-f-]{36}/$"))
    main = page.locator("main").inner_text()
    assert number in main and "30/11/2025" in main
    suspects = page.locator("section[aria-labelledby=suspects-heading]").inner_text()
    assert broker["Họ và tên đối tượng"] in suspects and recruiter["Họ và tên đối tượng"] in suspects
    assert "Kẻ môi giới" in suspects and "15/12/2025" in suspects
    assert page.console_errors == []


def test_a_support_register_with_errors_fixed_and_committed(
    page_as,
    live_server_url,
    job_worker,  # noqa: F811
    server_python,
    tmp_path,
):
    # A Hà Nội victim of the demonstration, identified weeks ago: the support is recorded on their case.
    found = server_python(
        "from haidang.cases.matching import name_key; from haidang.cases.models import Case; "
        "case = Case.objects.get(person__name_key=name_key('Trần Thị Mơ (minh họa)')); "
        "print('CASE', case.pk, case.number)"
    )
    case_id, case_number = re.search(r"^CASE (\S+) (\S+)$", found, re.MULTILINE).groups()
    tag = uuid.uuid4().hex[:6]
    today = date.today().strftime("%d/%m/%Y")
    item = {
        "Số hồ sơ vụ việc": case_number,
        "Chế độ hỗ trợ": "Hỗ trợ nhu cầu thiết yếu",
        "Khoản hỗ trợ": "Tiền ăn",
        "Cơ quan hỗ trợ": "Cơ sở trợ giúp nạn nhân Hà Nội (minh họa)",
        "Ngày bắt đầu": today,
    }
    food = {
        **item,
        "Số thứ tự trong sổ": f"{tag}-1",
        "Số lượng (theo đơn vị của định mức)": 2,
        "Số quyết định": f"{tag}/QĐ-1",
    }
    wrong = {
        **item,
        "Số thứ tự trong sổ": f"{tag}-2",
        "Chế độ hỗ trợ": "Trợ cấp khó khăn",  # no such regime
        "Ngày kết thúc": "31/11/2025",  # no such day
        "Số lượng (theo đơn vị của định mức)": "1",
        "Số quyết định": f"{tag}/QĐ-2",
    }
    page = page_as("supervisor.hanoi", 1280)
    book, sheet, headers = template(page, live_server_url, "Các khoản hỗ trợ", tmp_path)
    fill(sheet, headers, [food, wrong])
    upload(page, live_server_url, "support", "so-ho-tro.xlsx", saved(book))

    errors = errors_shown(page)
    assert "Trợ cấp khó khăn" in errors[("3", "Chế độ hỗ trợ")]
    assert "tháng 11" in errors[("3", "Ngày kết thúc")]
    assert not any(row == "2" for row, _column in errors)

    book, sheet, headers = marked_sheet(page, tmp_path)
    set_cell(sheet, headers, 3, "Chế độ hỗ trợ", "Hỗ trợ nhu cầu thiết yếu")
    set_cell(sheet, headers, 3, "Ngày kết thúc", today)
    upload(page, live_server_url, "support", "so-ho-tro-da-sua.xlsx", saved(book))
    commit_when_checked(page, created=2)

    # Both items are on the case's support page, at the province's rate.
    page.goto(live_server_url + f"/cases/{case_id}/support/")
    rows = {line.inner_text() for line in page.locator("table tbody tr").all()}
    first = next(text for text in rows if f"{tag}/QĐ-1" in text)
    second = next(text for text in rows if f"{tag}/QĐ-2" in text)
    assert "Tiền ăn" in first and "Cơ sở trợ giúp nạn nhân Hà Nội" in first and re.search(r"100[.,\s]?000", first)
    assert "Tiền ăn" in second and re.search(r"50[.,\s]?000", second)
    assert page.console_errors == []
