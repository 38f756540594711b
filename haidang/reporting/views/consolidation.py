"""Completeness and the consolidated figures of a directive, with their official document."""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET

from haidang.access.models import AgencyType
from haidang.audit.services import record_event
from haidang.places.models import AdministrativeUnit
from haidang.reporting import documents, selectors
from haidang.reporting.forms import ExportForm
from haidang.reporting.models import DirectiveStatus
from haidang.reporting.permissions import require_reporting
from haidang.reporting.views.common import _get_directive, _oversees

# The name part a place takes in "<Place>, ngày …" (Decree 30): without the unit type.
PLACE_PREFIXES = ("Thành phố ", "Tỉnh ", "Xã ", "Phường ", "Đặc khu ", "Thị trấn ", "Quận ", "Huyện ", "Thị xã ")


def _unit_under(user, directive, unit_id):
    """The unit to show for a directive: its issuing unit, or one below it the user oversees; else 404."""
    if not unit_id:
        unit = directive.issuing_unit
    else:
        try:
            unit = AdministrativeUnit.objects.get(pk=int(unit_id))
        except (ValueError, TypeError, AdministrativeUnit.DoesNotExist):
            raise Http404 from None
        issuer_path = directive.issuing_unit.scope_path
        if not unit.scope_path.startswith(issuer_path):
            raise Http404
    if not _oversees(user, unit):
        raise Http404
    return unit


def _place(unit) -> str:
    for prefix in PLACE_PREFIXES:
        if unit.name.startswith(prefix):
            return unit.name[len(prefix) :]
    return unit.name


def _trail(directive, unit) -> list[AdministrativeUnit]:
    """The units from the issuing unit down to `unit` (by the path of ids), for the breadcrumbs."""
    ids = [int(part) for part in unit.scope_path.strip("/").split("/") if part.isdigit()]
    if directive.issuing_unit_id in ids:
        ids = ids[ids.index(directive.issuing_unit_id) :]
    found = AdministrativeUnit.objects.in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


@require_reporting
@require_GET
def completeness(request, directive_id):
    user = request.user
    directive = _get_directive(user, directive_id)
    if directive.status == DirectiveStatus.DRAFT:
        raise Http404
    unit = _unit_under(user, directive, request.GET.get("unit"))
    result = selectors.completeness(user, directive, unit)
    return render(
        request,
        "reporting/completeness.html",
        {
            "directive": directive,
            "unit": unit,
            "result": result,
            "trail": _trail(directive, unit),
            "current": "directives",
        },
    )


def _consolidated(request, directive):
    unit = _unit_under(request.user, directive, request.GET.get("unit"))
    return unit, selectors.consolidated(request.user, directive, unit=unit)


@require_reporting
@require_GET
def consolidated(request, directive_id):
    user = request.user
    directive = _get_directive(user, directive_id)
    if directive.status == DirectiveStatus.DRAFT:
        raise Http404
    unit, table = _consolidated(request, directive)
    by_unit = [
        {
            "column": column,
            "values": [row.total.values[index] for row in table.rows],
        }
        for index, column in enumerate(table.columns[:-1])
    ]
    return render(
        request,
        "reporting/consolidated.html",
        {
            "directive": directive,
            "unit": unit,
            "table": table,
            # On the page, as in print, each breakdown on its own; the cross-product is in the XLSX.
            "lines": [(row, [c for c in row.cells[1:] if len(c.cell) == 1]) for row in table.rows],
            "by_unit": by_unit,
            "trail": _trail(directive, unit),
            "export_form": ExportForm(initial={"place": _place(unit)}),
            "current": "directives",
        },
    )


