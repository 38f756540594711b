"""Releases: build a draft from the query service, approve, publish, withdraw.

This is the only path by which figures leave the case-handling chain. A draft is built from
`run_query` under its author's statistics scope, every table about persons is protected by
`disclosure.protect` together with every release already published (so a new version, or a
half-year next to a published quarter, cannot reveal a cell hidden before), and the result is
stored. Approval takes a named user other than the author holding the right to release statistics
over the whole area; approval and publication both re-run the audit against whatever has been
published in the meantime. Every step is audited.

Granularity: a table about persons (victims, suspects) is at most province × quarter — rows are
the nation, provinces or a single province, and the period a quarter, a six-month period or a year.
Counts that are not about persons (prevention work, criminal cases) may go down to communes and
months, and are published as counted.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from haidang.audit.services import record_event
from haidang.common.text import clean_text
from haidang.places.models import AdministrativeUnit, UnitLevel
from haidang.reporting.periods import Period, PeriodError, PeriodType, parse
from haidang.reporting.periods import period as make_period
from haidang.statistics import disclosure
from haidang.statistics.catalogue import BREAKDOWNS, VICTIM_BREAKDOWNS, get_indicator
from haidang.statistics.disclosure import TOTAL, DisclosureError, Earlier, Key, Rules, Structure
from haidang.statistics.models import Audience, Release, ReleaseStatus, ReleaseTable
from haidang.statistics.permissions import can_prepare_release, can_release
from haidang.statistics.query import run_query

S = ReleaseStatus
# (from, to): what the step is called in the audit log.
TRANSITIONS = {
    (S.DRAFT, S.APPROVED): "approved",
    (S.APPROVED, S.PUBLISHED): "published",
    (S.DRAFT, S.WITHDRAWN): "withdrawn",
    (S.APPROVED, S.WITHDRAWN): "withdrawn",
    (S.PUBLISHED, S.WITHDRAWN): "withdrawn",
}
PERSON_PERIOD_TYPES = (PeriodType.QUARTER, PeriodType.SIX_MONTHS, PeriodType.NINE_MONTHS, PeriodType.YEAR)
LEVEL_CHOICES = (0, UnitLevel.PROVINCE, UnitLevel.COMMUNE)
ABOVE_ROW = "above"  # records kept at the level of the area itself, not in any of its units
MAX_INDICATORS = 8
MAX_TITLE = 200


def threshold() -> int:
    return int(getattr(settings, "STATISTICS_SUPPRESSION_THRESHOLD", 10))


def rules_for(audience: str) -> Rules:
    """The rule set of each tier (reporting-privacy B4): rounding and the group rule outside government."""
    if audience == Audience.INTERNAL:
        return Rules(threshold=threshold(), rounding_base=0, group_share=None)
    return Rules(threshold=threshold())


# --- Checking a request -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReleaseSpec:
    title: str
    audience: str
    indicators: tuple[str, ...]
    breakdowns: tuple[str, ...]
    period: Period
    unit: AdministrativeUnit
    level: int
    note: str = ""


def _nation() -> AdministrativeUnit:
    return AdministrativeUnit.objects.get(level=UnitLevel.NATION, valid_to__isnull=True)


def release_breakdowns() -> list[str]:
    """Breakdowns a release may use: closed lists only, so every category is in every table."""
    return [code for code, breakdown in BREAKDOWNS.items() if breakdown.choices is not None]


def _check_title(title: str, errors: dict) -> str:
    title = clean_text(title or "").strip()
    if not title:
        errors.setdefault("title", []).append(_("Give the release a title."))
    elif len(title) > MAX_TITLE:
        errors.setdefault("title", []).append(
            _("The title is too long (at most %(max)s characters).") % {"max": MAX_TITLE}
        )
    return title


def _check_indicators(indicators, errors: dict) -> tuple[tuple[str, ...], list]:
    """The indicator codes asked for, without repeats, and the definitions of those available."""
    codes = tuple(dict.fromkeys(code for code in indicators or () if code))
    definitions = []
    if not codes:
        errors.setdefault("indicators", []).append(_("Choose at least one indicator."))
    elif len(codes) > MAX_INDICATORS:
        errors.setdefault("indicators", []).append(_("Choose at most %(max)s indicators.") % {"max": MAX_INDICATORS})
    for code in codes:
        definition = get_indicator(code)
        if definition is None or definition.is_pending:
            errors.setdefault("indicators", []).append(
                _("Unknown or unavailable indicator: %(code)s.") % {"code": code}
            )
        else:
            definitions.append(definition)
    return codes, definitions


def _check_breakdowns(breakdowns, errors: dict) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(b for b in breakdowns or () if b))
    allowed = release_breakdowns()
    for code in chosen:
        if code not in allowed:
            errors.setdefault("breakdowns", []).append(
                _("%(code)s cannot be used in a release (only breakdowns with a fixed list of values).")
                % {"code": code}
            )
    return chosen


def _check_period(period: str | Period, errors: dict) -> Period | None:
    if isinstance(period, Period):
        return period
    try:
        return parse(period or "")
    except PeriodError as error:
        errors.setdefault("period", []).append(str(error))
        return None


def _check_level(level: int, unit: AdministrativeUnit, errors: dict) -> None:
    if level not in LEVEL_CHOICES:
        errors.setdefault("level", []).append(_("Choose the rows: the area itself, its provinces or its communes."))
    elif level and level <= unit.level:
        errors.setdefault("level", []).append(_("The rows must be units below the area of the release."))


def _check_persons(
    definitions, unit: AdministrativeUnit, level: int, chosen_period: Period | None, errors: dict
) -> None:
    """Counts of persons: at most by province, over at least a quarter."""
    about_persons = [d for d in definitions if d.sensitive]
    if about_persons:
        names = ", ".join(str(d.label) for d in about_persons)
        if unit.level > UnitLevel.PROVINCE or level > UnitLevel.PROVINCE:
            errors.setdefault("level", []).append(
                _("%(names)s count persons: a release shows them at most by province, never by commune.")
                % {"names": names}
            )
        if chosen_period is not None and chosen_period.type not in PERSON_PERIOD_TYPES:
            errors.setdefault("period", []).append(
                _(
                    "%(names)s count persons: a release covers at least a quarter (a quarter, six months, "
                    "nine months or a year)."
                )
                % {"names": names}
            )


def check_spec(
    *,
    title: str,
    audience: str,
    indicators,
    breakdowns=(),
    period: str | Period,
    unit: AdministrativeUnit | None,
    level: int = 0,
    note: str = "",
) -> ReleaseSpec:
    """The request as a spec, or a ValidationError naming each field at fault."""
    errors: dict[str, list[str]] = {}
    title = _check_title(title, errors)
    if audience not in Audience.values:
        errors.setdefault("audience", []).append(_("Choose an audience."))
    codes, definitions = _check_indicators(indicators, errors)
    chosen = _check_breakdowns(breakdowns, errors)
    chosen_period = _check_period(period, errors)
    unit = unit or _nation()
    _check_level(level, unit, errors)
    _check_persons(definitions, unit, level, chosen_period, errors)
    if errors:
        raise ValidationError(errors)
    return ReleaseSpec(
        title=title,
        audience=audience,
        indicators=codes,
        breakdowns=chosen,
        period=chosen_period,
        unit=unit,
        level=level,
        note=clean_text(note or "").strip(),
    )


# --- Building the tables ----------------------------------------------------------------------------


@dataclass
class _Table:
    indicator: str
    breakdown: str
    title: str
    protected: bool
    rows: list[dict]
    columns: list[dict]
    values: dict[Key, int]


def _row_code(code: str) -> str:
    return code or ABOVE_ROW


def _build_tables(actor, spec: ReleaseSpec) -> list[_Table]:
    grouped = spec.level or None
    period_id = spec.period.identifier
    tables: list[_Table] = []
    for code in spec.indicators:
        definition = get_indicator(code)
        own = [b for b in spec.breakdowns if b in definition.breakdowns] or [""]
        totals = run_query(actor, code, spec.period, spec.unit, grouped, [], compare=False)
        total_row = totals.unit_code
        rows = (
            [{"code": _row_code(r.unit_code), "label": r.unit_name, "total": False} for r in totals.rows]
            if grouped
            else []
        )
        rows.append({"code": total_row, "label": totals.unit_name, "total": True})
        base: dict[Key, int] = {Key.total(code, total_row, period_id): totals.total}
        if grouped:
            for row in totals.rows:
                base[Key.total(code, _row_code(row.unit_code), period_id)] = row.value
        for breakdown in own:
            values = dict(base)
            columns = []
            if breakdown:
                by_unit = run_query(actor, code, spec.period, spec.unit, grouped, [breakdown], compare=False)
                labels = by_unit.labels.get(breakdown, {})
                columns = [{"code": value, "label": label} for value, label in labels.items()]
                for row in by_unit.rows:
                    key = Key(code, _row_code(row.unit_code), breakdown, row.breakdown[breakdown], period_id)
                    values[key] = row.value
                if grouped:
                    whole = run_query(actor, code, spec.period, spec.unit, None, [breakdown], compare=False)
                    for row in whole.rows:
                        values[Key(code, total_row, breakdown, row.breakdown[breakdown], period_id)] = row.value
            columns.append({"code": TOTAL, "label": str(_("Total"))})
            title = str(definition.label)
            if breakdown:
                title = _("%(indicator)s by %(breakdown)s") % {
                    "indicator": definition.label,
                    "breakdown": str(BREAKDOWNS[breakdown].label).lower(),
                }
            tables.append(_Table(code, breakdown, title, definition.sensitive, rows, columns, values))
    return tables


def _period_parts(identifiers) -> dict[str, list[list[str]]]:
    """Sub-periods that tile each period (a year: its halves, its quarters, and its nine months with the
    last quarter; nine months: the first half with the third quarter, and its quarters; a half: its
    quarters…), so that releasing two nested periods protects their difference."""
    parts: dict[str, list[list[str]]] = {}
    for identifier in set(identifiers):
        try:
            whole = parse(identifier)
        except PeriodError:
            continue
        tilings = _tilings(whole)
        if tilings:
            parts[identifier] = [[item.identifier for item in tiling] for tiling in tilings]
    return parts


def _tilings(whole: Period) -> list[list[Period]]:
    year, form = whole.year, whole.form

    def quarters(*indexes):
        return [make_period(PeriodType.QUARTER, year, i, form) for i in indexes]

    if whole.type == PeriodType.YEAR:
        return [
            [make_period(PeriodType.SIX_MONTHS, year, i, form) for i in (1, 2)],
            quarters(1, 2, 3, 4),
            [make_period(PeriodType.NINE_MONTHS, year, 1, form), *quarters(4)],
        ]
    if whole.type == PeriodType.NINE_MONTHS:
        return [[make_period(PeriodType.SIX_MONTHS, year, 1, form), *quarters(3)], quarters(1, 2, 3)]
    if whole.type == PeriodType.SIX_MONTHS:
        first = 2 * whole.index - 1
        return [quarters(first, first + 1)]
    if whole.type == PeriodType.QUARTER:
        first = 3 * whole.index - 2
        return [[make_period(PeriodType.MONTH, year, i, form) for i in (first, first + 1, first + 2)]]
    return []


def _split(cell_id: str) -> tuple[str, str]:
    row, _sep, column = cell_id.rpartition("|")
    return row, column


def _earlier_cells(indicators, exclude=None) -> tuple[dict[Key, Earlier], dict[str, list[str]]]:
    """Cells of every release that has ever been out (published, or published then withdrawn)."""
    earlier: dict[Key, Earlier] = {}
    children: dict[str, list[str]] = {}
    tables = (
        ReleaseTable.objects.filter(release__published_at__isnull=False, indicator__in=list(indicators), protected=True)
        .select_related("release")
        .order_by("release__published_at", "position")
    )
    if exclude is not None:
        tables = tables.exclude(release=exclude)
    for table in tables:
        period_id = table.release.period
        for cell_id, inside in table.internal.items():
            row, column = _split(cell_id)
            key = _key(table.indicator, table.breakdown, row, column, period_id)
            published = (table.cells.get("cells", {}).get(cell_id) or {}).get("value") is not None
            sensitive = inside.get("reason") in disclosure.SENSITIVE_REASONS
            earlier[key] = Earlier(int(inside["value"]), published, sensitive)
        _add_children(children, table.cells.get("rows", []))
    return earlier, children


def _key(indicator: str, breakdown: str, row: str, column: str, period_id: str) -> Key:
    if column == TOTAL:
        return Key.total(indicator, row, period_id)
    return Key(indicator, row, breakdown, column, period_id)


def _add_children(children: dict[str, list[str]], rows: list[dict]) -> None:
    parent = next((row["code"] for row in rows if row.get("total")), None)
    members = [row["code"] for row in rows if not row.get("total")]
    if parent and members:
        children[parent] = sorted(set(children.get(parent, [])) | set(members))


def _structure(tables: list[_Table], earlier: dict[Key, Earlier], earlier_children, audience: str) -> Structure:
    children = dict(earlier_children)
    categories: dict[str, list[str]] = {}
    for table in tables:
        _add_children(children, table.rows)
        if table.breakdown:
            codes = [c["code"] for c in table.columns if c["code"] != TOTAL]
            categories[table.breakdown] = list(dict.fromkeys([*categories.get(table.breakdown, []), *codes]))
    periods = {key.period for table in tables for key in table.values} | {key.period for key in earlier}
    groups = frozenset(VICTIM_BREAKDOWNS) if audience != Audience.INTERNAL else frozenset()
    return Structure(
        row_children=children, categories=categories, period_parts=_period_parts(periods), group_variables=groups
    )


def _protect(tables: list[_Table], audience: str, exclude=None) -> disclosure.Protected | None:
    persons = [table for table in tables if table.protected]
    if not persons:
        return None
    earlier, earlier_children = _earlier_cells({t.indicator for t in persons}, exclude=exclude)
    values: dict[Key, int] = {}
    for table in persons:
        values.update(table.values)
    structure = _structure(persons, earlier, earlier_children, audience)
    try:
        return disclosure.protect(values, structure, rules_for(audience), earlier)
    except DisclosureError:
        raise ValidationError(
            {
                "non_field": [
                    _(
                        "These figures cannot be published safely: some small counts could be worked out "
                        "from the totals, here or in releases already published. Choose a longer period, "
                        "fewer breakdowns or whole provinces."
                    )
                ]
            }
        ) from None


def _cell_id(key: Key) -> str:
    return f"{key.row}|{key.category}"


def _store_tables(release: Release, tables: list[_Table], protected: disclosure.Protected | None) -> None:
    for position, table in enumerate(tables):
        cells, internal = {}, {}
        for key, value in table.values.items():
            if table.protected:
                result = protected.cells[key]
                cells[_cell_id(key)] = {"value": result.published, "share": result.share}
                internal[_cell_id(key)] = {"value": value, "reason": result.reason}
            else:
                cells[_cell_id(key)] = {"value": value, "share": None}
                internal[_cell_id(key)] = {"value": value, "reason": ""}
        ReleaseTable.objects.create(
            release=release,
            position=position,
            indicator=table.indicator,
            breakdown=table.breakdown,
            title=table.title,
            protected=table.protected,
            cells={"rows": table.rows, "columns": table.columns, "cells": cells},
            internal=internal,
        )


def _audit_record(protected: disclosure.Protected | None, rules: Rules) -> tuple[dict, list]:
    if protected is None:
        return {"passed": True, "checked": 0, "failures": 0, "narrowest": None, "threshold": rules.threshold}, []
    ranges = [
        {
            "cell": item.key.as_list(),
            "low": item.low,
            "high": None if item.high == float("inf") else item.high,
            "earlier": item.earlier,
        }
        for item in protected.audit.ranges
    ]
    return protected.audit.as_dict(), ranges


# --- Writes -----------------------------------------------------------------------------------------


def create_release(*, actor, spec: ReleaseSpec, previous: Release | None = None) -> Release:
    """Build and store a draft (a new version of `previous` when given).

    PermissionDenied when the author may not read statistics over the whole area; ValidationError
    when the figures cannot be protected.
    """
    if not can_prepare_release(actor, spec.unit):
        raise PermissionDenied
    tables = _build_tables(actor, spec)
    protected = _protect(tables, spec.audience)
    rules = rules_for(spec.audience)
    audit_summary, ranges = _audit_record(protected, rules)
    with transaction.atomic():
        release = Release(
            title=spec.title,
            note=spec.note,
            audience=spec.audience,
            indicators=list(spec.indicators),
            breakdowns=list(spec.breakdowns),
            period=spec.period.identifier,
            period_start=spec.period.start,
            period_end=spec.period.end,
            unit=spec.unit,
            level=spec.level,
            rules=rules.as_dict(),
            audit=audit_summary,
            audit_ranges=ranges,
            created_by=actor,
        )
        if previous is not None:
            # Locked so two new versions of one release never take the same number.
            list(Release.objects.select_for_update().filter(series=previous.series).values_list("pk", flat=True))
            latest = Release.objects.filter(series=previous.series).aggregate(v=Max("version"))["v"] or 0
            release.series = previous.series
            release.version = latest + 1
        release.save()
        _store_tables(release, tables, protected)
        record_event(
            action="statistics.release_created",
            actor=actor,
            target=release,
            unit=spec.unit,
            changes={
                "title": release.title,
                "audience": release.audience,
                "indicators": release.indicators,
                "breakdowns": release.breakdowns,
                "period": release.period,
                "level": release.level,
                "version": release.version,
                "suppressed": sum(
                    1
                    for table in release.tables.all()
                    for cell in table.cells["cells"].values()
                    if cell["value"] is None
                ),
            },
        )
    return release


def new_version(*, actor, release: Release) -> Release:
    """The same release built again from today's records, as the next version of its series."""
    spec = check_spec(
        title=release.title,
        audience=release.audience,
        indicators=release.indicators,
        breakdowns=release.breakdowns,
        period=release.period,
        unit=release.unit,
        level=release.level,
        note=release.note,
    )
    return create_release(actor=actor, spec=spec, previous=release)


