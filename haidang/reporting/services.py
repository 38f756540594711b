"""Writes for report forms, directives and reports: one function per action, atomic and audited.

Validation answers with {field: [message]} (a ValidationError) so pages and the API name the
field; the figures of a report are named "values[<indicator>][<breakdown>]". Directives and
reports carry a version: a write names the version it read, and a stale one changes nothing.
"""

from collections import defaultdict
from datetime import date
from operator import eq, ge, gt, le, lt

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from haidang.access.models import Agency, AgencyType
from haidang.access.scope import scope_for
from haidang.audit.services import record_event
from haidang.common.filetypes import check_upload
from haidang.common.text import clean_text
from haidang.places.errors import format_day
from haidang.places.models import AdministrativeUnit, UnitLevel
from haidang.places.selectors import valid_on_q
from haidang.reporting import prefill, workflow
from haidang.reporting.dimensions import (
    DIMENSIONS,
    TOTAL,
    Cell,
    cell_columns,
    cell_from_columns,
    cell_key,
    cell_label,
    cells,
    full_cells,
    parse_cell,
    validate_breakdowns,
)
from haidang.reporting.models import (
    Directive,
    DirectiveActivity,
    DirectiveAttachment,
    DirectiveRecipient,
    DirectiveRecipientRule,
    DirectiveStatus,
    Indicator,
    Measure,
    NarrativeSection,
    Notification,
    NotificationKind,
    Operator,
    Reminder,
    Report,
    ReportForm,
    ReportFormVersion,
    ReportNarrative,
    ReportStatus,
    ReportStatusChange,
    ReportValue,
    Severity,
    ValidationRule,
    VersionStatus,
)
from haidang.reporting.periods import PeriodError, PeriodType, parse
from haidang.reporting.permissions import ISSUE, can_file, can_review, filers_of, supervisors_of

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
MAX_FIGURE = 10**12
MAX_TEXT = 20_000
OPERATORS = {"<=": le, "<": lt, "==": eq, ">=": ge, ">": gt}


class StaleVersionError(Exception):
    """The record changed since the client read it; nothing was written."""

    def __init__(self, current_version: int):
        super().__init__(current_version)
        self.current_version = current_version


class ReportValidationError(ValidationError):
    """The report cannot be submitted: each problem names the indicator (or section) and breakdown.

    `problems` is a list of {"indicator", "breakdown", "message"}; as a ValidationError its fields
    are "values[<indicator>][<breakdown>]" and "narratives[<section>]".
    """

    def __init__(self, problems: list[dict]):
        self.problems = problems
        fields: dict[str, list[str]] = {}
        for problem in problems:
            fields.setdefault(problem["field"], []).append(problem["message"])
        super().__init__(fields)


def _value_field(indicator_code: str, cell: Cell) -> str:
    return f"values[{indicator_code}][{cell_key(cell)}]"


def report_url(report) -> str:
    try:
        return reverse("reporting:report_detail", args=[report.pk])
    except NoReverseMatch:
        return "/reports/"


def directive_url(directive) -> str:
    try:
        return reverse("reporting:directive_detail", args=[directive.pk])
    except NoReverseMatch:
        return "/reports/"


# --- Notices --------------------------------------------------------------------------------------


def notify(users, *, kind: str, title: str, body: str = "", url: str = "", report=None, email: bool = True) -> list:
    """In-application notices to `users`, and an e-mail to each who has an address, after commit."""
    users = list(users)
    now = timezone.now()
    notices = Notification.objects.bulk_create(
        Notification(user=user, kind=kind, title=title[:255], body=body, url=url, report=report, created_at=now)
        for user in users
    )
    if email:
        addresses = [user.email for user in users if user.email]
        if addresses:
            message = f"{body}\n\n{url}".strip()
            transaction.on_commit(
                lambda: [send_mail(title, message, None, [address], fail_silently=True) for address in addresses]
            )
    return notices


@transaction.atomic
def mark_notification_read(*, actor, notification: Notification) -> Notification:
    if notification.user_id != actor.pk:
        raise PermissionDenied
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def mark_all_notifications_read(*, actor) -> int:
    """Mark every unread notice of `actor` read; returns how many changed."""
    return Notification.objects.filter(user=actor, read_at__isnull=True).update(read_at=timezone.now())


# --- Report forms ---------------------------------------------------------------------------------


