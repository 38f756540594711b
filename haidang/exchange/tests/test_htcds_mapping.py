"""The HTCDS mapping: every field accounted for, every code one HTCDS lists, countries in alpha-2."""

from datetime import date

import pytest

from haidang.cases.models import CaseStatus, Exploitation, Recruitment, Sex
from haidang.common.countries import alpha2, from_alpha2
from haidang.exchange.htcds import codes, fields, writers
from haidang.exchange.htcds.privacy import age_band, k_anonymise, month, pseudonymiser
from haidang.exchange.htcds.records import split_name


def test_every_htcds_field_is_exported_or_said_absent_with_a_reason():
    produced = {key for key in (*fields.PARTNER_COLUMNS, *fields.RESEARCH_COLUMNS) if not key.startswith("x_")}
    assert len(fields.HTCDS_KEYS) == 84
    assert produced <= set(fields.HTCDS_KEYS)
    assert not produced & set(fields.ABSENT)
    assert produced | set(fields.ABSENT) == set(fields.HTCDS_KEYS)
    assert all(reason.strip() for reason in fields.ABSENT.values())
    # No direct identifier in the research extract.
    direct = {"prs_FirstName", "prs_MiddleName", "prs_SecondName", "prs_MailingStreet", "prs_Birthdate"}
    assert not direct & set(fields.RESEARCH_COLUMNS)


def test_every_code_produced_is_in_its_htcds_code_list():
    lists = codes.CODE_LISTS
    assert {codes.gender(sex) for sex in Sex.values} <= lists["Gender"]
    statuses = {codes.trafficking_status(status, CaseStatus.IDENTIFIED) for status in CaseStatus.values}
    assert statuses <= lists["TraffickingStatus"]
    assert {codes.case_status(status) for status in CaseStatus.values} <= lists["CaseStatus"]
    assert {code for method in Recruitment.values for code in codes.recruitment(method)} <= lists["MethodOfRecruitment"]
    assert set(codes.exploitation(Exploitation.values)) <= lists["TypeOfExploitation"]
    assert set(codes.ORGANISATION_TYPE.values()) <= lists["OrganisationType"]
    assert codes.trafficking_status(CaseStatus.CLOSED, CaseStatus.NOT_VICTIM) == "NotAVictimOfTrafficking"
    assert codes.recruitment(Recruitment.UNKNOWN) == []  # not recorded is null, not "Other"


def test_countries_are_alpha_2_both_ways():
    assert (alpha2("KHM"), alpha2("vnm"), alpha2("XYZ")) == ("KH", "VN", None)
    assert (from_alpha2("kh"), from_alpha2("ZZ"), from_alpha2("")) == ("KHM", None, None)
    assert codes.citizenship("foreign", "LAO") == ["LA"]
    assert codes.citizenship("vn_citizen", "") == ["VN"]
    assert codes.citizenship("stateless_resident", "") == []


def test_names_dates_and_ages():
    assert split_name("Nguyễn Thị Minh Khai") == ("Khai", "Thị Minh", "Nguyễn")
    assert split_name("Hùng") == ("Hùng", "", "")
    assert month(date(2026, 4, 2)) == "2026-04"
    assert [age_band(a) for a in (0, 8, 9, 17, 18, 26, 47, 48, None)] == [
        "0-8",
        "0-8",
        "9-17",
        "9-17",
        "18-20",
        "24-26",
        "39-47",
        "48+",
        None,
    ]


def test_k_anonymity_generalises_then_suppresses():
    base = {"x_registered_month": "2026-04", "x_age_band": "24-26", "prs_Gender": "Feminine"}
    rows = [dict(base, prs_MailingState="Hà Nội") for _ in range(20)]
    rows += [dict(base, x_registered_month="2026-05", prs_MailingState="Hà Nội")]  # joins once months are years
    rows += [dict(base, prs_Gender="Masculine", prs_MailingState="Hà Nội")]  # stays alone
    kept, report = k_anonymise(rows, k=11)
    # 2 of 22 in classes under 11 is more than 5 %: months become years; then 1 of 22 is left out.
    assert (len(kept), report.suppressed, report.steps) == (21, 1, ["registered_month_to_year"])
    assert report.as_dict()["share_redacted"] == pytest.approx(1 / 22, abs=1e-4)
    assert {row["x_registered_month"] for row in kept} == {"2026"}
    assert k_anonymise([], k=11)[1].as_dict()["share_redacted"] == 0


def test_pseudonyms_are_keyed_per_recipient():
    iom, other = pseudonymiser("iom"), pseudonymiser("other")
    assert iom("case-1") == pseudonymiser("iom")("case-1") != other("case-1")
    assert len(iom("case-1")) == 20


def test_writers_stream_csv_with_multi_select_and_json_with_arrays():
    records = [{"prs_Citizenship": ["VN", "KH"], "x_registered_on": date(2026, 4, 2), "con_Consent": True}]
    columns = ("prs_Citizenship", "x_registered_on", "con_Consent")
    text = "".join(writers.csv_stream(columns, iter(records)))
    assert text.startswith("\ufeffprs_Citizenship,") and "VN;KH,2026-04-02,true" in text
    import json

    body = json.loads("".join(writers.json_stream({"standard": "HTCDS"}, columns, iter(records))))
    assert body["count"] == 1 and body["records"][0]["prs_Citizenship"] == ["VN", "KH"]
