"""HTCDS exports by audience through the API: the consent gate, the second person, k = 11, once only."""

import csv
import io
import json
import re
from datetime import date
from uuid import UUID

import pytest

from haidang.access.models import Agency
from haidang.audit.models import AuditEntry
from haidang.cases import disclosures, services
from haidang.cases.models import Disclosure
from haidang.exchange.htcds.privacy import pseudonymiser
from haidang.places.models import AdministrativeUnit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

IOM = "IOM Việt Nam (minh họa)"
LEGAL_AID = "Trung tâm Trợ giúp pháp lý Hà Nội (minh họa)"


def agency(name):
    return Agency.objects.get(name=name)


def commune(name="Xã Thạch Thất"):
    return AdministrativeUnit.objects.get(parent__code="01", valid_to__isnull=True, name=name)


def new_case(user, name, *, sex="female", birth_year=2000, reception=date(2026, 4, 2), destination="KHM"):
    return services.create_case(
        actor=user,
        person_data={
            "full_name": name,
            "sex": sex,
            "birth_year": birth_year,
            "residence_unit": commune(),
            "address": "Thôn 3 (minh họa)",
        },
        case_data={
            "intake_channel": "border_handover",
            "reception_date": reception,
            "unit": AdministrativeUnit.objects.get(code="01", valid_to__isnull=True),
            "agency": agency("Sở Y tế Thành phố Hà Nội"),
            "destination_country": destination,
            "exploitation_forms": ["forced_crime"],
            "recruitment_method": "online_job_offer",
        },
    )


def consent(user, case, recipient=None, purpose="export", **extra):
    return services.record_consent(
        actor=user,
        case=case,
        data={
            "given_by": "person",
            "purpose": purpose,
            "recipient": recipient,
            "given_on": date(2026, 4, 3),
            "method": "written",
            **extra,
        },
    )


def rows_of(response) -> list[dict]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def partner_cases(demo_users):
    worker = demo_users["caseworker.hanoi"]
    cases = {key: new_case(worker, f"Nguyễn Thị {key} (minh họa)") for key in "ABCDE"}
    consent(worker, cases["A"], agency(IOM))  # for IOM
    consent(worker, cases["B"])  # for any recipient
    consent(worker, cases["C"], agency(LEGAL_AID))  # for another agency
    consent(worker, cases["D"], agency(IOM), purpose="referral")  # another purpose
    withdrawn = consent(worker, cases["E"], agency(IOM))
    services.withdraw_consent(actor=worker, consent=withdrawn, withdrawn_on=date(2026, 4, 5))
    return cases


def test_a_partner_exchange_holds_only_the_cases_whose_consent_covers_the_partner(api, partner_cases):
    supervisor = api("supervisor.hanoi")
    iom = agency(IOM)
    answer = supervisor.post("/api/v1/exports/partner", {"recipient": str(iom.pk), "purpose": "Hỗ trợ tái hòa nhập"})
    assert answer.status_code == 201, answer.json()
    export = answer.json()
    assert (export["status"], export["row_count"], export["left_out_for_consent"]) == ("ready", 2, 3)
    download = supervisor.get(f"/api/v1/exports/{export['id']}/download")
    assert download.status_code == 200 and download["Content-Type"].startswith("text/csv")
    rows = rows_of(download)
    assert sorted(row["x_case_number"] for row in rows) == sorted(
        [partner_cases["A"].number, partner_cases["B"].number]
    )
    first = rows[0]
    assert first["prs_SecondName"] == "Nguyễn"
    assert first["prs_Gender"] == "Feminine" and first["prs_Citizenship"] == "VN"
    assert first["vic_TypeOfExploitation"] == "ForcedLabour"
    assert first["vic_MethodOfRecruitment"] == "ThroughAnOnlineAdvertisement"
    assert first["hte_Country"] == "KH" and first["prs_MailingCountry"] == "VN"
    assert first["prs_MailingState"] == "Thành phố Hà Nội" and first["con_Consent"] == "true"
    # Each case sent is a disclosure to IOM; the audit names the recipient, the purpose and the count.
    # One disclosure for the export; each case sent with the consent that allowed it, and on the case's history.
    sent = Disclosure.objects.get(kind="export", recipient=iom)
    assert sent.export.pk == UUID(export["id"]) and sent.purpose == "export"
    assert set(disclosures.cases_sent(sent)) == {partner_cases["A"].pk, partner_cases["B"].pk}
    [entry] = disclosures.history(partner_cases["A"])
    assert (entry.kind, entry.recipient, entry.consent.recipient) == ("export", iom, iom)
    assert entry.disclosed_by.username == "supervisor.hanoi"
    assert disclosures.history(partner_cases["C"]) == []
    entry = AuditEntry.objects.filter(action="exchange.export_downloaded").latest("id")
    assert entry.changes["recipient"] == str(iom.pk) and entry.changes["rows"] == 2
    assert entry.changes["left_out_for_consent"] == 3 and entry.changes["purpose"] == "Hỗ trợ tái hòa nhập"
    # Once only.
    again = supervisor.get(f"/api/v1/exports/{export['id']}/download")
    assert again.status_code == 400 and "already been downloaded" in again.json()["error"]["fields"]["status"][0]