def _check_definition(indicators: list[dict], sections: list[dict], rules: list[dict]) -> None:
    errors: dict[str, list[str]] = {}
    codes = set()
    for index, item in enumerate(indicators):
        field = f"indicators[{index}]"
        code = clean_text(item.get("code"))
        if not code or code in codes:
            errors.setdefault(field, []).append(_("Give each indicator its own code."))
        codes.add(code)
        if not clean_text(item.get("name")):
            errors.setdefault(field, []).append(_("Give the indicator a name."))
        breakdowns = item.get("breakdowns") or []
        bad = validate_breakdowns(breakdowns)
        if bad:
            errors.setdefault(field, []).append(
                _("Unknown or repeated breakdowns: %(codes)s.") % {"codes": ", ".join(bad)}
            )
        source = item.get("source") or ""
        if source and source not in prefill.SOURCES:
            errors.setdefault(field, []).append(_("Unknown pre-fill source: %(source)s.") % {"source": source})
        elif source and not bad and prefill.unsupported_breakdowns(source, breakdowns):
            errors.setdefault(field, []).append(
                _("The source %(source)s cannot be broken down by %(codes)s.")
                % {"source": source, "codes": ", ".join(prefill.unsupported_breakdowns(source, breakdowns))}
            )
        if (item.get("measure") or Measure.OTHER) not in Measure.values:
            errors.setdefault(field, []).append(_("Choose one of the allowed values."))
    section_codes = set()
    for index, item in enumerate(sections):
        code = clean_text(item.get("code"))
        if not code or code in section_codes or not clean_text(item.get("title")):
            errors.setdefault(f"sections[{index}]", []).append(_("Give each section its own code and a title."))
        section_codes.add(code)
    for index, item in enumerate(rules):
        field = f"rules[{index}]"
        if item.get("left") not in codes or item.get("right") not in codes:
            errors.setdefault(field, []).append(_("A rule compares two indicators of the form."))
        if item.get("operator") not in Operator.values:
            errors.setdefault(field, []).append(_("Choose one of the allowed values."))
        if (item.get("severity") or Severity.ERROR) not in Severity.values:
            errors.setdefault(field, []).append(_("A rule is either an error or a warning."))
    if errors:
        raise ValidationError(errors)


def _write_definition(version: ReportFormVersion, indicators, sections, rules) -> None:
    made = {}
    for position, item in enumerate(indicators, start=1):
        indicator = Indicator.objects.create(
            version=version,
            code=clean_text(item["code"]),
            name=clean_text(item["name"]),
            position=item.get("position") or position,
            measure=item.get("measure") or Measure.OTHER,
            source=item.get("source") or "",
            breakdowns=list(item.get("breakdowns") or []),
            description=(item.get("description") or "").strip(),
        )
        made[indicator.code] = indicator
    for position, item in enumerate(sections, start=1):
        NarrativeSection.objects.create(
            version=version,
            code=clean_text(item["code"]),
            title=clean_text(item["title"]),
            position=item.get("position") or position,
            required=bool(item.get("required")),
        )
    for index, item in enumerate(rules, start=1):
        ValidationRule.objects.create(
            version=version,
            code=clean_text(item.get("code")) or f"R{index}",
            left_indicator=made[item["left"]],
            operator=item["operator"],
            right_indicator=made[item["right"]],
            message=clean_text(item.get("message")),
            severity=item.get("severity") or Severity.ERROR,
        )


def _definition_of(version: ReportFormVersion) -> tuple[list, list, list]:
    indicators = [
        {
            "code": i.code,
            "name": i.name,
            "position": i.position,
            "measure": i.measure,
            "source": i.source,
            "breakdowns": list(i.breakdowns),
            "description": i.description,
        }
        for i in version.indicators.order_by("position", "code")
    ]
    sections = [
        {"code": s.code, "title": s.title, "position": s.position, "required": s.required}
        for s in version.sections.order_by("position", "code")
    ]
    rules = [
        {
            "code": r.code,
            "left": r.left_indicator.code,
            "operator": r.operator,
            "right": r.right_indicator.code,
            "message": r.message,
            "severity": r.severity,
        }
        for r in version.rules.select_related("left_indicator", "right_indicator")
    ]
    return indicators, sections, rules


def _require_form_manager(actor) -> None:
    # None is the system itself (migrations, seeding).
    if actor is not None and not scope_for(actor).can(ISSUE):
        raise PermissionDenied