def _document_parts(directive, unit, table, summary, details: dict):
    """The document's data from the consolidated table: (meta, printed table, spreadsheet table)."""
    agency = directive.issuing_agency if unit.pk == directive.issuing_unit_id else None
    committees = (AgencyType.PROVINCIAL_PEOPLES_COMMITTEE, AgencyType.COMMUNE_PEOPLES_COMMITTEE)
    if agency is not None and agency.agency_type not in committees:
        parent, body = _("People's Committee of %(unit)s") % {"unit": unit.name}, agency.name
    else:
        parent, body = "", agency.name if agency else _("People's Committee of %(unit)s") % {"unit": unit.name}
    today = timezone.localdate()
    intro = _(
        "Pursuant to document No. %(number)s of %(date)s of %(agency)s on %(title)s: by %(today)s, "
        "%(submitted)s of %(expected)s expected reports had been submitted (%(late)s of them late) and "
        "%(approved)s approved. The figures below are the sum of the approved reports."
    ) % {
        "number": directive.number,
        "date": directive.issued_on.strftime("%d/%m/%Y"),
        "agency": directive.issuing_agency.name,
        "title": directive.title,
        "today": today.strftime("%d/%m/%Y"),
        "submitted": summary.submitted,
        "expected": summary.expected,
        "late": summary.late,
        "approved": summary.approved,
    }
    sections = [documents.Section(paragraphs=(intro,))]
    titles = {s.code: s.title for s in table.form_version.sections.all()}
    for index, (code, entries) in enumerate(table.narratives.items(), 1):
        sections.append(
            documents.Section(
                heading=f"{_roman(index)}. {titles.get(code, code)}",
                paragraphs=tuple(f"{who}: {text}" for who, text in entries),
            )
        )
    total_label = pgettext("official document", "Total")
    printed, sheet = [], []
    for row in table.rows:
        # Printed: the total and each breakdown on its own (female, male, under 16 …), lines with
        # no figure left out; the spreadsheet has every cell and one column per unit below.
        single = [c for c in row.cells[1:] if len(c.cell) == 1 or len(row.indicator.breakdowns) == 1]
        printed.append(
            documents.IndicatorRow(
                code=row.code,
                name=row.name,
                measure=row.measure,
                total=(row.total.values[-1],),
                cells=tuple(documents.Cell(c.label, (c.values[-1],)) for c in single if c.values[-1] is not None),
            )
        )
        sheet.append(
            documents.IndicatorRow(
                code=row.code,
                name=row.name,
                measure=row.measure,
                total=tuple(row.total.values[-1:] + row.total.values[:-1]),
                cells=tuple(documents.Cell(c.label, tuple(c.values[-1:] + c.values[:-1])) for c in row.cells[1:]),
            )
        )
    meta = documents.DocumentMeta(
        parent_body=parent,
        issuing_body=body,
        number=details.get("number", ""),
        place=details.get("place") or _place(unit),
        issued_on=today,
        subject=table.form_version.form.name,
        period_label=table.period_label,
        sections=tuple(sections),
        signer_authority=details.get("signer_authority", ""),
        signer_position=details.get("signer_position", ""),
        signer_name=details.get("signer_name", ""),
        recipients=details.get("recipients", ()),
        table_caption=_("Consolidated figures"),
        language="vi",
    )
    columns = (total_label, *(c.label for c in table.columns[:-1]))
    return (
        meta,
        documents.ReportTable(columns=(total_label,), rows=tuple(printed)),
        documents.ReportTable(columns=columns, rows=tuple(sheet)),
    )


def _roman(number: int) -> str:
    numerals = ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
    text = ""
    for value, letters in numerals:
        while number >= value:
            text += letters
            number -= value
    return text


@require_reporting
@require_GET
def consolidated_export(request, directive_id, kind):
    user = request.user
    if kind not in ("xlsx", "pdf"):
        raise Http404
    directive = _get_directive(user, directive_id)
    if directive.status == DirectiveStatus.DRAFT:
        raise Http404
    form = ExportForm(request.GET)
    details = form.cleaned_data if form.is_valid() else {}
    # The official document is in Vietnamese, whatever language the page is read in.
    with translation.override("vi"):
        unit, table = _consolidated(request, directive)
        summary = selectors.completeness(user, directive, unit).total
        meta, printed, sheet = _document_parts(directive, unit, table, summary, details)
        if kind == "xlsx":
            content = documents.consolidated_xlsx(sheet, meta)
            content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        else:
            content = documents.consolidated_pdf(printed, meta)
            content_type = "application/pdf"
    record_event(
        action="reporting.consolidated_exported",
        actor=user,
        target=directive,
        unit=unit,
        changes={"format": kind, "unit": unit.code, "period": directive.period_id, "approved": table.approved},
    )
    name = slugify(f"bao-cao-{directive.number}-{unit.code}") or "bao-cao"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}.{kind}"'
    return response
