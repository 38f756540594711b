"""The police register and the support register: suspects already recorded, dry runs that write nothing,
and the bad inputs of the issue's list for these two kinds (through the API)."""

import re
import unicodedata

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from haidang.audit.models import AuditEntry
from haidang.cases.models import SupportItem
from haidang.exchange.services.imports import run_dry_run
from haidang.exchange.tests import test_imports_kinds as kinds
from haidang.exchange.tests.registers import CRIMINAL_CASES, SUPPORT, criminal_row, support_row, xlsx
from haidang.exchange.tests.test_imports_kinds import _errors, commit, two_suspects
from haidang.proceedings.models import CriminalCase, Suspect

pytestmark = pytest.mark.django_db
upload, victim_case = kinds.upload, kinds.victim_case  # the fixtures of the registers' tests

DOCUMENT = "Số giấy tờ của đối tượng"
NAME = "Họ và tên đối tượng"


def _warnings(batch) -> dict:
    return {(w["row"], w["column"]): w["message"] for w in batch["warnings"]}


# --- Suspects already recorded -----------------------------------------------------------------------


def test_a_suspect_recorded_in_another_case_is_a_warning_naming_that_case(upload, api):
    commit(api, "police.hanoi", upload("police.hanoi", "criminal_cases", two_suspects()))
    # Another case of the next month, the same broker: the document written with spaces and a dash.
    later = criminal_row("VA-9", number="31/VA", detected_on="10/04/2026", prosecution_opened_on="", prosecuted_on="")
    later.update(document_number="0010-9000 0123", full_name="Trần Bình (minh họa)")
    batch = upload("police.hanoi", "criminal_cases", xlsx(CRIMINAL_CASES, [later]))
    assert batch["status"] == "validated" and batch["errors"] == []
    message = _warnings(batch)[(2, DOCUMENT)]
    assert "12/VA" in message and "2026" in message and "Công an Thành phố Hà Nội" in message
    assert "Bình" not in message  # the recorded suspect's sealed values are never quoted
    # A suspect belongs to one criminal case: the row adds its own record, as the warning says.
    commit(api, "police.hanoi", batch)
    assert Suspect.objects.filter(criminal_case__number="31/VA").count() == 1


def test_the_same_name_in_another_spelling_and_the_same_birth_year_is_a_match(upload, api):
    commit(api, "police.hanoi", upload("police.hanoi", "criminal_cases", two_suspects()))
    rows = [
        criminal_row("VA-9", number="31/VA", full_name="binh tran van (minh hoa)", document_number=""),
        criminal_row(
            "VA-10", number="31/VA", full_name="Trần Văn Bình (minh họa)", document_number="", birth_year=1991
        ),
    ]
    batch = upload("police.hanoi", "criminal_cases", xlsx(CRIMINAL_CASES, rows))
    warnings = _warnings(batch)
    assert "12/VA" in warnings[(2, NAME)]
    assert not any(row == 3 for row, _column in warnings)  # another year of birth: not the same person


def test_the_same_suspect_twice_in_one_file_is_a_warning_naming_the_first_row(upload):
    rows = [criminal_row(), criminal_row("VA-2", number="13/VA", full_name="Trần Văn Bình (minh họa)")]
    batch = upload("police.hanoi", "criminal_cases", xlsx(CRIMINAL_CASES, rows))
    assert batch["status"] == "validated"
    assert "2" in _warnings(batch)[(3, DOCUMENT)]
    assert (2, DOCUMENT) not in _warnings(batch)


def test_a_suspect_recorded_outside_the_importers_area_is_never_mentioned(upload, api):
    commit(api, "police.hanoi", upload("police.hanoi", "criminal_cases", two_suspects()))
    row = criminal_row(investigating_agency="Công an Thành phố Hải Phòng", unit="Thành phố Hải Phòng")
    batch = upload("police.haiphong", "criminal_cases", xlsx(CRIMINAL_CASES, [row]))
    assert batch["status"] == "validated" and batch["warnings"] == []