@transaction.atomic
def define_form(
    *,
    actor,
    code: str,
    name: str,
    period_type: str,
    indicators: list[dict],
    sections: list[dict] = (),
    rules: list[dict] = (),
    description: str = "",
    publish: bool = False,
) -> ReportFormVersion:
    """A new report form with its first version (published at once when asked)."""
    _require_form_manager(actor)
    code, name = clean_text(code), clean_text(name)
    errors: dict[str, list[str]] = {}
    if not code:
        errors["code"] = [_("This field is required.")]
    elif ReportForm.objects.filter(code=code).exists():
        errors["code"] = [_("A report form with the code %(code)s exists already.") % {"code": code}]
    if not name:
        errors["name"] = [_("This field is required.")]
    if period_type not in PeriodType.values:
        errors["period_type"] = [_("Choose one of the allowed values.")]
    if errors:
        raise ValidationError(errors)
    _check_definition(list(indicators), list(sections), list(rules))
    form = ReportForm.objects.create(code=code, name=name, description=(description or "").strip())
    version = ReportFormVersion.objects.create(form=form, number=1, period_type=period_type)
    _write_definition(version, list(indicators), list(sections), list(rules))
    record_event(action="reporting.form_defined", actor=actor, target=form, changes={"code": code, "version": 1})
    if publish:
        version = publish_version(actor=actor, version=version)
    return version


@transaction.atomic
def replace_draft_definition(
    *, actor, version: ReportFormVersion, indicators: list[dict], sections: list[dict] = (), rules: list[dict] = ()
) -> ReportFormVersion:
    """Redefine a draft version. A published version is never changed: make a new version."""
    _require_form_manager(actor)
    locked = ReportFormVersion.objects.select_for_update().get(pk=version.pk)
    if locked.status != VersionStatus.DRAFT:
        raise ValidationError(
            {"version": [_("A published version is never changed; make a new version of the form instead.")]}
        )
    _check_definition(list(indicators), list(sections), list(rules))
    locked.rules.all().delete()
    locked.indicators.all().delete()
    locked.sections.all().delete()
    _write_definition(locked, list(indicators), list(sections), list(rules))
    record_event(
        action="reporting.form_version_redefined", actor=actor, target=locked, changes={"number": locked.number}
    )
    return locked


@transaction.atomic
def publish_version(*, actor, version: ReportFormVersion) -> ReportFormVersion:
    """Publish a draft version; the version published before it is retired (its reports stay)."""
    _require_form_manager(actor)
    locked = ReportFormVersion.objects.select_for_update().get(pk=version.pk)
    if locked.status != VersionStatus.DRAFT:
        raise ValidationError({"version": [_("Only a draft version can be published.")]})
    if not locked.indicators.exists():
        raise ValidationError({"indicators": [_("A form needs at least one indicator.")]})
    ReportFormVersion.objects.filter(form_id=locked.form_id, status=VersionStatus.PUBLISHED).update(
        status=VersionStatus.RETIRED
    )
    locked.status = VersionStatus.PUBLISHED
    locked.published_at = timezone.now()
    locked.published_by = actor
    locked.save(update_fields=["status", "published_at", "published_by"])
    record_event(action="reporting.form_published", actor=actor, target=locked, changes={"number": locked.number})
    return locked


@transaction.atomic
def new_version(*, actor, form: ReportForm) -> ReportFormVersion:
    """A new draft version, a copy of the latest one, to change and publish."""
    _require_form_manager(actor)
    form = ReportForm.objects.select_for_update().get(pk=form.pk)
    latest = form.versions.order_by("-number").first()
    if latest is not None and latest.status == VersionStatus.DRAFT:
        raise ValidationError({"version": [_("Version %(number)s is still a draft.") % {"number": latest.number}]})
    number = latest.number + 1 if latest else 1
    version = ReportFormVersion.objects.create(
        form=form, number=number, period_type=latest.period_type if latest else PeriodType.QUARTER
    )
    if latest is not None:
        _write_definition(version, *_definition_of(latest))
    record_event(action="reporting.form_version_created", actor=actor, target=version, changes={"number": number})
    return version


# --- Directives -----------------------------------------------------------------------------------

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