def _recheck(release: Release) -> None:
    """Audit the stored tables again, next to every release published since the draft was built."""
    tables = list(release.tables.filter(protected=True))
    if not tables:
        return
    earlier, children = _earlier_cells({t.indicator for t in tables}, exclude=release)
    truth: dict[Key, int] = {key: item.value for key, item in earlier.items()}
    hidden, sensitive = set(), set()
    current: list[_Table] = []
    for table in tables:
        values = {}
        for cell_id, inside in table.internal.items():
            row, column = _split(cell_id)
            key = _key(table.indicator, table.breakdown, row, column, release.period)
            values[key] = int(inside["value"])
            if table.cells["cells"][cell_id]["value"] is None:
                hidden.add(key)
                if inside.get("reason") in disclosure.SENSITIVE_REASONS:
                    sensitive.add(key)
        truth.update(values)
        current.append(
            _Table(
                table.indicator, table.breakdown, table.title, True, table.cells["rows"], table.cells["columns"], values
            )
        )
    structure = _structure(current, earlier, children, release.audience)
    relations = disclosure.derive_relations(truth.keys(), structure)
    earlier_hidden = {key for key, item in earlier.items() if not item.published and key not in hidden}
    # A cell hidden here but out in an earlier release is known; one out here but hidden before leaks.
    leaked = {key for key in hidden if key in earlier and earlier[key].published}
    revealed = {key for key, item in earlier.items() if not item.published and key in truth and key not in hidden}
    revealed &= {key for table in current for key in table.values}
    sensitive |= {key for key in earlier_hidden if earlier[key].sensitive}
    result = disclosure.audit(
        truth,
        hidden - leaked,
        relations,
        threshold=release.rules.get("threshold", threshold()),
        earlier_suppressed=earlier_hidden,
        only=sensitive - leaked,
    )
    if revealed or not result.passed:
        raise ValidationError(
            {
                "non_field": [
                    _(
                        "A release published since this one was built would let hidden figures be worked out. "
                        "Build a new version."
                    )
                ]
            }
        )


