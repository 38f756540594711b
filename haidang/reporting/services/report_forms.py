"""Report forms: define a form, redefine a draft version, publish it, start a new version."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from haidang.access.scope import scope_for
from haidang.audit.services import record_event
from haidang.common.text import clean_text
from haidang.reporting import prefill
from haidang.reporting.dimensions import validate_breakdowns
from haidang.reporting.models import (
    Indicator,
    Measure,
    NarrativeSection,
    Operator,
    ReportForm,
    ReportFormVersion,
    Severity,
    ValidationRule,
    VersionStatus,
)
from haidang.reporting.periods import PeriodType
from haidang.reporting.permissions import ISSUE


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