def _unit_path(unit) -> str:
    return unit.placement_path or unit.path


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
    if not isinstance(issued_on, date):
        errors["issued_on"] = [_("This field is required.")]
    if not isinstance(deadline, date):
        errors["deadline"] = [_("This field is required.")]
    agency = values.get("issuing_agency")
    if not isinstance(agency, Agency):
        errors["issuing_agency"] = [_("This field is required.")]
    elif not agency.is_active:
        errors["issuing_agency"] = [_("%(agency)s is no longer active.") % {"agency": agency.name}]
    elif not scope.covers_unit(agency.unit, ISSUE):
        errors["issuing_agency"] = [_("You cannot issue directives for %(agency)s.") % {"agency": agency.name}]
    version = values.get("form_version")
    if not isinstance(version, ReportFormVersion):
        errors["form_version"] = [_("This field is required.")]
    elif version.status != VersionStatus.PUBLISHED:
        errors["form_version"] = [_("Choose a published version of the report form.")]
    found = None
    try:
        found = parse(values.get("period_id") or "")
    except PeriodError as error:
        errors["period_id"] = [str(error)]
    wrong_type = found is not None and isinstance(version, ReportFormVersion)
    if wrong_type and found.type not in (version.period_type, PeriodType.CUSTOM):
        errors["period_id"] = [
            _("The form %(form)s is reported by %(kind)s; choose a period of that type or a custom range.")
            % {"form": version.form.name, "kind": PeriodType(version.period_type).label.lower()}
        ]
    if isinstance(issued_on, date) and isinstance(deadline, date):
        if deadline < issued_on:
            errors.setdefault("deadline", []).append(
                _("The deadline %(deadline)s is before the directive's date %(day)s.")
                % {"deadline": format_day(deadline), "day": format_day(issued_on)}
            )
        if abs((issued_on - timezone.localdate()).days) > 366 * 2:
            errors.setdefault("issued_on", []).append(
                _("%(day)s is far from today; check the year.") % {"day": format_day(issued_on)}
            )
    if found is not None and isinstance(deadline, date) and deadline < found.start:
        errors.setdefault("deadline", []).append(
            _("The deadline %(deadline)s is before the period starts (%(start)s).")
            % {"deadline": format_day(deadline), "start": format_day(found.start)}
        )
    activities = [clean_text(text) for text in values.get("activities") or [] if clean_text(text)]
    rules = []
    for index, rule in enumerate(values.get("recipient_rules") or []):
        level, agency_type = rule.get("level"), rule.get("agency_type") or ""
        if level not in UnitLevel.values or (agency_type and agency_type not in AgencyType.values):
            errors.setdefault("recipient_rules", []).append(
                _("Rule %(number)s: choose a level and an agency type from the lists.") % {"number": index + 1}
            )
            continue
        if isinstance(agency, Agency) and level < agency.unit.level:
            errors.setdefault("recipient_rules", []).append(
                _("Rule %(number)s: a directive goes to the issuing level or below.") % {"number": index + 1}
            )
            continue
        rules.append((level, agency_type))
    recipients = []
    for index, item in enumerate(values.get("recipients") or []):
        unit, named = item.get("unit"), item.get("agency")
        if named is not None and unit is None:
            unit = named.unit
        if not isinstance(unit, AdministrativeUnit):
            errors.setdefault("recipients", []).append(
                _("Recipient %(number)s: choose a unit.") % {"number": index + 1}
            )
            continue
        if named is not None and named.unit_id != unit.pk:
            errors.setdefault("recipients", []).append(
                _("Recipient %(number)s: %(agency)s is not at %(unit)s.")
                % {"number": index + 1, "agency": named.name, "unit": unit.name}
            )
            continue
        if isinstance(agency, Agency) and not _unit_path(unit).startswith(_unit_path(agency.unit)):
            errors.setdefault("recipients", []).append(
                _("%(unit)s is not under %(issuer)s.") % {"unit": unit.name, "issuer": agency.unit.name}
            )
            continue
        if isinstance(agency, Agency) and named is not None and named.pk == agency.pk:
            errors.setdefault("recipients", []).append(_("The issuing agency does not report to itself."))
            continue
        recipients.append((unit, named))
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
def create_directive(actor, **fields) -> Directive:
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
def update_directive(actor, directive: Directive, version: int, **fields) -> Directive:
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