@transaction.atomic
def transition_release(*, actor, release: Release, to: str, reason: str = "") -> Release:
    """Move a release along its workflow (TRANSITIONS), checking who may and whether it is still safe."""
    locked = Release.objects.select_for_update(of=("self",)).select_related("unit").get(pk=release.pk)
    step = TRANSITIONS.get((locked.status, to))
    if step is None:
        raise ValidationError(
            {
                "status": [
                    _("A release that is %(status)s cannot be moved to this step.")
                    % {"status": locked.get_status_display().lower()}
                ]
            }
        )
    if not can_release(actor, locked.unit):
        raise PermissionDenied
    now = timezone.now()
    changes: dict = {"from": locked.status, "to": to}
    fields = ["status"]
    if to == S.APPROVED:
        if locked.created_by_id == actor.pk:
            raise ValidationError({"approved_by": [_("A release is approved by someone other than its author.")]})
        if not locked.audit.get("passed"):
            raise ValidationError({"non_field": [_("This release did not pass the disclosure audit.")]})
        _recheck(locked)
        locked.approved_by, locked.approved_at = actor, now
        fields += ["approved_by", "approved_at"]
    elif to == S.PUBLISHED:
        _recheck(locked)
        locked.published_by, locked.published_at = actor, now
        fields += ["published_by", "published_at"]
    elif to == S.WITHDRAWN:
        reason = clean_text(reason or "").strip()
        if not reason:
            raise ValidationError({"reason": [_("Say why the release is withdrawn.")]})
        locked.withdrawn_at, locked.withdrawal_reason = now, reason
        fields += ["withdrawn_at", "withdrawal_reason"]
    locked.status = to
    locked.save(update_fields=fields)
    record_event(
        action=f"statistics.release_{step}",
        actor=actor,
        target=locked,
        unit=locked.unit,
        changes=changes,
        reason=reason,
    )
    return locked


def approve_release(*, actor, release: Release) -> Release:
    return transition_release(actor=actor, release=release, to=S.APPROVED)


def publish_release(*, actor, release: Release) -> Release:
    return transition_release(actor=actor, release=release, to=S.PUBLISHED)


def withdraw_release(*, actor, release: Release, reason: str) -> Release:
    return transition_release(actor=actor, release=release, to=S.WITHDRAWN, reason=reason)
