"""A partner's HTCDS records in: read through the row-error machinery, a dry run first, all or nothing."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from haidang.access.models import Agency
from haidang.cases.models import Case

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


def post(client, user, text, *, commit=False, file_format="csv", agency="Sở Y tế Thành phố Hà Nội"):
    from haidang.access.services import issue_api_token

    data = {
        "file": SimpleUploadedFile(f"records.{file_format}", text.encode("utf-8"), content_type="text/plain"),
        "file_format": file_format,
        "agency": str(Agency.objects.get(name=agency).pk),
        "intake_channel": "border_handover",
        "commit": "true" if commit else "false",
    }
    raw = issue_api_token(user=user)[0]
    return client.post("/api/v1/htcds/import", data, headers={"Authorization": f"Bearer {raw}"})


def test_a_dry_run_names_every_bad_cell_and_stores_nothing(client, demo_users):
    before = Case.objects.count()
    answer = post(client, demo_users["supervisor.hanoi"], "\n".join([HEADER, GOOD, BAD]))
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert body["rows"] == 2 and not body["committed"]
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
    assert dry["errors"] == [] and dry["rows"] == 2 and not dry["committed"]
    done = post(client, user, "\n".join([HEADER, GOOD, OLD_ADDRESS]), commit=True).json()
    assert done["committed"] and done["created"] == 2
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


def test_json_records_as_an_export_writes_them(client, demo_users):
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
    body = json.dumps({"header": {"standard": "HTCDS"}, "records": [record], "count": 1})
    done = post(client, demo_users["supervisor.hanoi"], body, file_format="json", commit=True).json()
    assert done["committed"], done
    case = Case.objects.select_related("person").latest("created_at")
    assert (case.person.nationality_class, case.person.nationality_country) == ("foreign", "LAO")


def test_one_bad_row_at_commit_stores_nothing(client, demo_users):
    before = Case.objects.count()
    future = GOOD.replace("P-1,2026-03-10", "P-9,2099-01-01")
    done = post(client, demo_users["supervisor.hanoi"], "\n".join([HEADER, GOOD, future]), commit=True).json()
    assert not done["committed"] and done["errors"] and all(e["row"] == 3 for e in done["errors"])
    assert Case.objects.count() == before


def test_bad_files_and_who_may_import(client, demo_users):
    user = demo_users["supervisor.hanoi"]
    extra = post(client, user, "\n".join([HEADER + ",colour", GOOD + ",red"])).json()
    assert any(e["row"] == 1 and "colour" in e["message"] for e in extra["errors"])
    broken = post(client, user, "{not json", file_format="json").json()
    assert broken["errors"][0]["row"] == 1
    refused = post(client, demo_users["coordinator.hanoi"], "\n".join([HEADER, GOOD]))
    assert refused.status_code == 403


def test_the_file_passes_the_one_upload_check(client, demo_users, settings):
    user = demo_users["supervisor.hanoi"]
    not_json = post(client, user, "%PDF-1.7 a document", file_format="json")
    assert not_json.status_code == 400 and "JSON" in not_json.json()["error"]["fields"]["file"][0]
    not_csv = post(client, user, "\x00binary", file_format="csv")
    assert not_csv.status_code == 400 and "file" in not_csv.json()["error"]["fields"]
    empty = post(client, user, "")
    assert empty.status_code == 400 and "file" in empty.json()["error"]["fields"]