def resolve_recipients(directive: Directive) -> list[tuple[AdministrativeUnit, Agency | None, object]]:
    """The concrete recipients: those named, plus every unit (or agency of the type) of each
    rule's level under the issuing unit that is valid on the deadline day, i.e. the units that
    exist to answer. Returns (unit, agency, rule) without repeats."""
    day = directive.deadline
    below = Q(placement_path__startswith=_unit_path(directive.issuing_unit)) & valid_on_q(day)
    result: dict = {}
    for recipient in directive.recipients.select_related("unit", "agency"):
        result[(recipient.unit_id, recipient.agency_id)] = (recipient.unit, recipient.agency, None)
    for rule in directive.recipient_rules.all():
        units = AdministrativeUnit.objects.filter(below, level=rule.level)
        if rule.agency_type:
            agencies = (
                Agency.objects.filter(is_active=True, agency_type=rule.agency_type, unit__in=units)
                .exclude(pk=directive.issuing_agency_id)
                .select_related("unit")
            )
            for agency in agencies:
                result.setdefault((agency.unit_id, agency.pk), (agency.unit, agency, rule))
        else:
            for unit in units:
                result.setdefault((unit.pk, None), (unit, None, rule))
    return sorted(result.values(), key=lambda item: (item[0].level, item[0].sort_key, str(item[1] or "")))


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
def issue_directive(actor, directive: Directive, version: int | None = None) -> list[Report]:
    """Issue a draft: resolve its recipients, make one pre-filled report each, tell them, and
    schedule their reminders."""
    from haidang.reporting.reminders import schedule_reminders

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
def cancel_directive(actor, directive: Directive, version: int | None = None, reason: str = "") -> Directive:
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
    upload = check_upload(uploaded_file, max_bytes=MAX_ATTACHMENT_BYTES)
    attachment = DirectiveAttachment(
        directive=locked,
        original_name=upload.name,
        content_type=upload.content_type,
        size=upload.size,
        uploaded_by=actor,
    )
    attachment.file.save(f"{attachment.id}", uploaded_file, save=False)
    attachment.save()
    record_event(
        action="reporting.attachment_added",
        actor=actor,
        target=locked,
        unit=locked.issuing_unit,
        changes={"attachment": str(attachment.id), "size": upload.size, "content_type": upload.content_type},
    )
    return attachment


# --- Reports --------------------------------------------------------------------------------------


def _locked_report(report: Report, version: int | None) -> Report:
    locked = (
        Report.objects.select_for_update(of=("self",))
        .select_related("unit", "agency", "directive", "directive__issuing_unit", "form_version")
        .get(pk=report.pk)
    )
    if version is not None and version != locked.version:
        raise StaleVersionError(locked.version)
    return locked


def _to_figure(raw):
    if raw is None or raw == "":
        return None, None
    if isinstance(raw, bool):
        return None, _("Enter a whole number.")
    try:
        figure = int(str(raw).strip())
    except (TypeError, ValueError):
        return None, _("Enter a whole number.")
    if str(raw).strip() not in (str(figure), f"+{figure}") and not isinstance(raw, int):
        return None, _("Enter a whole number.")
    if figure < 0:
        return None, _("Enter zero or more, not %(value)s.") % {"value": figure}
    if figure > MAX_FIGURE:
        return None, _("%(value)s is too large.") % {"value": figure}
    return figure, None


def _record_change(report: Report, source: str, target: str, actor, comment: str = "") -> None:
    ReportStatusChange.objects.create(
        report=report, from_status=source, to_status=target, actor=actor, at=timezone.now(), comment=comment
    )


def _recompute_sums(report: Report, indicator: Indicator, actor) -> None:
    """Totals and per-dimension sums of an indicator with breakdowns follow its finest cells."""
    if not indicator.breakdowns:
        return
    rows = {
        cell_from_columns(row, indicator.breakdowns): row
        for row in ReportValue.objects.filter(report=report, indicator=indicator)
    }
    finest = full_cells(indicator.breakdowns)
    for cell in cells(indicator.breakdowns):
        if cell in finest:
            continue
        members = [rows[f] for f in finest if f in rows and set(cell) <= set(f)]
        entered = [row.value for row in members if row.value is not None]
        value = sum(entered) if entered else None
        row = rows.get(cell)
        if row is None:
            if value is None:
                continue
            ReportValue.objects.create(
                report=report, indicator=indicator, value=value, updated_by=actor, **cell_columns(cell)
            )
        elif row.value != value:
            row.value = value
            row.updated_by = actor
            row.save(update_fields=["value", "updated_by", "updated_at"])


