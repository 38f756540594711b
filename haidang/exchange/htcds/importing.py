"""Import of HTCDS v2 records from a partner (CSV or JSON, as `writers` writes them), through the row-error
machinery of `exchange.rows`: each record read into a person and a case or into errors naming row, column,
value and a translated message; a dry run by default; committing creates every case or none.

HTCDS codes are read back into the project's (Gender → sex, TypeOfExploitation → forms, alpha-2 → alpha-3);
the mailing address (`prs_MailingStreet`, `prs_MailingCity`, `prs_MailingState`) is placed through the address
resolver on the record's registration date. The intake channel, the receiving agency and its unit are the
importer's, as for any intake. Not done: re-import by source key (a record imported twice is two cases).
"""

import csv
import hashlib
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from haidang.access.roles import Capability
from haidang.access.scope import scope_for
from haidang.audit.services import record_event
from haidang.cases import services as case_services
from haidang.cases.models import IntakeChannel, NationalityClass, Recruitment, Sex
from haidang.common.countries import from_alpha2
from haidang.common.text import fold
from haidang.exchange.htcds.codes import EXPLOITATION
from haidang.exchange.rows import Column, RowError, RowResult, Schema, validate_rows
from haidang.places.models import UnitLevel
from haidang.places.resolver import resolve_address
from haidang.places.selectors import UnitLookupError, resolve_unit

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000

_GENDER = (
    (Sex.FEMALE, "Feminine"),
    (Sex.MALE, "Masculine"),
    (Sex.OTHER, "NonConforming"),
    (Sex.OTHER, "TransgenderFeminine"),
    (Sex.OTHER, "TransgenderMasculine"),
    (Sex.UNKNOWN, "NonSpecifiedUnknown"),
)
# HTCDS → project: each project form under its HTCDS code; codes with no project form read as "other".
_EXPLOITATION = (
    *((form, code) for form, code in EXPLOITATION.items() if form != "forced_crime"),
    ("forced_labour", "ChildLabour"),
    ("other", "ForcedMilitaryByNonStateActors"),
)
_RECRUITMENT = (
    (Recruitment.ONLINE_JOB_OFFER, "ThroughAnOnlineAdvertisement"),
    (Recruitment.SOCIAL_NETWORK, "ThroughOnlineSocialNetworks"),
    (Recruitment.ACQUAINTANCE, "ThroughFriendsOrSocialEvents"),
    (Recruitment.ACQUAINTANCE, "ThroughFamilyOrFamilyEvents"),
    *((Recruitment.OTHER, code) for code in ("AtAPlaceOfBusiness", "AtAnEducationalInstitution", "AtWork")),
    *((Recruitment.OTHER, code) for code in ("ThroughATelevisionAdvert", "ThroughANewspaperAdvert", "Other")),
)

SCHEMA = Schema(
    [
        Column("x_case_id", "x_case_id", required=True, max_length=100, aliases=("id", "x_partner_id")),
        Column("x_registered_on", "x_registered_on", kind="day", required=True, aliases=("cas_IncomingReferralDate",)),
        Column("prs_FirstName", "prs_FirstName", max_length=100),
        Column("prs_MiddleName", "prs_MiddleName", max_length=100),
        Column("prs_SecondName", "prs_SecondName", max_length=100),
        Column("prs_Birthdate", "prs_Birthdate", kind="day"),
        Column("x_birth_year", "x_birth_year", kind="count"),
        Column("prs_Gender", "prs_Gender", kind="code", choices=_GENDER),
        Column("prs_Citizenship", "prs_Citizenship", max_length=100),
        Column("prs_MailingStreet", "prs_MailingStreet", max_length=300),
        Column("prs_MailingCity", "prs_MailingCity", max_length=150),
        Column("prs_MailingState", "prs_MailingState", max_length=150),
        Column("vic_TypeOfExploitation", "vic_TypeOfExploitation", kind="codes", choices=_EXPLOITATION),
        Column("vic_MethodOfRecruitment", "vic_MethodOfRecruitment", kind="codes", choices=_RECRUITMENT),
        Column("hte_Country", "hte_Country", max_length=2),
    ],
    source_key="x_case_id",
)
# Columns an export writes that the import does not read (they are derived again here).
IGNORED = frozenset(
    {
        "x_case_number",
        "x_legal_regime",
        "x_intake_channel",
        "prs_MailingCountry",
        "x_residence_unit_code",
        "x_residence_unit_today_code",
        "vic_TraffickingStatus",
        "hte_Type",
        "cas_Status",
        "con_Consent",
    }
)