def test_a_register_imported_again_does_not_match_its_own_suspects(upload, api):
    content = two_suspects(document_number="001090000456")
    commit(api, "police.hanoi", upload("police.hanoi", "criminal_cases", content))
    again = upload("police.hanoi", "criminal_cases", content)
    assert again["unchanged"] == 2 and again["warnings"] == []


# --- Dry runs write nothing ---------------------------------------------------------------------------

_WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\s+(INTO\s+|FROM\s+)?\"?(\w+)", re.IGNORECASE)


def _dry_run_writes(client, api, username, kind, content) -> tuple[dict, set[str]]:
    """The import's dry run (as the worker runs it) and the tables it wrote to."""
    headers = api(username).headers
    files = {"kind": kind, "file": SimpleUploadedFile("so.xlsx", content)}
    response = client.post("/api/v1/imports", files, headers=headers)
    assert response.status_code == 202, response.content
    with CaptureQueriesContext(connection) as queries:
        run_dry_run(response.json()["id"])
    tables = {match.group(3) for q in queries if (match := _WRITE.match(q["sql"]))}
    return client.get(f"/api/v1/imports/{response.json()['id']}", headers=headers).json(), tables


def test_a_dry_run_writes_no_record_and_spends_no_audit_number(client, api, victim_case):
    before = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    police, police_tables = _dry_run_writes(client, api, "police.hanoi", "criminal_cases", two_suspects())
    rows = [support_row(case_number=victim_case.number), support_row("HT-2", victim_case.number, quantity="10")]
    support, support_tables = _dry_run_writes(client, api, "supervisor.hanoi", "support", xlsx(SUPPORT, rows))
    assert police["status"] == support["status"] == "validated"
    assert police["created"] == 2 and support["created"] == 2
    # Only the import's own staging is written: no record, no audit entry, not even one rolled back.
    assert police_tables | support_tables <= {"exchange_importbatch", "exchange_stagedrow"}
    commit(api, "police.hanoi", police)
    commit(api, "supervisor.hanoi", support)
    # The audit numbers run on without a gap: the uploads, then the records and the two commits.
    ids = list(AuditEntry.objects.filter(id__gt=before).order_by("id").values_list("id", flat=True))
    assert ids == list(range(before + 1, before + 1 + len(ids)))
    assert AuditEntry.objects.filter(id__gt=before, action="exchange.import_committed").count() == 2
    assert CriminalCase.objects.count() == 1 and SupportItem.objects.count() == 2


# --- Bad inputs, for these two kinds -------------------------------------------------------------------


def test_impossible_dates_and_excel_serial_numbers(upload):
    rows = [
        criminal_row(detected_on="31/11/2025"),
        criminal_row("VA-2", number="13/VA", detected_on=46091, prosecution_opened_on="46101"),
    ]
    batch = upload("police.hanoi", "criminal_cases", xlsx(CRIMINAL_CASES, rows))
    errors = _errors(batch)
    assert "30" in errors[(2, "Ngày phát hiện")] and "tháng 11" in errors[(2, "Ngày phát hiện")]
    assert not any(row == 3 for row, _column in errors)  # 46091 is 10/03/2026, 46101 is 20/03/2026


def test_support_dates_impossible_or_as_serial_numbers(upload, victim_case):
    number = victim_case.number
    rows = [
        support_row(case_number=number, start_date="31/11/2025"),
        support_row("HT-2", number, start_date=46091, end_date="46110"),
    ]
    batch = upload("supervisor.hanoi", "support", xlsx(SUPPORT, rows))
    errors = _errors(batch)
    assert "tháng 11" in errors[(2, "Ngày bắt đầu")]
    assert not any(row == 3 for row, _column in errors), errors


def test_thousands_separators_are_read_the_vietnamese_way(upload, victim_case):
    rows = [support_row(case_number=victim_case.number, quantity="1.000")]
    batch = upload("supervisor.hanoi", "support", xlsx(SUPPORT, rows))
    message = _errors(batch)[(2, "Số lượng (theo đơn vị của định mức)")]
    assert "1000" in message and "120" in message  # read as one thousand days, past the limit