@transaction.atomic
def save_report(actor, report: Report, version: int, values: list[dict] = (), narratives: dict | None = None) -> Report:
    """Save figures and narratives; the report becomes (or stays) a draft.

    `values` items: {"indicator": code, "dimensions": {dimension: value}, "value": int | None,
    "override_reason": text}. Indicators with breakdowns take their finest cells (sex × age
    band, with "not known" for what is not known); their totals are added up here. A figure
    that differs from the one computed from the records needs a reason; both are kept.
    """
    locked = _locked_report(report, None)
    if not can_file(actor, locked):
        raise PermissionDenied
    if version != locked.version:
        raise StaleVersionError(locked.version)
    transition = workflow.find_transition(workflow.Action.SAVE, locked.status)
    if transition is None or locked.directive.status != DirectiveStatus.ISSUED:
        raise ValidationError(
            {
                "status": [
                    _("A report that is “%(status)s” cannot be changed.")
                    % {"status": ReportStatus(locked.status).label}
                ]
            }
        )
    indicators = {i.code: i for i in locked.form_version.indicators.all()}
    sections = {s.code: s for s in locked.form_version.sections.all()}
    errors: dict[str, list[str]] = {}
    changes = []
    for index, item in enumerate(values or []):
        code = (item.get("indicator") or "").strip()
        indicator = indicators.get(code)
        if indicator is None:
            errors.setdefault(f"values[{index}].indicator", []).append(
                _("%(code)s is not an indicator of this form.") % {"code": code or "—"}
            )
            continue
        try:
            cell = parse_cell(item.get("dimensions"), indicator.breakdowns)
        except ValueError as error:
            errors.setdefault(_value_field(code, ()), []).append(f"{indicator.name}: {error}")
            continue
        field = _value_field(code, cell)
        where = f"{indicator.name} ({cell_label(cell)})"
        if indicator.breakdowns and cell not in full_cells(indicator.breakdowns):
            errors.setdefault(field, []).append(
                _("%(where)s: enter the figures by %(breakdowns)s; totals are added up.")
                % {
                    "where": where,
                    "breakdowns": " × ".join(str(DIMENSIONS[c].label).lower() for c in indicator.breakdowns),
                }
            )
            continue
        figure, problem = _to_figure(item.get("value"))
        if problem:
            errors.setdefault(field, []).append(f"{where}: {problem}")
            continue
        changes.append((indicator, cell, figure, clean_text(item.get("override_reason"))[:2000], field, where))
    for code in narratives or {}:
        if code not in sections:
            errors.setdefault(f"narratives[{code}]", []).append(
                _("%(code)s is not a section of this form.") % {"code": code}
            )
    if errors:
        raise ValidationError(errors)
    by_id = {i.pk: i for i in indicators.values()}
    existing = {
        (row.indicator_id, cell_from_columns(row, by_id[row.indicator_id].breakdowns)): row
        for row in ReportValue.objects.filter(report=locked)
    }
    touched = set()
    audit_values = []
    for indicator, cell, figure, reason, field, where in changes:
        row = existing.get((indicator.pk, cell))
        computed = row.computed_value if row is not None else None
        if computed is not None and figure != computed and not reason:
            errors.setdefault(field, []).append(
                _("%(where)s: the records give %(computed)s; give the reason for entering %(value)s.")
                % {"where": where, "computed": computed, "value": "—" if figure is None else figure}
            )
            continue
        if computed is None or figure == computed:
            reason = ""
        if row is None:
            if figure is None:
                continue
            row = ReportValue(report=locked, indicator=indicator, **cell_columns(cell))
        if row.value == figure and row.override_reason == reason and row.pk is not None:
            continue
        row.value, row.override_reason, row.updated_by = figure, reason, actor
        row.save()
        touched.add(indicator)
        audit_values.append(
            {"indicator": indicator.code, "cell": cell_key(cell), "value": figure, "computed": computed}
        )
    if errors:
        raise ValidationError(errors)
    for indicator in touched:
        _recompute_sums(locked, indicator, actor)
    for code, text in (narratives or {}).items():
        text = (text or "").strip()[:MAX_TEXT]
        ReportNarrative.objects.update_or_create(
            report=locked, section=sections[code], defaults={"text": text, "updated_by": actor}
        )
    source = locked.status
    locked.status = transition.target
    locked.version += 1
    locked.save(update_fields=["status", "version", "updated_at"])
    if source != transition.target:
        _record_change(locked, source, transition.target, actor)
    record_event(
        action="reporting.report_saved",
        actor=actor,
        target=locked,
        unit=locked.unit,
        changes={"values": audit_values, "narratives": sorted(narratives or {})},
    )
    return locked


