import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from haidang.cases.models import Case
from haidang.exchange.models import ImportBatch
from haidang.exchange.services.imports import commit_import, run_dry_run
from haidang.exchange.tests.registers import ACTIVITIES, CASES, activity_row, case_row, csv_bytes, xlsx
from haidang.prevention.models import Activity

pytestmark = pytest.mark.django_db


@pytest.fixture
def upload(client, api):
    """upload(username, kind, content, name) -> the import as the API shows it once its dry run is over."""

    def _upload(username, kind, content, name="so.xlsx", update_existing=False, expect=202):
        headers = api(username).headers
        response = client.post(
            "/api/v1/imports",
            {"kind": kind, "update_existing": update_existing, "file": SimpleUploadedFile(name, content)},
            headers=headers,
        )
        assert response.status_code == expect, response.content
        if expect != 202:
            return response.json()
        run_dry_run(response.json()["id"])  # the job the worker would run
        return client.get(f"/api/v1/imports/{response.json()['id']}", headers=headers).json()

    return _upload


def commit(api, username, batch):
    return api(username).post(f"/api/v1/imports/{batch['id']}/commit")


def test_activity_register_imported(upload, api):
    batch = upload("coordinator.hanoi", "activities", xlsx(ACTIVITIES, [activity_row(), activity_row("HD-002")]))
    assert batch["errors"] == [], batch["errors"]
    assert batch["status"] == "validated" and batch["progress"] == 100 and batch["created"] == 2
    assert Activity.objects.filter(title__startswith="Truyền thông phòng").count() == 0  # a dry run writes nothing
    response = commit(api, "coordinator.hanoi", batch)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "committed"
    activity = Activity.objects.filter(title__startswith="Truyền thông phòng").first()
    assert activity.participants == 1250 and activity.materials.get().distributed == 4000
    assert activity.cost == 12_500_000


def _page_cache_size():
    """SQLite's page cache size on this connection (None on PostgreSQL)."""
    if connection.vendor != "sqlite":
        return None
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        return cursor.fetchone()[0]


def test_the_commit_gives_the_connection_its_sqlite_page_cache_back(upload, api):
    before = _page_cache_size()
    batch = upload("coordinator.hanoi", "activities", xlsx(ACTIVITIES, [activity_row()]))
    assert commit(api, "coordinator.hanoi", batch).json()["status"] == "committed"
    assert _page_cache_size() == before


def test_imports_are_listed_newest_first_within_the_users_area(upload, api):
    first = upload("coordinator.hanoi", "activities", xlsx(ACTIVITIES, [activity_row()]))
    second = upload("coordinator.hanoi", "activities", xlsx(ACTIVITIES, [activity_row("HD-002")]))
    listed = api("coordinator.hanoi").get("/api/v1/imports").json()
    assert [item["id"] for item in listed["items"]] == [second["id"], first["id"]] and listed["count"] == 2
    assert "errors" not in listed["items"][0]
    assert api("coordinator.haiphong").get("/api/v1/imports").json()["count"] == 0  # another province's
    assert api("coordinator.hanoi").get("/api/v1/imports?page=0").status_code == 400


def test_case_register_imported(upload, api):
    batch = upload("supervisor.hanoi", "cases", csv_bytes(CASES, [case_row()]), name="so.csv")
    assert batch["errors"] == [], batch["errors"]
    response = commit(api, "supervisor.hanoi", batch)
    assert response.json()["status"] == "committed", response.json()
    assert ImportBatch.objects.get().created_count == 1


def _errors(batch) -> dict:
    return {(e["row"], e["column"]): e for e in batch["errors"]}


def test_impossible_date_is_a_row_error_in_vietnamese(upload):
    batch = upload("coordinator.hanoi", "activities", xlsx(ACTIVITIES, [activity_row(start_date="31/11/2023")]))
    assert batch["status"] == "dry_run"
    error = _errors(batch)[(2, "Ngày bắt đầu")]
    assert error["value"] == "31/11/2023"
    assert "30" in error["message"] and "tháng 11" in error["message"]


