"""A large workbook read ahead by a child process gives what reading it here gives, errors included, and leaves
no process behind."""

import io
import multiprocessing
import zipfile
from datetime import datetime

import pytest
from openpyxl import Workbook

from haidang.exchange.imports.readers import ReadError, open_sheet
from haidang.exchange.models import ImportBatch
from haidang.exchange.tests.registers import CASES, case_row, xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook(rows: list[list]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


MIXED = [
    ["Số", "Họ và tên", "Ngày", "Số tiền"],
    ["SO-1", "Nguyễn Thị Minh Hòa (minh họa)", datetime(2026, 7, 30), 1250],
    [None, None, None, None],  # a blank row is skipped either way
    ["SO-2", "  ", "31/11/2023", "12.500.000"],
    *[[f"SO-{n}", f"Người Minh Họa {n}", n, n / 4] for n in range(3, 1203)],  # more than two batches
]


def read(content: bytes, *, ahead: bool, settings, max_rows: int = 10_000):
    settings.IMPORT_READ_AHEAD_BYTES = 1 if ahead else 0
    sheet = open_sheet(io.BytesIO(content), XLSX, max_rows=max_rows)
    try:
        return sheet.header, list(sheet.rows)
    finally:
        sheet.close()


@pytest.fixture
def no_reader_left():
    yield
    assert multiprocessing.active_children() == []


def test_read_ahead_gives_the_same_header_and_rows(settings, no_reader_left):
    content = workbook(MIXED)
    inline = read(content, ahead=False, settings=settings)
    ahead = read(content, ahead=True, settings=settings)
    assert ahead == inline
    header, rows = ahead
    assert header == MIXED[0]
    assert rows[0] == (2, ("SO-1", "Nguyễn Thị Minh Hòa (minh họa)", datetime(2026, 7, 30), 1250))
    assert [number for number, _cells in rows[:3]] == [2, 4, 5]
    assert len(rows) == len(MIXED) - 2


def test_too_many_rows_is_the_same_error_ahead(settings, no_reader_left):
    content = workbook(MIXED)
    messages = []
    for ahead in (False, True):
        with pytest.raises(ReadError) as raised:
            read(content, ahead=ahead, settings=settings, max_rows=700)
        messages.append(raised.value.message)
    assert messages[0] == messages[1]
    assert "700" in messages[1]


def damaged_sheet() -> bytes:
    """A workbook whose sheet breaks off after its first rows."""
    source = zipfile.ZipFile(io.BytesIO(workbook(MIXED)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]
            target.writestr(item, data)
    return out.getvalue()


@pytest.mark.parametrize("content", [b"PK\x03\x04 not a workbook", damaged_sheet()], ids=["at once", "half way"])
def test_a_damaged_workbook_is_a_read_error_either_way(settings, no_reader_left, content):
    messages = []
    for ahead in (False, True):
        with pytest.raises(ReadError) as raised:
            read(content, ahead=ahead, settings=settings)
        messages.append(raised.value.message)
    assert messages[0] == messages[1]
    assert "Không đọc được sổ tính" in messages[1]


def test_stopping_early_stops_the_reader(settings, no_reader_left):
    settings.IMPORT_READ_AHEAD_BYTES = 1
    sheet = open_sheet(io.BytesIO(workbook(MIXED)), XLSX, max_rows=10_000)
    assert next(sheet.rows)[0] == 2
    assert len(multiprocessing.active_children()) == 1  # still reading, or waiting to send
    sheet.close()


@pytest.mark.django_db
def test_a_register_read_ahead_imports_as_read_here(client, api, settings, no_reader_left):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from haidang.exchange.services.imports import run_dry_run

    rows = [case_row(f"SO-{n}", reception_date="31/11/2023" if n == 2 else "15/03/2026") for n in range(1, 4)]
    headers = api("supervisor.hanoi").headers
    found = []
    for threshold in (0, 1):
        settings.IMPORT_READ_AHEAD_BYTES = threshold
        response = client.post(
            "/api/v1/imports",
            {"kind": "cases", "file": SimpleUploadedFile("so.xlsx", xlsx(CASES, rows))},
            headers=headers,
        )
        assert response.status_code == 202, response.content
        run_dry_run(response.json()["id"])
        batch = ImportBatch.objects.get(pk=response.json()["id"])
        shown = client.get(f"/api/v1/imports/{batch.pk}", headers=headers).json()
        found.append(
            (batch.status, batch.row_count, batch.created_count, [(e["row"], e["column"]) for e in shown["errors"]])
        )
    assert found[0] == found[1]
    assert found[1][:3] == ("dry_run", 3, 2)
    assert (3, "Ngày tiếp nhận") in found[1][3]