def _figures(report: Report) -> dict[tuple[int, Cell], int | None]:
    indicators = {i.pk: i for i in report.form_version.indicators.all()}
    return {
        (row.indicator_id, cell_from_columns(row, indicators[row.indicator_id].breakdowns)): row.value
        for row in ReportValue.objects.filter(report=report)
    }


def _value_at(figures: dict, indicator: Indicator, cell: Cell) -> int:
    """The figure of `indicator` at a (possibly partial) cell; missing figures count as zero."""
    if (indicator.pk, cell) in figures and figures[(indicator.pk, cell)] is not None:
        return figures[(indicator.pk, cell)]
    wanted = set(cell)
    total = 0
    for finest in full_cells(indicator.breakdowns):
        if wanted <= set(finest):
            total += figures.get((indicator.pk, finest)) or 0
    return total


def check_report(report: Report) -> list[dict]:
    """Broken validation rules (cell by cell over the breakdowns both indicators share, and on
    the totals) and required sections left empty. Each problem has a `severity`: the errors stop
    a submission (`blocking`), the warnings are shown and recorded with it (`warnings`)."""
    problems = []
    figures = _figures(report)
    rules = report.form_version.rules.select_related("left_indicator", "right_indicator").order_by("code")
    for rule in rules:
        left, right = rule.left_indicator, rule.right_indicator
        shared = [code for code in left.breakdowns if code in right.breakdowns]
        for cell in [TOTAL, *(full_cells(shared) if shared else [])]:
            a, b = _value_at(figures, left, cell), _value_at(figures, right, cell)
            if OPERATORS[rule.operator](a, b):
                continue
            breakdown = cell_label(cell)
            detail = _("%(left)s (%(breakdown)s) is %(a)s, but must be %(operator)s %(right)s (%(b)s).") % {
                "left": left.name,
                "breakdown": breakdown,
                "a": a,
                "operator": Operator(rule.operator).label,
                "right": right.name,
                "b": b,
            }
            problems.append(
                {
                    "indicator": left.code,
                    "breakdown": cell_key(cell),
                    "breakdown_label": breakdown,
                    "rule": rule.code,
                    "severity": rule.severity,
                    "field": _value_field(left.code, cell),
                    "message": f"{rule.message}: {detail}" if rule.message else detail,
                }
            )
    texts = dict(ReportNarrative.objects.filter(report=report).values_list("section_id", "text"))
    problems.extend(
        {
            "indicator": "",
            "section": section.code,
            "breakdown": "",
            "breakdown_label": "",
            "rule": "",
            "severity": Severity.ERROR,
            "field": f"narratives[{section.code}]",
            "message": _("Write the section “%(title)s”.") % {"title": section.title},
        }
        for section in report.form_version.sections.filter(required=True)
        if not (texts.get(section.pk) or "").strip()
    )
    return problems


def blocking(problems: list[dict]) -> list[dict]:
    return [p for p in problems if p["severity"] == Severity.ERROR]


def warnings(problems: list[dict]) -> list[dict]:
    return [p for p in problems if p["severity"] == Severity.WARNING]


def _acknowledgement(found: list[dict]) -> str:
    """The warnings the submitter saw and submitted over, for the history of that submission."""
    lines = [_("Submitted with %(count)s warning(s) acknowledged:") % {"count": len(found)}]
    lines += [f"- [{p['rule']}] {p['message']}" for p in found]
    return "\n".join(lines)