@pytest.mark.parametrize(
    "typed", ["30/07/2026", "30-07-2026", "30.07.2026", "30072026", "2026-07-30", 46233, "46233", "3/7/2026"]
)
def test_dates_in_every_form(upload, typed):
    batch = upload("coordinator.hanoi", "activities", xlsx(ACTIVITIES, [activity_row(start_date=typed)]))
    assert batch["errors"] == []


def test_a_date_cell_formatted_as_a_date(upload):
    def as_date(sheet):
        from datetime import datetime

        sheet["D2"] = datetime(2026, 7, 30)
        sheet["D2"].number_format = "DD/MM/YYYY"

    batch = upload("coordinator.hanoi", "activities", xlsx(ACTIVITIES, [activity_row()], cells=as_date))
    assert batch["errors"] == []


def test_numbers_with_thousands_separators_and_bad_numbers(upload):
    batch = upload(
        "coordinator.hanoi",
        "activities",
        xlsx(ACTIVITIES, [activity_row(participants="10.000"), activity_row("HD-002", participants="1,5")]),
    )
    errors = _errors(batch)
    assert (2, "Số người tham dự") not in errors
    assert errors[(3, "Số người tham dự")]["value"] == "1,5"


def test_nfd_text_is_stored_nfc(upload, api):
    import unicodedata

    title = unicodedata.normalize("NFD", "Tuyên truyền ở Thạch Thất")
    batch = upload("coordinator.hanoi", "activities", xlsx(ACTIVITIES, [activity_row(title=title)]))
    assert batch["errors"] == []
    commit(api, "coordinator.hanoi", batch)
    assert Activity.objects.filter(title=unicodedata.normalize("NFC", title)).exists()


def test_unknown_codes(upload):
    batch = upload(
        "coordinator.hanoi",
        "activities",
        xlsx(ACTIVITIES, [activity_row(activity_type="Hội chợ", target_groups="Phụ nữ; Người ngoài hành tinh")]),
    )
    errors = _errors(batch)
    assert errors[(2, "Loại hoạt động")]["value"] == "Hội chợ"
    assert "Người ngoài hành tinh" in errors[(2, "Đối tượng")]["message"]


def test_old_unit_after_the_reform_names_its_successor(upload):
    batch = upload(
        "coordinator.hanoi", "activities", xlsx(ACTIVITIES, [activity_row(unit="Xã Đại Đồng, Huyện Thạch Thất")])
    )
    error = _errors(batch)[(2, "Xã, phường nơi tổ chức")]
    assert "Xã Thạch Thất" in error["message"]


def test_old_unit_on_an_old_date_is_placed_on_todays_map(upload, api):
    row = activity_row(unit="Xã Đại Đồng, Huyện Thạch Thất, Hà Nội", start_date="30/07/2024")
    batch = upload("coordinator.hanoi", "activities", xlsx(ACTIVITIES, [row]))
    assert batch["errors"] == []
    commit(api, "coordinator.hanoi", batch)
    activity = Activity.objects.select_related("unit").get(title=row["title"], start_date__year=2024)
    assert activity.unit.name == "Xã Đại Đồng" and activity.unit.placement.name == "Xã Thạch Thất"


def test_unit_outside_the_importers_area(upload):
    batch = upload("coordinator.hanoi", "activities", xlsx(ACTIVITIES, [activity_row(unit="Phường Hồng Bàng")]))
    assert "Phường Hồng Bàng" in _errors(batch)[(2, "Xã, phường nơi tổ chức")]["message"]
    assert batch["status"] == "dry_run"


def test_formulas_are_never_evaluated(upload, api):
    def formulas(sheet):
        sheet["C2"] = '=CONCATENATE("a","b")'  # title: no value saved with the formula
        sheet["O2"] = "=1000*2"  # participants

    batch = upload("coordinator.hanoi", "activities", xlsx(ACTIVITIES, [activity_row()], cells=formulas))
    errors = _errors(batch)
    assert errors[(2, "Tên hoạt động")]["value"] == ""
    assert (2, "Số người tham dự") not in errors  # empty, not 2000


def test_extra_and_missing_columns_are_named(upload):
    headers = [h for h in ACTIVITIES.headers if h != "Ngày bắt đầu"] + ["Cột lạ"]
    batch = upload("coordinator.hanoi", "activities", xlsx(ACTIVITIES, [activity_row()], headers=headers))
    columns = {e["column"] for e in batch["errors"]}
    assert {"Ngày bắt đầu", "Cột lạ"} <= columns
    assert batch["status"] == "dry_run" and batch["row_count"] == 0


