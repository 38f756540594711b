"""Directives: create and change a draft, issue it (one pre-filled report per recipient),
cancel it, attach files."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from haidang.access.models import Agency, AgencyType
from haidang.access.scope import scope_for
from haidang.audit.services import record_event
from haidang.common.errors import StaleVersionError
from haidang.common.text import clean_text
from haidang.places.errors import format_day
from haidang.places.models import AdministrativeUnit, UnitLevel
from haidang.reporting import prefill
from haidang.reporting.dimensions import cell_columns, cell_from_columns
from haidang.reporting.models import (
    Directive,
    DirectiveActivity,
    DirectiveAttachment,
    DirectiveRecipient,
    DirectiveRecipientRule,
    DirectiveStatus,
    NotificationKind,
    Reminder,
    Report,
    ReportFormVersion,
    ReportValue,
    VersionStatus,
)
from haidang.reporting.notices import notify, report_url
from haidang.reporting.periods import PeriodError, PeriodType, parse
from haidang.reporting.permissions import ISSUE, filers_of
from haidang.reporting.reminders import schedule_reminders
from haidang.reporting.selectors import resolve_recipients
from haidang.reporting.services.common import MAX_ATTACHMENT_BYTES, MAX_TEXT

DIRECTIVE_FIELDS = (
    "number",
    "issued_on",
    "issuing_agency",
    "title",
    "text",
    "form_version",
    "period_id",
    "deadline",
    "activities",
    "recipient_rules",
    "recipients",
)


def _check_issuing_agency(scope, agency, errors: dict, issued_on=None) -> None:
    """The issuer is an agency of the day the directive bears: a 2024 directive of the old district's
    People's Committee names that committee, which no longer exists today."""
    if not isinstance(agency, Agency):
        errors["issuing_agency"] = [_("This field is required.")]
    elif not agency.is_active:
        errors["issuing_agency"] = [_("%(agency)s is no longer active.") % {"agency": agency.name}]
    elif not scope.covers_unit(agency.unit, ISSUE):
        errors["issuing_agency"] = [_("You cannot issue directives for %(agency)s.") % {"agency": agency.name}]
    elif isinstance(issued_on, date) and not agency.is_valid_on(issued_on):
        errors["issuing_agency"] = [
            _("%(agency)s did not exist on %(day)s.") % {"agency": agency.name, "day": format_day(issued_on)}
        ]


def _check_form_version(version, errors: dict) -> None:
    if not isinstance(version, ReportFormVersion):
        errors["form_version"] = [_("This field is required.")]
    elif version.status != VersionStatus.PUBLISHED:
        errors["form_version"] = [_("Choose a published version of the report form.")]


def _check_period(raw, version, errors: dict):
    """The period named by `raw` (None when it cannot be read); it must suit the form's period type."""
    found = None
    try:
        found = parse(raw or "")
    except PeriodError as error:
        errors["period_id"] = [str(error)]
    wrong_type = found is not None and isinstance(version, ReportFormVersion)
    if wrong_type and found.type not in (version.period_type, PeriodType.CUSTOM):
        errors["period_id"] = [
            _("The form %(form)s is reported by %(kind)s; choose a period of that type or a custom range.")
            % {"form": version.form.name, "kind": PeriodType(version.period_type).label.lower()}
        ]
    return found


def _check_dates(issued_on, deadline, found, errors: dict, agency=None) -> None:
    """The deadline after the directive's date and the period's start; the date near today, unless
    the directive is a historic one recorded under the body that issued it then (it has a last day)."""
    if isinstance(issued_on, date) and isinstance(deadline, date):
        if deadline < issued_on:
            errors.setdefault("deadline", []).append(
                _("The deadline %(deadline)s is before the directive's date %(day)s.")
                % {"deadline": format_day(deadline), "day": format_day(issued_on)}
            )
        historic = isinstance(agency, Agency) and agency.valid_to is not None and issued_on <= agency.valid_to
        if abs((issued_on - timezone.localdate()).days) > 366 * 2 and not historic:
            errors.setdefault("issued_on", []).append(
                _("%(day)s is far from today; check the year.") % {"day": format_day(issued_on)}
            )
    if found is not None and isinstance(deadline, date) and deadline < found.start:
        errors.setdefault("deadline", []).append(
            _("The deadline %(deadline)s is before the period starts (%(start)s).")
            % {"deadline": format_day(deadline), "start": format_day(found.start)}
        )


