"""Reports: save figures and narratives, and move a report along the workflow (save, submit, return,
approve); a submission is checked against the form's rules by `selectors.check_report`.

The figures of a report are named "values[<indicator>][<breakdown>]" in validation errors.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from haidang.audit.services import record_event
from haidang.common.errors import StaleVersionError
from haidang.common.text import clean_text
from haidang.reporting import workflow
from haidang.reporting.dimensions import (
    DIMENSIONS,
    cell_columns,
    cell_from_columns,
    cell_key,
    cell_label,
    cells,
    full_cells,
    parse_cell,
    value_field,
)
from haidang.reporting.models import (
    DirectiveStatus,
    Indicator,
    NotificationKind,
    Reminder,
    Report,
    ReportNarrative,
    ReportStatus,
    ReportStatusChange,
    ReportValue,
)
from haidang.reporting.notices import notify, report_url
from haidang.reporting.permissions import can_file, can_review, filers_of, supervisors_of
from haidang.reporting.selectors import blocking, check_report, warnings
from haidang.reporting.services.common import MAX_FIGURE, MAX_TEXT, ReportValidationError
from haidang.reporting.services.directives import _prefill_values


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


def _report_to_save(actor, report: Report, version: int):
    """The report, locked, and the workflow's save transition; refuses a report that cannot be saved."""
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
    return locked, transition


def _read_values(values, indicators: dict, errors: dict) -> list[tuple]:
    """The figures given, checked against the form: (indicator, cell, figure, reason, field, where)."""
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
            errors.setdefault(value_field(code, ()), []).append(f"{indicator.name}: {error}")
            continue
        field = value_field(code, cell)
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
    return changes


def _write_values(locked: Report, indicators: dict, changes: list[tuple], actor, errors: dict) -> tuple[set, list]:
    """Write the changed figures; a figure that differs from the records without a reason is an
    error instead. Returns the indicators touched and what the audit entry records."""
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
    return touched, audit_values


@transaction.atomic
def save_report(
    *, actor, report: Report, version: int, values: list[dict] = (), narratives: dict | None = None
) -> Report:
    """Save figures and narratives; the report becomes (or stays) a draft.

    `values` items: {"indicator": code, "dimensions": {dimension: value}, "value": int | None,
    "override_reason": text}. Indicators with breakdowns take their finest cells (sex × age
    band, with "not known" for what is not known); their totals are added up here. A figure
    that differs from the one computed from the records needs a reason; both are kept.
    """
    locked, transition = _report_to_save(actor, report, version)
    indicators = {i.code: i for i in locked.form_version.indicators.all()}
    sections = {s.code: s for s in locked.form_version.sections.all()}
    errors: dict[str, list[str]] = {}
    changes = _read_values(values, indicators, errors)
    for code in narratives or {}:
        if code not in sections:
            errors.setdefault(f"narratives[{code}]", []).append(
                _("%(code)s is not a section of this form.") % {"code": code}
            )
    if errors:
        raise ValidationError(errors)
    touched, audit_values = _write_values(locked, indicators, changes, actor, errors)
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


def _acknowledgement(found: list[dict]) -> str:
    """The warnings the submitter saw and submitted over, for the history of that submission."""
    lines = [_("Submitted with %(count)s warning(s) acknowledged:") % {"count": len(found)}]
    lines += [f"- [{p['rule']}] {p['message']}" for p in found]
    return "\n".join(lines)


@transaction.atomic
def transition_report(*, actor, report: Report, action: str, comment: str = "", version: int | None = None) -> Report:
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


def submit_report(*, actor, report: Report, version: int | None = None) -> Report:
    return transition_report(actor=actor, report=report, action=workflow.Action.SUBMIT, version=version)


@transaction.atomic
def refresh_prefill(*, actor, report: Report, version: int | None = None) -> Report:
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
