import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from haidang.exchange.models import ImportBatch
from haidang.exchange.services.imports import run_dry_run
from haidang.exchange.tests.registers import ACTIVITIES, CASES, CRIMINAL_CASES, SUPPORT, activity_row, xlsx
from haidang.prevention.models import Activity

pytestmark = pytest.mark.django_db


def test_templates_have_vietnamese_headers_instructions_lists_and_an_example(sign_in, demo_users):
    client = sign_in(demo_users["coordinator.hanoi"])
    for kind, schema in (
        ("activities", ACTIVITIES),
        ("cases", CASES),
        ("criminal_cases", CRIMINAL_CASES),
        ("support", SUPPORT),
    ):
        response = client.get(f"/exchange/imports/template/{kind}.xlsx")
        assert response.status_code == 200
        book = load_workbook(io.BytesIO(response.content))
        data = book["Dữ liệu"]
        assert [cell.value for cell in data[1]] == schema.headers
        assert data.cell(row=2, column=1).value  # the example row
        assert data.data_validations.dataValidation  # drop-down lists for the code columns
        assert book["Hướng dẫn"].cell(row=2, column=1).value == schema.headers[0]


def test_upload_check_read_errors_download_the_sheet_fix_and_commit(sign_in, demo_users):
    client = sign_in(demo_users["coordinator.hanoi"])
    page = client.get("/exchange/imports/")
    assert page.status_code == 200 and "mau-nhap" not in page.content.decode()  # links, not names
    bad = xlsx(ACTIVITIES, [activity_row(), activity_row("HD-002", start_date="31/11/2023")])
    response = client.post("/exchange/imports/", {"kind": "activities", "file": SimpleUploadedFile("so.xlsx", bad)})
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    assert "hx-get" in client.get(response["Location"]).content.decode()  # polling while it is read
    run_dry_run(batch.pk)
    page = client.get(response["Location"]).content.decode()
    assert "31/11/2023" in page and "tháng 11" in page
    sheet = client.get(f"/exchange/imports/{batch.pk}/errors.xlsx")
    book = load_workbook(io.BytesIO(sheet.content))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][-1] == "Lỗi cần sửa" and rows[1][-1] in ("", None) and "31/11/2023" in rows[2][-1]

    # Fixed in the downloaded sheet itself and sent back: the error column is not read.
    book.active.cell(row=3, column=4, value="29/07/2026")
    out = io.BytesIO()
    book.save(out)
    response = client.post(
        "/exchange/imports/", {"kind": "activities", "file": SimpleUploadedFile("so.xlsx", out.getvalue())}
    )
    fixed = ImportBatch.objects.exclude(pk=batch.pk).get()
    run_dry_run(fixed.pk)
    assert client.post(f"/exchange/imports/{fixed.pk}/commit").status_code == 302
    fixed.refresh_from_db()
    assert fixed.status == "committed", fixed.file_errors
    assert Activity.objects.filter(title=activity_row()["title"]).count() == 2


def test_pages_are_scoped(sign_in, demo_users):
    client = sign_in(demo_users["coordinator.hanoi"])
    client.post(
        "/exchange/imports/",
        {"kind": "activities", "file": SimpleUploadedFile("so.xlsx", xlsx(ACTIVITIES, [activity_row()]))},
    )
    batch = ImportBatch.objects.get()
    other = sign_in(demo_users["coordinator.haiphong"])
    assert other.get(f"/exchange/imports/{batch.pk}/").status_code == 404
    assert other.get(f"/exchange/imports/{batch.pk}/errors.xlsx").status_code == 404
    assert other.post(f"/exchange/imports/{batch.pk}/commit").status_code == 404
    caseworker = sign_in(demo_users["caseworker.hanoi"])
    assert caseworker.get("/exchange/imports/").status_code == 403