def _recipient_rule_problem(number: int, level, agency_type: str, agency) -> str | None:
    if level not in UnitLevel.values or (agency_type and agency_type not in AgencyType.values):
        return _("Rule %(number)s: choose a level and an agency type from the lists.") % {"number": number}
    if isinstance(agency, Agency) and level < agency.unit.level:
        return _("Rule %(number)s: a directive goes to the issuing level or below.") % {"number": number}
    return None


def _check_recipient_rules(items, agency, errors: dict) -> list[tuple]:
    rules = []
    for index, rule in enumerate(items or []):
        level, agency_type = rule.get("level"), rule.get("agency_type") or ""
        problem = _recipient_rule_problem(index + 1, level, agency_type, agency)
        if problem:
            errors.setdefault("recipient_rules", []).append(problem)
            continue
        rules.append((level, agency_type))
    return rules


def _recipient_problem(number: int, unit, named, agency) -> str | None:
    if not isinstance(unit, AdministrativeUnit):
        return _("Recipient %(number)s: choose a unit.") % {"number": number}
    if named is not None and named.unit_id != unit.pk:
        return _("Recipient %(number)s: %(agency)s is not at %(unit)s.") % {
            "number": number,
            "agency": named.name,
            "unit": unit.name,
        }
    if isinstance(agency, Agency) and not unit.scope_path.startswith(agency.unit.scope_path):
        return _("%(unit)s is not under %(issuer)s.") % {"unit": unit.name, "issuer": agency.unit.name}
    if isinstance(agency, Agency) and named is not None and named.pk == agency.pk:
        return _("The issuing agency does not report to itself.")
    return None


def _check_recipients(items, agency, errors: dict) -> list[tuple]:
    recipients = []
    for index, item in enumerate(items or []):
        unit, named = item.get("unit"), item.get("agency")
        if named is not None and unit is None:
            unit = named.unit
        problem = _recipient_problem(index + 1, unit, named, agency)
        if problem:
            errors.setdefault("recipients", []).append(problem)
            continue
        recipients.append((unit, named))
    return recipients


def _check_directive(actor, values: dict) -> dict:
    """Validate and normalise directive fields; returns what to store."""
    errors: dict[str, list[str]] = {}
    scope = scope_for(actor)
    clean = {
        "number": clean_text(values.get("number"))[:60],
        "title": clean_text(values.get("title"))[:500],
        "text": (values.get("text") or "").strip()[:MAX_TEXT],
    }
    for name in ("number", "title"):
        if not clean[name]:
            errors[name] = [_("This field is required.")]
    issued_on, deadline = values.get("issued_on"), values.get("deadline")
    for name, day in (("issued_on", issued_on), ("deadline", deadline)):
        if not isinstance(day, date):
            errors[name] = [_("This field is required.")]
    agency = values.get("issuing_agency")
    _check_issuing_agency(scope, agency, errors, issued_on)
    version = values.get("form_version")
    _check_form_version(version, errors)
    found = _check_period(values.get("period_id"), version, errors)
    _check_dates(issued_on, deadline, found, errors, agency)
    activities = [clean_text(text) for text in values.get("activities") or [] if clean_text(text)]
    rules = _check_recipient_rules(values.get("recipient_rules"), agency, errors)
    recipients = _check_recipients(values.get("recipients"), agency, errors)
    if errors:
        raise ValidationError(errors)
    clean.update(
        issued_on=issued_on,
        deadline=deadline,
        issuing_agency=agency,
        issuing_unit=agency.unit,
        form_version=version,
        period_id=found.identifier,
        period_start=found.start,
        period_end=found.end,
    )
    return {"fields": clean, "activities": activities, "rules": rules, "recipients": recipients}