def test_consent_for_another_recipient_is_a_refusal(api, partner_cases):
    supervisor = api("supervisor.hanoi")
    legal_aid = agency(LEGAL_AID)
    payload = {"recipient": str(legal_aid.pk), "purpose": "Trợ giúp pháp lý", "file_format": "json"}
    export = supervisor.post("/api/v1/exports/partner", payload).json()
    assert (export["row_count"], export["left_out_for_consent"]) == (2, 3)  # C (for it) and B (for anyone)
    body = json.loads(b"".join(supervisor.get(f"/api/v1/exports/{export['id']}/download").streaming_content))
    assert body["count"] == 2 and body["header"]["left_out_for_consent"] == 3
    assert body["header"]["recipient"]["org_Type"] == "LegalService"
    numbers = {record["x_case_number"] for record in body["records"]}
    assert numbers == {partner_cases["B"].number, partner_cases["C"].number}
    assert body["records"][0]["prs_Citizenship"] == ["VN"]


def test_who_may_export_and_see_it(api, partner_cases, demo_users):
    iom = str(agency(IOM).pk)
    payload = {"recipient": iom, "purpose": "Hỗ trợ"}
    # A case worker has no import_export; a coordinator may export but not identities.
    assert api("caseworker.hanoi").post("/api/v1/exports/partner", payload).status_code == 403
    assert api("coordinator.hanoi").post("/api/v1/exports/partner", payload).status_code == 403
    export = api("supervisor.hanoi").post("/api/v1/exports/partner", payload).json()
    # Another province's exporter does not see it; a colleague sees it but does not download it.
    assert api("supervisor.haiphong").get(f"/api/v1/exports/{export['id']}").status_code == 404
    assert api("coordinator.hanoi").get(f"/api/v1/exports/{export['id']}").status_code == 200
    assert api("coordinator.hanoi").get(f"/api/v1/exports/{export['id']}/download").status_code == 403
    # Bad input names the field.
    bad = api("supervisor.hanoi").post("/api/v1/exports/partner", {"recipient": iom, "purpose": " "})
    assert bad.status_code == 400 and "purpose" in bad.json()["error"]["fields"]
    unknown = api("supervisor.hanoi").post(
        "/api/v1/exports/partner", {"recipient": "00000000-0000-0000-0000-000000000000", "purpose": "x"}
    )
    assert unknown.status_code == 400 and "recipient" in unknown.json()["error"]["fields"]


@pytest.fixture
def research_cases(demo_users):
    worker = demo_users["caseworker.hanoi"]
    alike = [new_case(worker, f"Trần Thị Mẫu {i} (minh họa)") for i in range(15)]
    # Three who differ in what identifies: a man, an older woman (an adult like the others once ages are
    # coarsened to minor/adult), a person of another gender exploited elsewhere.
    odd = [
        new_case(worker, "Lê Văn Khác (minh họa)", sex="male"),
        new_case(worker, "Lê Thị Già (minh họa)", birth_year=1950),
        new_case(worker, "Lê Thị Xa (minh họa)", destination="MMR", sex="other"),
    ]
    return alike, odd