def _cells(record: dict) -> dict:
    cells = {}
    for key, value in record.items():
        if key in IGNORED:
            continue
        column = SCHEMA.by_key.get(key) or SCHEMA._header_index.get(fold(str(key)))
        name = column.key if column is not None else key
        cells[name] = ";".join(str(v) for v in value) if isinstance(value, list) else value
    return cells


def read_file(content: bytes, file_format: str) -> tuple[Iterator[tuple[int, dict]], list[RowError]]:
    """(row number, cells by key) for every record, and the file-level errors (row 1)."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return iter(()), [RowError(1, "", "", _("The file is not UTF-8 text."))]
    if file_format == "json":
        try:
            body = json.loads(text)
        except json.JSONDecodeError as error:
            return iter(()), [
                RowError(1, "", "", _("The file is not valid JSON (line %(line)s).") % {"line": error.lineno})
            ]
        records = body.get("records") if isinstance(body, dict) else body
        if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
            return iter(()), [RowError(1, "records", "", _("The JSON file has no list of records."))]
        return ((number, _cells(record)) for number, record in enumerate(records, start=1)), []
    reader = csv.DictReader(io.StringIO(text))
    headers = [h for h in (reader.fieldnames or []) if h not in IGNORED]
    _mapped, errors = SCHEMA.match_headers(headers)
    return ((number, _cells(record)) for number, record in enumerate(reader, start=2)), errors


def _check_countries(result: RowResult) -> None:
    values, row = result.values, result.row
    codes = [c for c in (values.get("prs_Citizenship") or "").replace(",", ";").split(";") if c.strip()]
    alpha3 = [from_alpha2(code) for code in codes]
    if any(code is None for code in alpha3):
        message = _("Countries are ISO 3166-1 alpha-2 codes, such as VN or KH.")
        result.errors.append(SCHEMA.error_for(row, "prs_Citizenship", result.raw, message))
    values["citizenship"] = [code for code in alpha3 if code]
    country = values.get("hte_Country") or ""
    values["destination"] = from_alpha2(country) if country else ""
    if country and values["destination"] is None:
        message = _("Countries are ISO 3166-1 alpha-2 codes, such as VN or KH.")
        result.errors.append(SCHEMA.error_for(row, "hte_Country", result.raw, message))


def _check_address(result: RowResult) -> None:
    values = result.values
    parts = [values.get("prs_MailingCity"), values.get("prs_MailingState")]
    text = ", ".join(part for part in parts if part)
    values["residence_unit"] = None
    if not text:
        return
    found = resolve_address(text, as_of=values["x_registered_on"], levels=[UnitLevel.COMMUNE])
    if found.unit is None:
        message = found.resolution.message or _("“%(text)s” names no commune on that date.") % {"text": text}
        result.errors.append(SCHEMA.error_for(result.row, "prs_MailingCity", result.raw, message))
    values["residence_unit"] = found.unit


def _check_name(result: RowResult) -> None:
    values = result.values
    words = [values.get("prs_SecondName"), values.get("prs_MiddleName"), values.get("prs_FirstName")]
    values["full_name"] = " ".join(word for word in words if word)
    if not values["full_name"]:
        message = _("Give at least the given name (prs_FirstName).")
        result.errors.append(SCHEMA.error_for(result.row, "prs_FirstName", result.raw, message))


def _unit_on(unit, day):
    """The agency's unit on the record's date: for a record from before 01/07/2025, the unit of the old map
    with the same code (the old Hà Nội for the new one), when there is one."""
    if unit.is_valid_on(day):
        return unit
    try:
        return resolve_unit(unit.code, day)
    except UnitLookupError:
        return unit  # the intake refuses it, naming the unit


def _person_and_case(values: dict, *, agency, intake_channel: str) -> tuple[dict, dict]:
    citizenship = values.get("citizenship") or []
    vietnamese = not citizenship or "VNM" in citizenship
    person = {
        "full_name": values["full_name"],
        "sex": values.get("prs_Gender") or Sex.UNKNOWN,
        "birth_date": values.get("prs_Birthdate"),
        "birth_year": values.get("x_birth_year") if not values.get("prs_Birthdate") else None,
        "nationality_class": NationalityClass.VN_CITIZEN if vietnamese else NationalityClass.FOREIGN,
        "nationality_country": "" if vietnamese else citizenship[0],
        "residence_unit": values.get("residence_unit"),
        "address": values.get("prs_MailingStreet") or "",
    }
    recruitment = values.get("vic_MethodOfRecruitment") or []
    case = {
        "intake_channel": intake_channel,
        "reception_date": values["x_registered_on"],
        "unit": _unit_on(agency.unit, values["x_registered_on"]),
        "agency": agency,
        "exploitation_forms": values.get("vic_TypeOfExploitation") or [],
        "recruitment_method": recruitment[0] if recruitment else "",
        "destination_country": values.get("destination") or "",
    }
    return person, case


@dataclass
class ImportResult:
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    committed: bool = False
    created: int = 0
    file_hash: str = ""

    def as_dict(self) -> dict:
        return {
            "rows": self.rows,
            "errors": [error.as_dict() for error in self.errors],
            "committed": self.committed,
            "created": self.created,
            "file_hash": self.file_hash,
        }


def _row_errors(row: int, error: ValidationError) -> list[RowError]:
    return [RowError(row, name, "", " ".join(messages)) for name, messages in error.message_dict.items()]


def import_records(*, actor, content: bytes, file_format: str, agency, intake_channel: str, commit: bool = False):
    """Read (and with `commit`, record) the partner's HTCDS records: a dry run unless asked; all or nothing.
    `content` has passed the one upload check (`common.filetypes.check_upload`: size, type, declared rows)."""
    scope = scope_for(actor)
    if not (scope.can(Capability.IMPORT_EXPORT) and scope.can(Capability.EDIT_CASES)):
        raise PermissionDenied
    if intake_channel not in IntakeChannel.values:
        raise ValidationError({"intake_channel": [_("Choose an intake channel from the list.")]})
    result = ImportResult(file_hash=hashlib.sha256(content).hexdigest())
    rows, file_errors = read_file(content, file_format)
    result.errors.extend(file_errors)
    checks = (_check_name, _check_countries, _check_address)
    good: list[RowResult] = []
    for read in validate_rows(SCHEMA, rows, checks=checks):
        result.rows += 1
        if result.rows > MAX_ROWS:
            raise ValidationError({"file": [_("The file has more than %(count)s records.") % {"count": MAX_ROWS}]})
        result.errors.extend(read.errors)
        if read.ok:
            good.append(read)
    if result.errors or not commit:
        return result
    try:
        with transaction.atomic():
            for read in good:
                person, case = _person_and_case(read.values, agency=agency, intake_channel=intake_channel)
                try:
                    case_services.create_case(actor=actor, person_data=person, case_data=case)
                except ValidationError as error:
                    result.errors.extend(_row_errors(read.row, error))
            if result.errors:
                raise _RollBackError
            record_event(
                action="exchange.htcds_imported",
                actor=actor,
                target=agency,
                changes={"rows": len(good), "file_hash": result.file_hash, "format": file_format},
            )
    except _RollBackError:
        return result
    result.committed, result.created = True, len(good)
    return result


class _RollBackError(Exception):
    """Raised inside the transaction so that nothing of a failed commit stays."""