def _write_directive_parts(directive: Directive, checked: dict) -> None:
    directive.activities.all().delete()
    DirectiveActivity.objects.bulk_create(
        DirectiveActivity(directive=directive, position=position, text=text)
        for position, text in enumerate(checked["activities"], start=1)
    )
    directive.recipient_rules.all().delete()
    DirectiveRecipientRule.objects.bulk_create(
        DirectiveRecipientRule(directive=directive, level=level, agency_type=agency_type)
        for level, agency_type in dict.fromkeys(checked["rules"])
    )
    directive.recipients.all().delete()
    seen = set()
    for unit, agency in checked["recipients"]:
        key = (unit.pk, agency.pk if agency else None)
        if key not in seen:
            seen.add(key)
            DirectiveRecipient.objects.create(directive=directive, unit=unit, agency=agency)


@transaction.atomic
def create_directive(*, actor, **fields) -> Directive:
    """A draft directive. Fields: number, issued_on, issuing_agency, title, text, form_version,
    period_id, deadline, activities [text], recipient_rules [{level, agency_type}],
    recipients [{unit, agency}]."""
    if not scope_for(actor).can(ISSUE):
        raise PermissionDenied
    checked = _check_directive(actor, fields)
    directive = Directive.objects.create(created_by=actor, **checked["fields"])
    _write_directive_parts(directive, checked)
    record_event(
        action="reporting.directive_created",
        actor=actor,
        target=directive,
        unit=directive.issuing_unit,
        changes={"number": directive.number, "period": directive.period_id, "deadline": directive.deadline},
    )
    return directive


def _locked_directive(actor, directive: Directive, version: int | None) -> Directive:
    locked = Directive.objects.select_for_update(of=("self",)).select_related("issuing_unit").get(pk=directive.pk)
    if not scope_for(actor).covers_unit(locked.issuing_unit, ISSUE):
        raise PermissionDenied
    if version is not None and version != locked.version:
        raise StaleVersionError(locked.version)
    return locked


def _bump(directive: Directive, *fields: str) -> None:
    directive.version += 1
    directive.save(update_fields=[*fields, "version", "updated_at"])


@transaction.atomic
def update_directive(*, actor, directive: Directive, version: int, **fields) -> Directive:
    """Change a draft directive; fields not given keep their values."""
    locked = _locked_directive(actor, directive, version)
    if locked.status != DirectiveStatus.DRAFT:
        raise ValidationError({"status": [_("Only a draft directive can be changed; this one is issued.")]})
    current = {
        "number": locked.number,
        "issued_on": locked.issued_on,
        "issuing_agency": locked.issuing_agency,
        "title": locked.title,
        "text": locked.text,
        "form_version": locked.form_version,
        "period_id": locked.period_id,
        "deadline": locked.deadline,
        "activities": list(locked.activities.values_list("text", flat=True)),
        "recipient_rules": [{"level": r.level, "agency_type": r.agency_type} for r in locked.recipient_rules.all()],
        "recipients": [
            {"unit": r.unit, "agency": r.agency} for r in locked.recipients.select_related("unit", "agency")
        ],
    }
    current.update({key: value for key, value in fields.items() if key in DIRECTIVE_FIELDS})
    checked = _check_directive(actor, current)
    for name, value in checked["fields"].items():
        setattr(locked, name, value)
    _bump(locked, *checked["fields"].keys())
    _write_directive_parts(locked, checked)
    record_event(
        action="reporting.directive_updated",
        actor=actor,
        target=locked,
        unit=locked.issuing_unit,
        changes={key: getattr(value, "pk", value) for key, value in fields.items() if key in DIRECTIVE_FIELDS},
    )
    return locked


def _prefill_values(report: Report) -> int:
    """Write the computed figures of every indicator with a source; returns how many cells."""
    written = 0
    now = timezone.now()
    for indicator in report.form_version.indicators.exclude(source=""):
        figures = prefill.compute(
            indicator.source, report.unit, report.period_start, report.period_end, indicator.breakdowns, report.agency
        )
        existing = {
            cell_from_columns(row, indicator.breakdowns): row
            for row in ReportValue.objects.filter(report=report, indicator=indicator)
        }
        for cell, figure in figures.items():
            row = existing.get(cell)
            if row is None:
                ReportValue.objects.create(
                    report=report, indicator=indicator, computed_value=figure, value=figure, **cell_columns(cell)
                )
            else:
                # A figure nobody changed follows the records; a changed one keeps its value and reason.
                follows = row.override_reason == "" and (row.value is None or row.value == row.computed_value)
                row.computed_value = figure
                if follows:
                    row.value = figure
                row.save(update_fields=["computed_value", "value", "updated_at"])
            written += 1
    report.prefilled_at = now
    report.save(update_fields=["prefilled_at", "updated_at"])
    return written


