"""A report's figures as pages, exports and the submission read them: the values by indicator and
cell, the figures changed by hand, and the checks against the form's rules (errors block a submission,
warnings are shown and recorded with it)."""

from collections import defaultdict
from operator import eq, ge, gt, le, lt

from django.utils.translation import gettext as _

from haidang.reporting.dimensions import TOTAL, Cell, cell_from_columns, cell_key, cell_label, full_cells, value_field
from haidang.reporting.models import Indicator, Operator, Report, ReportNarrative, ReportValue, Severity

OPERATORS = {"<=": le, "<": lt, "==": eq, ">=": ge, ">": gt}


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
                    "field": value_field(left.code, cell),
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