def test_csv_with_commas_and_no_byte_order_mark(upload):
    content = csv_bytes(
        ACTIVITIES, [activity_row(participants="1250", target_groups="Phụ nữ")], delimiter=",", bom=False
    )
    batch = upload("coordinator.hanoi", "activities", content, name="so.csv")
    assert batch["errors"] == []


def test_duplicates_are_warnings_naming_the_match(upload, api):
    first = upload("supervisor.hanoi", "cases", xlsx(CASES, [case_row(), case_row("SO-002")]))
    assert first["errors"] == []
    assert [(w["row"], "3" in w["message"]) for w in first["warnings"]] == [(3, False)] or first["warnings"][0][
        "row"
    ] == 3
    assert "2" in first["warnings"][0]["message"]
    commit(api, "supervisor.hanoi", first)
    number = ImportBatch.objects.get(pk=first["id"]).links.first()
    second = upload("supervisor.hanoi", "cases", xlsx(CASES, [case_row("SO-003")]))
    assert second["errors"] == [] and len(second["warnings"]) == 1
    from haidang.cases.models import Case

    case = Case.objects.get(pk=number.target_id)
    assert case.number in second["warnings"][0]["message"]


def test_reimport_of_the_same_file_changes_nothing(upload, api):
    content = xlsx(ACTIVITIES, [activity_row(), activity_row("HD-002")])
    commit(api, "coordinator.hanoi", upload("coordinator.hanoi", "activities", content))
    count = Activity.objects.count()
    again = upload("coordinator.hanoi", "activities", content)
    assert (again["created"], again["unchanged"]) == (0, 2)
    assert commit(api, "coordinator.hanoi", again).json()["status"] == "committed"
    assert Activity.objects.count() == count


def test_changed_row_updates_only_when_asked_and_checks_the_version(upload, api):
    from haidang.prevention import services as prevention

    commit(api, "coordinator.hanoi", upload("coordinator.hanoi", "activities", xlsx(ACTIVITIES, [activity_row()])))
    changed = xlsx(ACTIVITIES, [activity_row(participants="2.000")])
    kept = upload("coordinator.hanoi", "activities", changed)
    assert kept["unchanged"] == 1 and kept["warnings"]
    updated = upload("coordinator.hanoi", "activities", changed, update_existing=True)
    assert updated["updated"] == 1
    assert commit(api, "coordinator.hanoi", updated).json()["status"] == "committed"
    activity = Activity.objects.get(title=activity_row()["title"])
    assert activity.participants == 2000

    # Someone edits the record between the dry run and the commit: the commit stops, nothing written.
    stale = upload(
        "coordinator.hanoi", "activities", xlsx(ACTIVITIES, [activity_row(participants="3.000")]), update_existing=True
    )
    from haidang.access.models import User

    prevention.update_activity(
        actor=User.objects.get(username="coordinator.hanoi"),
        activity=activity,
        version=activity.version,
        data={"sessions": 3},
    )
    response = commit(api, "coordinator.hanoi", stale).json()
    assert response["status"] == "failed" and response["errors"][0]["row"] == 2
    activity.refresh_from_db()
    assert activity.participants == 2000