@transaction.atomic
def transition_report(actor, report: Report, action: str, comment: str = "", version: int | None = None) -> Report:
    """Move a report along the transition table (save, submit, return, approve)."""
    locked = _locked_report(report, version)
    transition = workflow.find_transition(action, locked.status)
    if transition is None or locked.directive.status != DirectiveStatus.ISSUED:
        raise ValidationError(
            {
                "action": [
                    _("A report that is “%(status)s” cannot be sent to “%(action)s”.")
                    % {"status": ReportStatus(locked.status).label, "action": action}
                ]
            }
        )
    allowed = can_file(actor, locked) if transition.side == workflow.FILER else can_review(actor, locked)
    if not allowed:
        raise PermissionDenied
    comment = (comment or "").strip()[:MAX_TEXT]
    if transition.needs_comment and not comment:
        raise ValidationError({"comment": [_("Say what must be corrected.")]})
    acknowledged = []
    if transition.validates:
        problems = check_report(locked)
        if blocking(problems):
            raise ReportValidationError(blocking(problems))
        acknowledged = warnings(problems)
        if acknowledged:
            # Kept on the submission's own history row: who submitted over which warnings, when.
            comment = "\n\n".join(part for part in (comment, _acknowledgement(acknowledged)) if part)[:MAX_TEXT]
    now = timezone.now()
    source = locked.status
    fields = ["status", "version", "updated_at"]
    if transition.target == ReportStatus.SUBMITTED:
        locked.submitted_at, locked.submitted_by = now, actor
        fields += ["submitted_at", "submitted_by"]
    if transition.target == ReportStatus.APPROVED:
        locked.approved_at, locked.approved_by = now, actor
        fields += ["approved_at", "approved_by"]
    locked.status = transition.target
    _record_change(locked, source, transition.target, actor, comment)
    if transition.then:
        _record_change(locked, transition.target, transition.then, actor)
        locked.status = transition.then
    locked.version += 1
    locked.save(update_fields=fields)
    _after_transition(locked, transition, comment)
    record_event(
        action=f"reporting.report_{action}",
        actor=actor,
        target=locked,
        unit=locked.unit,
        changes={
            "from": source,
            "to": locked.status,
            **(
                {"warnings": [f"{p['rule']}:{p['indicator']}:{p['breakdown']}" for p in acknowledged]}
                if acknowledged
                else {}
            ),
        },
        reason=comment,
    )
    return locked


def _after_transition(report: Report, transition, comment: str) -> None:
    directive = report.directive
    if transition.target == ReportStatus.SUBMITTED:
        # The ladder stops once the report is in.
        Reminder.objects.filter(report=report, sent_at__isnull=True).update(skipped=True)
        notify(
            supervisors_of(report),
            kind=NotificationKind.REPORT_SUBMITTED,
            title=_("%(recipient)s submitted its report on %(number)s")
            % {"recipient": report.recipient_name, "number": directive.number},
            url=report_url(report),
            report=report,
            email=False,
        )
    elif transition.target == ReportStatus.RETURNED:
        notify(
            filers_of(report),
            kind=NotificationKind.REPORT_RETURNED,
            title=_("Your report on %(number)s was returned for correction") % {"number": directive.number},
            body=comment,
            url=report_url(report),
            report=report,
        )
    elif transition.target == ReportStatus.APPROVED:
        notify(
            filers_of(report),
            kind=NotificationKind.REPORT_APPROVED,
            title=_("Your report on %(number)s was approved") % {"number": directive.number},
            url=report_url(report),
            report=report,
            email=False,
        )


def submit_report(actor, report: Report, version: int | None = None) -> Report:
    return transition_report(actor, report, workflow.Action.SUBMIT, version=version)


@transaction.atomic
def refresh_prefill(actor, report: Report, version: int | None = None) -> Report:
    """Recompute the figures from the records; figures changed by hand keep their value and reason."""
    locked = _locked_report(report, version)
    if not can_file(actor, locked):
        raise PermissionDenied
    if not locked.is_editable:
        raise ValidationError(
            {
                "status": [
                    _("A report that is “%(status)s” cannot be changed.")
                    % {"status": ReportStatus(locked.status).label}
                ]
            }
        )
    count = _prefill_values(locked)
    for indicator in locked.form_version.indicators.exclude(source=""):
        _recompute_sums(locked, indicator, actor)
    locked.version += 1
    locked.save(update_fields=["version", "updated_at"])
    record_event(
        action="reporting.report_prefilled", actor=actor, target=locked, unit=locked.unit, changes={"cells": count}
    )
    return locked


def overrides_of(report: Report) -> list[ReportValue]:
    """The figures that differ from the records, with their reasons."""
    rows = ReportValue.objects.filter(report=report, computed_value__isnull=False).exclude(override_reason="")
    return list(rows.select_related("indicator").order_by("indicator__position"))


def values_by_indicator(report: Report) -> dict:
    """{indicator code: {cell: ReportValue}} for pages and exports."""
    indicators = {i.pk: i for i in report.form_version.indicators.all()}
    result: dict = defaultdict(dict)
    for row in ReportValue.objects.filter(report=report):
        indicator = indicators[row.indicator_id]
        result[indicator.code][cell_from_columns(row, indicator.breakdowns)] = row
    return dict(result)