def _request_research(client, recipient):
    payload = {"recipient": str(recipient.pk), "purpose": "Nghiên cứu về lừa đảo trực tuyến"}
    answer = client.post("/api/v1/exports/research", payload)
    assert answer.status_code == 201, answer.json()
    return answer.json()


def test_a_research_extract_is_k_anonymous_approved_by_a_second_person_and_taken_once(api, research_cases):
    supervisor, coordinator = api("supervisor.hanoi"), api("coordinator.hanoi")
    export = _request_research(supervisor, agency(IOM))
    assert export["status"] == "requested"
    redaction = export["redaction"]
    assert (redaction["k"], redaction["rows"], redaction["kept"], redaction["suppressed"]) == (11, 18, 16, 2)
    assert redaction["share_redacted"] == pytest.approx(2 / 18, abs=1e-4)
    assert "registered_month_to_year" in redaction["generalised"]
    assert "age_band_to_minor_or_adult" in redaction["generalised"]
    url = f"/api/v1/exports/{export['id']}"
    # Not downloadable before approval; not approved by the one who asked.
    assert supervisor.get(f"{url}/download").status_code == 400
    own = supervisor.post(f"{url}/approve", {})
    assert own.status_code == 400 and "approved_by" in own.json()["error"]["fields"]
    approved = coordinator.post(f"{url}/approve", {"version": export["version"]})
    assert approved.status_code == 200 and approved.json()["status"] == "ready"
    assert approved.json()["approved_by"] == "coordinator.hanoi"
    assert coordinator.get(f"{url}/download").status_code == 403
    download = supervisor.get(f"{url}/download")
    assert download.status_code == 200
    text = b"".join(download.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 16
    # No direct identifier, no full date, ages in bands; every row in a class of at least 11.
    assert "minh họa" not in text and "Thôn 3" not in text and "prs_FirstName" not in text
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text)
    assert {row["x_age_band"] for row in rows} == {"18+"}
    assert {row["x_registered_month"] for row in rows} == {"2026"}
    assert {row["prs_Gender"] for row in rows} == {"Feminine"}
    assert len({row["x_pseudonym"] for row in rows}) == 16
    assert supervisor.get(f"{url}/download").status_code == 400


def test_pseudonyms_are_stable_per_recipient_and_differ_across_recipients(api, research_cases):
    alike, _odd = research_cases
    supervisor, coordinator = api("supervisor.hanoi"), api("coordinator.hanoi")

    def pseudonyms(recipient):
        export = _request_research(supervisor, recipient)
        coordinator.post(f"/api/v1/exports/{export['id']}/approve", {})
        response = supervisor.get(f"/api/v1/exports/{export['id']}/download")
        return {row["x_pseudonym"] for row in rows_of(response)}

    first, second = pseudonyms(agency(IOM)), pseudonyms(agency(IOM))
    other = pseudonyms(agency(LEGAL_AID))
    assert first == second and len(first) == 16
    assert not first & other
    expected = pseudonymiser(str(agency(IOM).pk))
    assert {expected(str(case.pk)) for case in alike} <= first


def test_refusing_a_research_extract(api, research_cases):
    export = _request_research(api("supervisor.hanoi"), agency(IOM))
    refused = api("coordinator.hanoi").post(f"/api/v1/exports/{export['id']}/refuse", {"reason": "Chưa đủ căn cứ"})
    assert refused.json()["status"] == "refused"
    assert api("supervisor.hanoi").get(f"/api/v1/exports/{export['id']}/download").status_code == 400
    listed = api("coordinator.hanoi").get("/api/v1/exports").json()
    assert listed["count"] == 1 and listed["items"][0]["audience"] == "research"
