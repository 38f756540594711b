"""A partner's HTCDS records in: uploaded, read as a job with progress and errors by row, column and value,
committed all or nothing, and safe to import again (the partner's case id is the source key)."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from haidang.access.models import Agency
from haidang.cases.models import Case
from haidang.exchange.models import ImportLink
from haidang.exchange.services.imports import run_dry_run

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

HEADER = (
    "x_case_id,x_registered_on,prs_FirstName,prs_MiddleName,prs_SecondName,prs_Gender,prs_Citizenship,"
    "prs_MailingStreet,prs_MailingCity,prs_MailingState,vic_TypeOfExploitation,hte_Country"
)
GOOD = (
    "P-1,2026-03-10,Hoa,Thị,Lò,Feminine,VN,Bản Mới (minh họa),Xã Thạch Thất,Thành phố Hà Nội,"
    "SexualExploitation;ForcedLabour,KH"
)
OLD_ADDRESS = 'P-2,01/05/2024,Mai,Thị,Vàng,Feminine,VN,,"thôn 3, xa binh yen, thach that",ha noi,ForcedMarriage,CN'
BAD = "P-3,31/11/2023,Lan,,Hà,Woman,VN,,Xã Thạch Thất,Thành phố Hà Nội,Servitude,KHM"


IOM = "IOM Việt Nam (minh họa)"


def post(client, user, text, *, partner=IOM, update_existing=False, name="records.csv"):
    """Upload, run the dry run as the worker would, and read the import back as the API shows it."""
    from haidang.access.services import issue_api_token

    data = {
        "file": SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/plain"),
        "partner": str(Agency.objects.get(name=partner).pk),
        "intake_channel": "border_handover",
        "update_existing": "true" if update_existing else "false",
    }
    headers = {"Authorization": f"Bearer {issue_api_token(user=user)[0]}"}
    answer = client.post("/api/v1/htcds/import", data, headers=headers)
    if answer.status_code != 202:
        return answer
    assert "progress" in answer.json()
    run_dry_run(answer.json()["id"])
    return client.get(f"/api/v1/imports/{answer.json()['id']}", headers=headers)


def commit(client, user, batch):
    from haidang.access.services import issue_api_token

    headers = {"Authorization": f"Bearer {issue_api_token(user=user)[0]}"}
    return client.post(f"/api/v1/imports/{batch['id']}/commit", headers=headers).json()


def test_a_dry_run_names_every_bad_cell_and_stores_nothing(client, demo_users):
    before = Case.objects.count()
    answer = post(client, demo_users["supervisor.hanoi"], "\n".join([HEADER, GOOD, BAD]))
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert (body["kind"], body["row_count"], body["progress"], body["status"]) == ("htcds", 2, 100, "dry_run")
    cells = {(error["row"], error["column"]) for error in body["errors"]}
    assert {(3, "x_registered_on"), (3, "prs_Gender"), (3, "hte_Country")} <= cells
    assert all(error["row"] == 3 for error in body["errors"])
    date_error = next(e for e in body["errors"] if e["column"] == "x_registered_on")
    assert date_error["value"] == "31/11/2023"
    assert Case.objects.count() == before


def test_committing_records_the_cases_with_codes_read_back_and_old_addresses_placed(client, demo_users):
    before = Case.objects.count()
    user = demo_users["supervisor.hanoi"]
    dry = post(client, user, "\n".join([HEADER, GOOD, OLD_ADDRESS])).json()
    assert dry["errors"] == [] and dry["row_count"] == 2 and dry["status"] == "validated"
    assert Case.objects.count() == before
    done = commit(client, user, dry)
    assert done["status"] == "committed" and done["created"] == 2
    assert Case.objects.count() == before + 2
    new = Case.objects.select_related("person__residence_unit").order_by("-created_at")[:2]
    by_date = {case.reception_date.year: case for case in new}
    assert by_date[2026].person.full_name == "Lò Thị Hoa"
    assert by_date[2026].person.sex == "female"
    assert sorted(by_date[2026].exploitation_forms) == ["forced_labour", "sexual"]
    assert by_date[2026].destination_country == "KHM"
    old = by_date[2024].person.residence_unit
    assert old.code == "09982" and old.valid_to is not None  # Xã Bình Yên of the old map, placed today
    assert old.placement.is_current


def test_the_same_file_again_changes_nothing_and_a_changed_record_updates_only_when_asked(client, demo_users):
    user = demo_users["supervisor.hanoi"]
    commit(client, user, post(client, user, "\n".join([HEADER, GOOD])).json())
    before = Case.objects.count()
    again = post(client, user, "\n".join([HEADER, GOOD])).json()
    assert (again["created"], again["unchanged"], again["warnings"]) == (0, 1, [])
    assert commit(client, user, again)["status"] == "committed" and Case.objects.count() == before
    changed = GOOD.replace("SexualExploitation;ForcedLabour", "ForcedMarriage")
    kept = post(client, user, "\n".join([HEADER, changed])).json()
    assert kept["unchanged"] == 1 and "update existing" in kept["warnings"][0]["message"]
    updated = post(client, user, "\n".join([HEADER, changed]), update_existing=True).json()
    assert updated["updated"] == 1
    assert commit(client, user, updated)["updated"] == 1 and Case.objects.count() == before
    link = ImportLink.objects.get(kind="htcds", target_id__isnull=False, source_key__endswith=":P-1")
    assert Case.objects.get(pk=link.target_id).exploitation_forms == ["forced_marriage"]
    # The same case id from another partner is another case.
    other = post(client, user, "\n".join([HEADER, GOOD]), partner="Trung tâm Trợ giúp pháp lý Hà Nội (minh họa)")
    assert other.json()["created"] == 1


def test_json_records_as_an_export_writes_them_and_json_lines(client, demo_users, sign_in):
    record = {
        "x_case_id": "J-1",
        "x_registered_on": "2026-02-01",
        "prs_FirstName": "An",
        "prs_SecondName": "Phạm",
        "prs_Gender": "Masculine",
        "prs_Citizenship": ["LA"],
        "vic_TypeOfExploitation": ["ForcedLabour"],
        "hte_Type": "Exploitation",
        "con_Consent": True,
    }
    user = demo_users["supervisor.hanoi"]
    body = json.dumps({"header": {"standard": "HTCDS"}, "records": [record], "count": 1})
    dry = post(client, user, body, name="records.json").json()
    assert dry["status"] == "validated", dry["errors"]
    assert commit(client, user, dry)["created"] == 1
    case = Case.objects.select_related("person").latest("created_at")
    assert (case.person.nationality_class, case.person.nationality_country) == ("foreign", "LAO")
    lines = "\n".join(
        json.dumps({**record, "x_case_id": f"L-{n}", "prs_Gender": gender})
        for n, gender in enumerate(["Masculine", "Man", "Feminine"])
    )
    read = post(client, user, lines, name="records.jsonl").json()
    assert read["row_count"] == 3 and [(e["row"], e["column"]) for e in read["errors"]] == [(2, "prs_Gender")]
    # The records as a sheet, with what is wrong with each in a last column.
    sheet = sign_in(user).get(f"/exchange/imports/{read['id']}/errors.xlsx")
    rows = list(load_workbook(io.BytesIO(sheet.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "x_case_id" and rows[2][0] == "L-1" and rows[2][-1] and not rows[1][-1]


def test_a_json_document_is_read_record_by_record_in_either_shape(client, demo_users):
    user = demo_users["supervisor.hanoi"]
    record = {
        "x_case_id": "D-1",
        "x_registered_on": "2026-02-01",
        "prs_FirstName": "Bình",
        "prs_Gender": "Feminine",
        "hte_Type": "Exploitation",
        "con_Consent": True,
    }
    second = {**record, "x_case_id": "D-2", "prs_Gender": "Nobody"}
    # Pretty-printed with a byte order mark, as an editor saves it; then a bare list of records.
    document = "\ufeff" + json.dumps({"header": {"standard": "HTCDS"}, "records": [record, second]}, indent=2)
    read = post(client, user, document, name="records.json").json()
    assert read["row_count"] == 2 and [(e["row"], e["column"]) for e in read["errors"]] == [(2, "prs_Gender")]
    listed = post(client, user, json.dumps([record, second], indent=1), name="records.json").json()
    assert listed["row_count"] == 2 and [e["row"] for e in listed["errors"]] == [2]
    cut = post(client, user, json.dumps([record, second])[:-20], name="records.json").json()
    assert cut["status"] == "dry_run" and cut["errors"] and "JSON" in cut["errors"][-1]["message"]


def test_one_bad_row_at_commit_stores_nothing(client, demo_users):
    before = Case.objects.count()
    future = GOOD.replace("P-1,2026-03-10", "P-9,2099-01-01")
    dry = post(client, demo_users["supervisor.hanoi"], "\n".join([HEADER, GOOD, future])).json()
    assert dry["status"] == "validated"  # the day in the future is refused by the intake itself, at the commit
    done = commit(client, demo_users["supervisor.hanoi"], dry)
    assert done["status"] == "failed" and [e["row"] for e in done["errors"]] == [3]
    assert Case.objects.count() == before


def test_bad_files_and_who_may_import(client, demo_users):
    user = demo_users["supervisor.hanoi"]
    extra = post(client, user, "\n".join([HEADER + ",colour", GOOD + ",red"])).json()
    assert any(e["row"] == 1 and "colour" in e["message"] for e in extra["errors"])
    broken = post(client, user, "{not json", name="records.json").json()
    assert broken["status"] == "dry_run" and broken["errors"][0]["row"] in (0, 1)
    refused = post(client, demo_users["coordinator.hanoi"], "\n".join([HEADER, GOOD]))
    assert refused.status_code == 403


def test_the_file_passes_the_one_upload_check(client, demo_users):
    user = demo_users["supervisor.hanoi"]
    not_json = post(client, user, "%PDF-1.7 a document", name="records.json")
    assert not_json.status_code == 400 and "file" in not_json.json()["error"]["fields"]
    not_csv = post(client, user, "\x00binary")
    assert not_csv.status_code == 400 and "file" in not_csv.json()["error"]["fields"]
    empty = post(client, user, "")
    assert empty.status_code == 400 and "file" in empty.json()["error"]["fields"]
