"""The police register of criminal cases with suspects, and the register of support items, through the API."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from openpyxl import load_workbook

from haidang.access.models import Agency
from haidang.audit.models import AuditEntry
from haidang.cases import services as case_services
from haidang.cases import support
from haidang.cases.models import SupportItem
from haidang.cases.tests.steps import walk
from haidang.exchange.models import ImportBatch
from haidang.exchange.services.imports import run_dry_run
from haidang.exchange.templates_xlsx import template_workbook
from haidang.exchange.tests.registers import CRIMINAL_CASES, SUPPORT, criminal_row, support_row, xlsx
from haidang.places.models import AdministrativeUnit
from haidang.proceedings.models import CriminalCase, Suspect

pytestmark = pytest.mark.django_db


@pytest.fixture
def upload(client, api):
    def _upload(username, kind, content, update_existing=False, expect=202):
        headers = api(username).headers
        response = client.post(
            "/api/v1/imports",
            {"kind": kind, "update_existing": update_existing, "file": SimpleUploadedFile("so.xlsx", content)},
            headers=headers,
        )
        assert response.status_code == expect, response.content
        if expect != 202:
            return response.json()
        run_dry_run(response.json()["id"])
        return client.get(f"/api/v1/imports/{response.json()['id']}", headers=headers).json()

    return _upload


def commit(api, username, batch):
    response = api(username).post(f"/api/v1/imports/{batch['id']}/commit")
    assert response.status_code == 200, response.content
    return response.json()


def _errors(batch) -> dict:
    return {(e["row"], e["column"]): e["message"] for e in batch["errors"]}


# --- Criminal cases with suspects --------------------------------------------------------------------


def two_suspects(**second):
    return xlsx(
        CRIMINAL_CASES,
        [
            criminal_row(),
            criminal_row("VA-2", full_name="Lê Thị Cúc (minh họa)", role="Kẻ tuyển mộ", sex="Nữ", **second),
        ],
    )


def test_a_police_register_makes_one_case_with_its_suspects_sealed(upload, api, demo_users):
    batch = upload("police.hanoi", "criminal_cases", two_suspects())
    assert batch["errors"] == [] and batch["status"] == "validated" and batch["created"] == 2, batch["errors"]
    assert not CriminalCase.objects.exists()  # the dry run wrote nothing
    assert commit(api, "police.hanoi", batch)["status"] == "committed"
    case = CriminalCase.objects.get()
    assert case.number == "12/VA" and case.article == "150" and case.prosecution_opened_on == date(2026, 3, 20)
    assert sorted(s.full_name for s in case.suspects.all()) == ["Lê Thị Cúc (minh họa)", "Trần Văn Bình (minh họa)"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT full_name, document_number FROM proceedings_suspect")
        stored = " ".join(str(value) for row in cursor.fetchall() for value in row)
    assert "Bình" not in stored and "001090000123" not in stored  # sealed at rest
    event = AuditEntry.objects.get(action="exchange.import_committed")
    assert event.changes["kind"] == "criminal_cases" and event.changes["created"] == 2


def test_the_same_register_again_changes_nothing(upload, api):
    content = two_suspects()
    commit(api, "police.hanoi", upload("police.hanoi", "criminal_cases", content))
    again = upload("police.hanoi", "criminal_cases", content)
    assert again["status"] == "validated" and again["created"] == 0 and again["unchanged"] == 2
    commit(api, "police.hanoi", again)
    assert CriminalCase.objects.count() == 1 and Suspect.objects.count() == 2


def test_a_changed_suspect_is_updated_only_when_asked(upload, api):
    commit(api, "police.hanoi", upload("police.hanoi", "criminal_cases", two_suspects()))
    changed = two_suspects(birth_year=1985)
    kept = upload("police.hanoi", "criminal_cases", changed)
    assert kept["warnings"] and kept["updated"] == 0
    batch = upload("police.hanoi", "criminal_cases", changed, update_existing=True)
    assert batch["updated"] == 1, batch
    assert commit(api, "police.hanoi", batch)["status"] == "committed"
    suspect = Suspect.objects.get(role="recruiter")
    assert suspect.birth_year == 1985 and suspect.version == 2


def test_rows_of_one_case_that_disagree_are_row_errors(upload):
    batch = upload("police.hanoi", "criminal_cases", two_suspects(detected_on="11/03/2026"))
    assert batch["status"] == "dry_run"
    message = _errors(batch)[(3, "Ngày phát hiện")]
    assert "2" in message and "12/VA" in message and "vụ án" in message


def test_bad_rows_name_the_row_and_column_in_vietnamese(upload):
    content = xlsx(
        CRIMINAL_CASES,
        [
            criminal_row(role="Trùm"),
            criminal_row("VA-2", number="13/VA", prosecution_opened_on="", full_name="Đào Văn Phúc (minh họa)"),
            criminal_row("VA-3", number="14/VA", investigating_agency="Công an Không Có"),
        ],
    )
    batch = upload("police.hanoi", "criminal_cases", content)
    errors = _errors(batch)
    assert "Trùm" in errors[(2, "Vai trò trong đường dây")]
    assert "khởi tố" in errors[(3, "Ngày khởi tố bị can")]
    assert "Công an Không Có" in errors[(4, "Cơ quan điều tra")]
    assert not CriminalCase.objects.exists()


def test_a_unit_outside_the_importers_area_is_an_error(upload):
    content = xlsx(
        CRIMINAL_CASES, [criminal_row(investigating_agency="Công an Thành phố Hải Phòng", unit="Thành phố Hà Nội")]
    )
    batch = upload("police.haiphong", "criminal_cases", content)
    assert batch["status"] == "dry_run"
    assert "ngoài" in _errors(batch)[(2, "Đơn vị hành chính nơi điều tra")]


def test_importing_criminal_cases_needs_the_proceedings_role(upload):
    upload("supervisor.hanoi", "criminal_cases", two_suspects(), expect=403)


def test_the_criminal_case_template_reads_back_without_errors(upload):
    book = load_workbook(io.BytesIO(template_workbook("criminal_cases")))
    assert [cell.value for cell in book["Dữ liệu"][1]] == CRIMINAL_CASES.headers
    batch = upload("police.hanoi", "criminal_cases", template_workbook("criminal_cases"))
    assert batch["errors"] == [] and batch["created"] == 1


# --- Support items -----------------------------------------------------------------------------------


@pytest.fixture
def victim_case(demo_users):
    hanoi = AdministrativeUnit.objects.get(code="01", valid_to__isnull=True)
    worker = demo_users["caseworker.hanoi"]
    case = case_services.create_case(
        actor=worker,
        person_data={"full_name": "Vũ Thị Thanh (minh họa)", "birth_year": 2001},
        case_data={
            "intake_channel": "rescue",
            "reception_date": date(2026, 3, 1),
            "unit": hanoi,
            "agency": Agency.objects.get(name="Sở Y tế Thành phố Hà Nội"),
        },
    )
    identification = {
        "decision_date": date(2026, 3, 5),
        "evidence_sources": ["b"],
        "document_type": "police_certificate",
        "document_issuer": "Công an Thành phố Hà Nội",
        "document_number": "7/XN",
        "document_date": date(2026, 3, 5),
    }
    case = walk(case, worker, (("received", None), ("initial_verification", None), ("identified", identification)))
    support.create_rate(
        actor=demo_users["coordinator.hanoi"],
        data={
            "province": hanoi,
            "regime": "ESS",
            "item": "Tiền ăn",
            "unit_label": "day",
            "amount": Decimal(50000),
            "max_units": 120,
            "valid_from": date(2025, 1, 1),
            "legal_basis": "Nghị quyết minh họa 01/2025/NQ-HĐND",
        },
    )
    return case


def test_a_support_register_records_items_at_the_provinces_rate(upload, api, victim_case):
    rows = [support_row(case_number=victim_case.number), support_row("HT-2", victim_case.number, quantity="10")]
    batch = upload("supervisor.hanoi", "support", xlsx(SUPPORT, rows))
    assert batch["errors"] == [] and batch["created"] == 2, batch["errors"]
    assert not SupportItem.objects.exists()
    assert commit(api, "supervisor.hanoi", batch)["status"] == "committed"
    assert sorted(item.total for item in SupportItem.objects.all()) == [Decimal(500000), Decimal(1000000)]
    again = upload("supervisor.hanoi", "support", xlsx(SUPPORT, rows))
    assert again["created"] == 0 and again["unchanged"] == 2
    commit(api, "supervisor.hanoi", again)
    assert SupportItem.objects.count() == 2


def test_the_services_checks_are_row_errors(upload, victim_case):
    number = victim_case.number
    rows = [
        support_row(case_number=number, quantity="130"),
        support_row("HT-2", number, item="Tiền thuê nhà"),
        support_row("HT-3", "HN-9999-99999"),
        support_row("HT-4", number, regime="Trợ cấp gì đó"),
    ]
    batch = upload("supervisor.hanoi", "support", xlsx(SUPPORT, rows))
    errors = _errors(batch)
    assert "120" in errors[(2, "Số lượng (theo đơn vị của định mức)")]
    assert "Tiền thuê nhà" in errors[(3, "Khoản hỗ trợ")]
    assert "HN-9999-99999" in errors[(4, "Số hồ sơ vụ việc")]
    assert "Trợ cấp gì đó" in errors[(5, "Chế độ hỗ trợ")]
    assert batch["status"] == "dry_run" and not SupportItem.objects.exists()
    assert ImportBatch.objects.get().error_count == 4


def test_a_case_outside_the_importers_scope_is_not_found(upload, victim_case):
    batch = upload("police.haiphong", "support", xlsx(SUPPORT, [support_row(case_number=victim_case.number)]))
    assert victim_case.number in _errors(batch)[(2, "Số hồ sơ vụ việc")]
    assert not SupportItem.objects.exists()


def test_a_changed_support_row_is_left_as_it_is_with_a_warning(upload, api, victim_case):
    commit(
        api,
        "supervisor.hanoi",
        upload("supervisor.hanoi", "support", xlsx(SUPPORT, [support_row(case_number=victim_case.number)])),
    )
    changed = xlsx(SUPPORT, [support_row(case_number=victim_case.number, quantity="15")])
    batch = upload("supervisor.hanoi", "support", changed, update_existing=True)
    assert batch["status"] == "validated" and batch["updated"] == 0 and batch["unchanged"] == 1
    assert "trang" in batch["warnings"][0]["message"]
    assert SupportItem.objects.get().quantity == 20


def test_rows_passing_a_limit_together_are_refused_at_the_commit_and_nothing_is_written(upload, api, victim_case):
    number = victim_case.number
    rows = [support_row(case_number=number, quantity="70"), support_row("HT-2", number, quantity="70")]
    batch = upload("supervisor.hanoi", "support", xlsx(SUPPORT, rows))
    assert batch["status"] == "validated"  # each row alone is within the limit
    result = commit(api, "supervisor.hanoi", batch)
    assert result["status"] == "failed" and result["errors"][0]["row"] == 3
    assert "120" in result["errors"][0]["message"]
    assert not SupportItem.objects.exists()