@transaction.atomic
def issue_directive(*, actor, directive: Directive, version: int | None = None) -> list[Report]:
    """Issue a draft: resolve its recipients, make one pre-filled report each, tell them, and
    schedule their reminders."""
    locked = _locked_directive(actor, directive, version)
    if locked.status != DirectiveStatus.DRAFT:
        raise ValidationError({"status": [_("This directive has been issued or cancelled already.")]})
    recipients = resolve_recipients(locked)
    if not recipients:
        raise ValidationError({"recipients": [_("Nobody would receive this directive: add recipients or rules.")]})
    for unit, agency, rule in recipients:
        if rule is not None:
            DirectiveRecipient.objects.get_or_create(
                directive=locked, unit=unit, agency=agency, defaults={"rule": rule}
            )
    locked.status = DirectiveStatus.ISSUED
    locked.issued_at = timezone.now()
    locked.issued_by = actor
    _bump(locked, "status", "issued_at", "issued_by")
    reports = [
        Report.objects.create(
            directive=locked,
            form_version=locked.form_version,
            unit=unit,
            agency=agency,
            period_id=locked.period_id,
            period_start=locked.period_start,
            period_end=locked.period_end,
            deadline=locked.deadline,
        )
        for unit, agency, _rule in recipients
    ]
    for report in reports:
        _prefill_values(report)
        schedule_reminders(report)
        notify(
            filers_of(report),
            kind=NotificationKind.DIRECTIVE_ISSUED,
            title=_("New directive %(number)s: report due %(deadline)s")
            % {"number": locked.number, "deadline": format_day(locked.deadline)},
            body=locked.title,
            url=report_url(report),
            report=report,
        )
    record_event(
        action="reporting.directive_issued",
        actor=actor,
        target=locked,
        unit=locked.issuing_unit,
        changes={"number": locked.number, "reports": len(reports)},
    )
    return reports


@transaction.atomic
def cancel_directive(*, actor, directive: Directive, version: int | None = None, reason: str = "") -> Directive:
    """Withdraw a directive; its open reports stop being expected and their reminders stop."""
    locked = _locked_directive(actor, directive, version)
    reason = clean_text(reason)
    if locked.status == DirectiveStatus.CANCELLED:
        raise ValidationError({"status": [_("This directive is cancelled already.")]})
    if locked.status == DirectiveStatus.ISSUED and not reason:
        raise ValidationError({"reason": [_("Give the reason for cancelling an issued directive.")]})
    was_issued = locked.status == DirectiveStatus.ISSUED
    locked.status = DirectiveStatus.CANCELLED
    locked.cancelled_at = timezone.now()
    _bump(locked, "status", "cancelled_at")
    Reminder.objects.filter(report__directive=locked, sent_at__isnull=True).update(skipped=True)
    if was_issued:
        for report in locked.reports.select_related("unit", "agency"):
            notify(
                filers_of(report),
                kind=NotificationKind.DIRECTIVE_CANCELLED,
                title=_("Directive %(number)s is cancelled") % {"number": locked.number},
                body=reason,
                url=report_url(report),
                report=report,
            )
    record_event(
        action="reporting.directive_cancelled", actor=actor, target=locked, unit=locked.issuing_unit, reason=reason
    )
    return locked


@transaction.atomic
def add_directive_attachment(*, actor, directive: Directive, uploaded_file) -> DirectiveAttachment:
    locked = _locked_directive(actor, directive, None)
    if locked.status == DirectiveStatus.CANCELLED:
        raise ValidationError({"file": [_("This directive is cancelled.")]})
    attachment = DirectiveAttachment.store(
        uploaded_file, max_bytes=MAX_ATTACHMENT_BYTES, uploaded_by=actor, directive=locked
    )
    record_event(
        action="reporting.attachment_added",
        actor=actor,
        target=locked,
        unit=locked.issuing_unit,
        changes=attachment.audit_changes(),
    )
    return attachment
