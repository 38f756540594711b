"""The victim case register committed set-based (`cases.services.create_cases`) gives the records the
one-by-one path (`create_case`, then `transition_case` for each step) gives, and refuses what it refuses."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from haidang.access.models import Agency
from haidang.audit.models import AuditEntry
from haidang.cases.models import Case, CaseStatus, LegalRegime
from haidang.exchange.imports.registry import kind_for
from haidang.exchange.models import ImportBatch, StagedRow
from haidang.exchange.services.imports import run_dry_run
from haidang.exchange.tests.registers import CASES, case_row, xlsx

pytestmark = pytest.mark.django_db

IDENTIFICATION = {
    "evidence_sources": "a; b",
    "confirming_document": "police_certificate",
    "confirming_issuer": "Công an Thành phố Hà Nội",
    "confirming_number": "12/GXN-CAHN",
}

ROWS = [
    # Received only.
    case_row("SO-1", full_name="Lê Thị Mai (minh họa)", reception_date="15/03/2026", document_number="001301000001"),
    # Handed over at the border: back in Vietnam the day received; every step of the path up to reintegration.
    case_row(
        "SO-2",
        full_name="Phạm Văn Tùng (minh họa)",
        sex="Nam",
        intake_channel="border_handover",
        reception_date="10/08/2025",
        verification_date="12/08/2025",
        identification_date="20/08/2025",
        confirming_date="18/08/2025",
        returned_home_date="01/09/2025",
        reintegration_date="15/09/2025",
        **IDENTIFICATION,
    ),
    # Identified before 01/07/2025 at a commune that no longer exists: the 2011 law stays (Art. 63).
    case_row(
        "SO-3",
        full_name="Hoàng Thị Lan (minh họa)",
        reception_date="10/03/2025",
        unit="Xã Bình Yên, Huyện Thạch Thất, Thành phố Hà Nội",
        verification_date="11/03/2025",
        identification_date="20/03/2025",
        confirming_date="19/03/2025",
        **IDENTIFICATION,
    ),
    # Notified and under initial verification.
    case_row("SO-4", full_name="Đỗ Văn Hùng (minh họa)", reception_date="02/11/2026", verification_date="03/11/2026"),
]

PERSON_FIELDS = [
    "full_name",
    "other_names",
    "name_key",
    "sex",
    "birth_date",
    "birth_year",
    "ethnicity",
    "nationality_class",
    "nationality_country",
    "document_type",
    "document_number",
    "document_hash",
    "residence_unit_id",
    "address",
    "contacts",
    "languages",
    "created_by_id",
    "version",
]
CASE_FIELDS = [
    "province_id",
    "placed_province_id",  # where statistics count it (stored at write time)
    "placed_commune_id",
    "year",
    "legal_regime",
    "intake_channel",
    "reception_date",
    "agency_id",
    "unit_id",
    "found_abroad",
    "found_country",
    "returned_on",
    "return_border_gate",
    "exploitation_forms",
    "destination_country",
    "route",
    "recruitment_method",
    "criminal_proceeding_number",
    "status",
    "created_by_id",
    "version",
]


def _dry_run(client, api, username, rows):
    response = client.post(
        "/api/v1/imports",
        {"kind": "cases", "file": SimpleUploadedFile("so.xlsx", xlsx(CASES, rows))},
        headers=api(username).headers,
    )
    assert response.status_code == 202, response.content
    run_dry_run(response.json()["id"])
    return client.get(f"/api/v1/imports/{response.json()['id']}", headers=api(username).headers).json()


def _record(case: Case) -> dict:
    person = case.person
    events = [
        (e.kind, e.from_status, e.to_status, e.event_date, e.data, e.note, e.actor_id)
        for e in case.events.order_by("event_date", "id")
    ]
    return {
        "person": {name: getattr(person, name) for name in PERSON_FIELDS},
        "case": {name: getattr(case, name) for name in CASE_FIELDS},
        "number": (case.number.split("-")[:2], len(case.number)),
        "notified_on": case.notified_at.date() if case.notified_at else None,
        "events": events,
    }


def _audit_one_by_one(case: Case) -> tuple[dict, list]:
    entries = AuditEntry.objects.filter(object_id=str(case.pk)).order_by("id")
    created = entries.get(action="cases.case_created")
    steps = [
        {key: e.changes[key] for key in ("from", "to", "event_date", "agency")}
        for e in entries.filter(action="cases.case_transition")
    ]
    return {k: v for k, v in created.changes.items() if k != "number"}, steps


def test_the_bulk_commit_gives_the_records_of_the_one_by_one_path(client, api, demo_users):
    user = demo_users["supervisor.hanoi"]
    batch = _dry_run(client, api, "supervisor.hanoi", ROWS)
    assert batch["status"] == "validated", batch["errors"]

    # The same staged rows, one by one through create_case and transition_case.
    kind, stored = kind_for("cases"), ImportBatch.objects.get(pk=batch["id"])
    ctx = kind.context(user, stored)
    payloads = [row.payload for row in StagedRow.objects.filter(batch=stored).order_by("row_number")]
    one_by_one = [kind.create(ctx, payload, kind.prepare(payloads)) for payload in payloads]

    response = api("supervisor.hanoi").post(f"/api/v1/imports/{batch['id']}/commit")
    assert response.json()["status"] == "committed", response.json()
    bulk = [Case.objects.get(pk=link.target_id) for link in stored.links.order_by("source_key")]

    assert len(bulk) == len(one_by_one) == 4
    for single, many in zip(one_by_one, bulk, strict=True):
        single.refresh_from_db()
        assert _record(many) == _record(single)
        assert many.number != single.number
        # One audit entry per victim's record, naming the steps the one-by-one path audits one by one.
        entry = AuditEntry.objects.get(object_id=str(many.pk))
        created, steps = _audit_one_by_one(single)
        assert entry.action == "cases.case_created" and entry.unit_id == many.unit_id
        assert {k: v for k, v in entry.changes.items() if k not in ("number", "steps")} == created
        assert entry.changes["steps"] == steps and entry.changes["full_name"] == "***"

    by_key = dict(zip(["SO-1", "SO-2", "SO-3", "SO-4"], bulk, strict=True))
    assert by_key["SO-1"].status == CaseStatus.RECEIVED and by_key["SO-1"].version == 2
    assert by_key["SO-2"].status == CaseStatus.REINTEGRATION and by_key["SO-2"].returned_on.isoformat() == "2025-08-10"
    assert by_key["SO-3"].legal_regime == LegalRegime.LAW_2011 and by_key["SO-3"].unit.valid_to is not None
    assert by_key["SO-2"].legal_regime == LegalRegime.LAW_2024
    assert by_key["SO-4"].status == CaseStatus.INITIAL_VERIFICATION and by_key["SO-4"].notified_at is not None
    numbers = sorted(case.number for case in bulk)
    assert numbers[0].startswith("01-2025-") and numbers[-1].startswith("01-2026-")


def _errors(batch) -> dict:
    return {(e["row"], e["column"]): e["message"] for e in batch["errors"]}


def test_a_step_the_importers_agency_may_not_take_is_a_row_error_naming_who_may(client, api):
    rows = [ROWS[1], case_row("SO-5", verification_date="16/03/2026")]
    batch = _dry_run(client, api, "mission.cambodia", rows)
    errors = _errors(batch)
    # A mission abroad receives, notifies and identifies its cases; the return home is not its step.
    message = errors[(2, "Ngày trở về nơi cư trú")]
    assert "Art. 30(2), 37(1)(e) Law 53/2024; Decree 162 Art. 17" in message and "Sở Y tế" in message
    assert len(errors) == 1, errors


def test_a_step_the_importers_agency_may_no_longer_take_stops_the_commit(client, api, demo_users):
    """Who takes each step is decided again at the commit, with the importer's agency as it is then."""
    batch = _dry_run(client, api, "supervisor.hanoi", [ROWS[1]])
    assert batch["status"] == "validated", batch["errors"]
    mission = demo_users["mission.cambodia"].memberships.get(is_active=True).agency
    agency = demo_users["supervisor.hanoi"].memberships.get(is_active=True).agency
    Agency.objects.filter(pk=agency.pk).update(agency_type=mission.agency_type)  # now a mission abroad
    before = Case.objects.count()
    response = api("supervisor.hanoi").post(f"/api/v1/imports/{batch['id']}/commit")
    stored = ImportBatch.objects.get(pk=batch["id"])
    assert stored.status == "failed", response.json()
    assert "Sở Y tế" in stored.file_errors[0]["message"]
    assert Case.objects.count() == before and not stored.links.exists()