def test_nfd_text_matches_and_is_stored_nfc(upload, api, victim_case):
    nfd = unicodedata.normalize("NFD", "Lê Thị Cúc (minh họa)")
    batch = upload("police.hanoi", "criminal_cases", xlsx(CRIMINAL_CASES, [criminal_row(full_name=nfd)]))
    assert batch["errors"] == []
    commit(api, "police.hanoi", batch)
    assert Suspect.objects.get().full_name == unicodedata.normalize("NFC", nfd)
    row = support_row(
        case_number=victim_case.number,
        item=unicodedata.normalize("NFD", "Tiền ăn"),
        provider=unicodedata.normalize("NFD", "Cơ sở trợ giúp nạn nhân Hà Nội (minh họa)"),
    )
    support = upload("supervisor.hanoi", "support", xlsx(SUPPORT, [row]))
    assert support["errors"] == []  # the province's rate for “Tiền ăn” is found
    commit(api, "supervisor.hanoi", support)
    assert SupportItem.objects.get().item == "Tiền ăn"


def test_unknown_codes_name_the_value(upload, victim_case):
    batch = upload(
        "police.hanoi",
        "criminal_cases",
        xlsx(CRIMINAL_CASES, [criminal_row(article="Điều 999", exploitation_forms="Bóc lột tình dục; Trồng cây")]),
    )
    errors = _errors(batch)
    assert "Điều 999" in errors[(2, "Tội danh (điều luật)")]
    assert "Trồng cây" in errors[(2, "Hình thức bóc lột")]
    support = upload(
        "supervisor.hanoi", "support", xlsx(SUPPORT, [support_row(case_number=victim_case.number, regime="ESSX")])
    )
    assert "ESSX" in _errors(support)[(2, "Chế độ hỗ trợ")]


def test_an_old_unit_after_the_reform_names_its_successor_and_before_it_is_placed(upload, api):
    after = criminal_row(unit="Xã Đại Đồng, Huyện Thạch Thất, Hà Nội")
    batch = upload("police.hanoi", "criminal_cases", xlsx(CRIMINAL_CASES, [after]))
    assert "Xã Thạch Thất" in _errors(batch)[(2, "Đơn vị hành chính nơi điều tra")]
    before = criminal_row(
        unit="Xã Đại Đồng, Huyện Thạch Thất, Hà Nội",
        detected_on="10/03/2024",
        prosecution_opened_on="20/03/2024",
        prosecuted_on="25/03/2024",
    )
    batch = upload("police.hanoi", "criminal_cases", xlsx(CRIMINAL_CASES, [before]))
    assert batch["errors"] == []
    commit(api, "police.hanoi", batch)
    unit = CriminalCase.objects.select_related("unit__placement").get().unit
    assert unit.name == "Xã Đại Đồng" and unit.placement.name == "Xã Thạch Thất"


def test_formulas_are_read_as_values_never_evaluated(upload, victim_case):
    def formulas(sheet):
        sheet["H2"] = "=10*2"  # quantity, saved without a value

    rows = [support_row(case_number=victim_case.number)]
    batch = upload("supervisor.hanoi", "support", xlsx(SUPPORT, rows, cells=formulas))
    error = [e for e in batch["errors"] if e["column"] == "Số lượng (theo đơn vị của định mức)"][0]
    assert error["value"] == ""  # empty, not 20
    assert not SupportItem.objects.exists()


@pytest.mark.parametrize(
    ("kind", "schema", "row", "dropped"),
    [
        ("criminal_cases", CRIMINAL_CASES, criminal_row(), "Số vụ án"),
        ("support", SUPPORT, support_row(case_number="HN-1"), "Khoản hỗ trợ"),
    ],
)
def test_extra_and_missing_columns_are_named(upload, kind, schema, row, dropped):
    headers = [h for h in schema.headers if h != dropped] + ["Ghi chú riêng"]
    username = "police.hanoi" if kind == "criminal_cases" else "supervisor.hanoi"
    batch = upload(username, kind, xlsx(schema, [row], headers=headers))
    assert {dropped, "Ghi chú riêng"} <= {e["column"] for e in batch["errors"]}
    assert batch["status"] == "dry_run" and batch["row_count"] == 0