def _zip_with(extra: dict[str, bytes]) -> bytes:
    import io
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(xlsx(ACTIVITIES, [activity_row()])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        for name, content in extra.items():
            target.writestr(name, content)
    return out.getvalue()


def test_zip_bomb_refused_before_inflating(upload):
    body = upload(
        "coordinator.hanoi", "activities", _zip_with({"xl/media/zeros.bin": bytes(12 * 1024 * 1024)}), expect=400
    )
    assert "file" in body["error"]["fields"]
    assert not ImportBatch.objects.exists()


def test_macro_workbook_refused(upload):
    body = upload(
        "coordinator.hanoi", "activities", _zip_with({"xl/vbaProject.bin": b"\x00" * 100}), name="so.xlsm", expect=400
    )
    assert "macro" in body["error"]["fields"]["file"][0]


def test_over_large_file_and_too_many_rows_refused(upload, settings):
    settings.IMPORT_MAX_BYTES = 2000
    body = upload("coordinator.hanoi", "activities", xlsx(ACTIVITIES, [activity_row()]), expect=400)
    assert "file" in body["error"]["fields"]
    settings.IMPORT_MAX_BYTES = 10 * 1024 * 1024
    settings.IMPORT_MAX_ROWS = 2
    rows = [activity_row(f"HD-{n}") for n in range(3)]
    upload("coordinator.hanoi", "activities", xlsx(ACTIVITIES, rows), expect=400)
    upload("coordinator.hanoi", "activities", csv_bytes(ACTIVITIES, rows), name="so.csv", expect=400)


def test_not_a_spreadsheet_refused(upload):
    upload("coordinator.hanoi", "activities", b"%PDF-1.4 hello", name="so.pdf", expect=400)


def test_imports_are_scoped(upload, api, client):
    batch = upload("coordinator.hanoi", "activities", xlsx(ACTIVITIES, [activity_row()]))
    assert api("coordinator.haiphong").get(f"/api/v1/imports/{batch['id']}").status_code == 404
    assert api("coordinator.haiphong").post(f"/api/v1/imports/{batch['id']}/commit").status_code == 404
    assert api("analyst").get(f"/api/v1/imports/{batch['id']}").status_code == 403
    # Someone who may import but may not write cases cannot import a case register.
    upload("coordinator.hanoi", "cases", xlsx(CASES, [case_row()]), expect=403)


def test_import_committed_is_audited_once_with_count_and_hash_and_each_record_too(upload, api):
    from haidang.audit.models import AuditEntry

    batch = upload("coordinator.hanoi", "activities", xlsx(ACTIVITIES, [activity_row(), activity_row("HD-002")]))
    commit(api, "coordinator.hanoi", batch)
    entry = AuditEntry.objects.get(action="exchange.import_committed")
    assert entry.changes["row_count"] == 2 and entry.changes["file_hash"] == batch["file_hash"]
    # Activities are inserted set-based, and each is on record as one entered on its page would be.
    created = AuditEntry.objects.filter(action="prevention.activity_created")
    assert created.count() == 2 and {e.object_id for e in created} == set(
        ImportBatch.objects.get(pk=batch["id"]).links.values_list("target_id", flat=True)
    )
    assert created.first().changes["participants"] == 1250 and created.first().unit.code


def test_every_victims_record_imported_is_audited(upload, api):
    from haidang.audit.models import AuditEntry

    batch = upload("supervisor.hanoi", "cases", xlsx(CASES, [case_row(), case_row("SO-002", full_name="Lê Văn Ví Dụ")]))
    commit(api, "supervisor.hanoi", batch)
    assert AuditEntry.objects.filter(action="cases.case_created").count() == 2
    assert AuditEntry.objects.get(action="exchange.import_committed").changes["row_count"] == 2


@pytest.mark.parametrize(
    ("username", "kind", "content", "model"),
    [
        ("coordinator.hanoi", "activities", lambda: xlsx(ACTIVITIES, [activity_row()]), Activity),
        ("supervisor.hanoi", "cases", lambda: xlsx(CASES, [case_row()]), Case),
    ],
)
def test_an_importer_who_lost_the_area_after_the_dry_run_cannot_commit(upload, username, kind, content, model):
    from haidang.access.models import User
    from haidang.places.models import AdministrativeUnit

    before, cache_size = model.objects.count(), _page_cache_size()
    batch = upload(username, kind, content())
    assert batch["status"] == "validated", batch["errors"]
    importer = User.objects.get(username=username)
    # Moved to Hải Phòng between the dry run and the commit: Hà Nội's communes are outside their area now.
    importer.memberships.filter(is_active=True).update(
        unit=AdministrativeUnit.objects.get(code="31", valid_to__isnull=True)
    )
    committed = commit_import(actor=User.objects.get(username=username), batch=ImportBatch.objects.get(pk=batch["id"]))
    assert committed.status == "failed" and "ngoài phạm vi phụ trách" in committed.file_errors[0]["message"]
    assert model.objects.count() == before and not committed.links.exists()  # nothing written
    assert _page_cache_size() == cache_size  # the commit's larger page cache is given back on failure too