def test_steps_out_of_order_or_without_their_decision_are_row_errors(client, api):
    rows = [
        # Identified without the initial verification before it.
        case_row("SO-6", identification_date="20/03/2026", confirming_date="19/03/2026", **IDENTIFICATION),
        # The identification's document not given.
        case_row("SO-7", verification_date="16/03/2026", identification_date="20/03/2026"),
        # Verified before the person was received.
        case_row("SO-8", verification_date="14/03/2026"),
    ]
    errors = _errors(_dry_run(client, api, "supervisor.hanoi", rows))
    assert (2, "Ngày quyết định xác định là nạn nhân") in errors
    assert (3, "Loại giấy tờ xác nhận nạn nhân") in errors and (3, "Căn cứ xác định") in errors
    assert "14/03/2026" in errors[(4, "Ngày thông báo, xác minh ban đầu")]


def test_a_person_already_recorded_is_a_warning_naming_the_case(client, api):
    first = _dry_run(client, api, "supervisor.hanoi", [ROWS[0]])
    api("supervisor.hanoi").post(f"/api/v1/imports/{first['id']}/commit")
    number = Case.objects.get(pk=ImportBatch.objects.get(pk=first["id"]).links.get().target_id).number
    again = case_row("SO-9", full_name="Mai Lê Thị (minh họa)", document_number="001301000001")
    batch = _dry_run(client, api, "supervisor.hanoi", [again])
    warnings = [w["message"] for w in batch["warnings"]]
    assert any(number in message for message in warnings) and len(warnings) == 2, warnings


def test_the_case_template_lists_the_steps_and_reads_back_without_errors(client, api, sign_in, demo_users):
    import io

    from openpyxl import load_workbook

    page = sign_in(demo_users["supervisor.hanoi"])
    book = load_workbook(io.BytesIO(page.get("/exchange/imports/template/cases.xlsx").content))
    headers = [cell.value for cell in book["Dữ liệu"][1]]
    assert headers.index("Ngày thông báo, xác minh ban đầu") < headers.index("Ngày quyết định xác định là nạn nhân")
    assert "Ngày bắt đầu hỗ trợ tái hòa nhập cộng đồng" in headers
    notes = " ".join(str(row[0]) for row in book["Hướng dẫn"].iter_rows(values_only=True) if row and row[0])
    assert "theo đúng thứ tự" in notes and "cơ quan nào được làm" in notes
    out = io.BytesIO()
    book.save(out)
    response = client.post(
        "/api/v1/imports",
        {"kind": "cases", "file": SimpleUploadedFile("mau.xlsx", out.getvalue())},
        headers=api("supervisor.hanoi").headers,
    )
    run_dry_run(response.json()["id"])
    batch = client.get(f"/api/v1/imports/{response.json()['id']}", headers=api("supervisor.hanoi").headers).json()
    assert batch["status"] == "validated", batch["errors"]


def test_the_staged_payload_turns_exactly_the_day_columns_into_text():
    """`Cases.payload` converts the day columns it names; the schema must have no other day column."""
    from haidang.exchange.imports.kinds.cases import DAY_FIELDS, SCHEMA

    assert {column.key for column in SCHEMA.columns if column.kind == "day"} == set(DAY_FIELDS)
