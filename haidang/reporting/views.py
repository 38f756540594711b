"""Pages for directives and reports: issue a directive, the recipient's tasks, fill in and submit,
review, completeness and the consolidated figures with their official document.

Records come from the selectors (scope in one place; out of scope is a 404), writes go through
the services, and a service's ValidationError is put back on the field it names.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from haidang.access.models import Agency, AgencyType
from haidang.access.roles import ROLE_CAPABILITIES
from haidang.access.scope import scope_for
from haidang.audit.services import record_event
from haidang.places.models import AdministrativeUnit
from haidang.reporting import documents, selectors, services, workflow
from haidang.reporting.forms import (
    AttachmentForm,
    CancelForm,
    DirectiveForm,
    ExportForm,
    ReportEntry,
    ReviewForm,
    initial_from_directive,
)
from haidang.reporting.models import SUBMITTED_STATUSES, DirectiveStatus, ReportStatus
from haidang.reporting.permissions import (
    FILE,
    ISSUE,
    REVIEW,
    can_file,
    can_issue_directives,
    can_review,
    require_reporting,
)

# Rights that let a user follow a directive's progress and figures over a unit.
OVERSIGHT = (ISSUE, REVIEW, selectors.VIEW_STATISTICS)
NAMED_RECIPIENTS_LIMIT = 500
NOTIFICATIONS_PER_PAGE = 25
STALE_MESSAGE = _(
    "Someone else saved this report while you were working on it, so your changes were not saved. "
    "What you entered is kept below: compare it with the current figures (reload the page), then save again."
)
# The name part a place takes in "<Place>, ngày …" (Decree 30): without the unit type.
PLACE_PREFIXES = ("Thành phố ", "Tỉnh ", "Xã ", "Phường ", "Đặc khu ", "Thị trấn ", "Quận ", "Huyện ", "Thị xã ")


# --- Helpers ------------------------------------------------------------------------------------


def _apply_errors(form, error: ValidationError) -> None:
    """Put a service's {field: [message]} errors on the form's fields (by the form's own name)."""
    aliases = getattr(form, "error_aliases", {})
    if hasattr(error, "error_dict"):
        for name, texts in error.message_dict.items():
            name = aliases.get(name, name)
            form.add_error(name if name in form.fields else None, texts)
    else:
        form.add_error(None, error.messages)


def _error_texts(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [text for texts in error.message_dict.values() for text in texts]
    return list(error.messages)


def _get_directive(user, directive_id):
    directive = selectors.get_directive_for_user(user, directive_id)
    if directive is None:
        raise Http404
    return directive


def _get_report(user, report_id):
    report = selectors.get_report_for_user(user, report_id)
    if report is None:
        raise Http404
    return report


def _oversees(user, unit) -> bool:
    scope = scope_for(user)
    return any(scope.covers_unit(unit, capability) for capability in OVERSIGHT)


def _unit_under(user, directive, unit_id):
    """The unit to show for a directive: its issuing unit, or one below it the user oversees; else 404."""
    if not unit_id:
        unit = directive.issuing_unit
    else:
        try:
            unit = AdministrativeUnit.objects.get(pk=int(unit_id))
        except (ValueError, TypeError, AdministrativeUnit.DoesNotExist):
            raise Http404 from None
        issuer_path = directive.issuing_unit.placement_path or directive.issuing_unit.path
        if not (unit.placement_path or unit.path).startswith(issuer_path):
            raise Http404
    if not _oversees(user, unit):
        raise Http404
    return unit


def _issuing_agencies(user):
    """Agencies the user may issue for: those at the units of their memberships with the right."""
    units = [e.unit_id for e in scope_for(user).entries if ISSUE in ROLE_CAPABILITIES.get(e.role, ())]
    return Agency.objects.filter(unit_id__in=units, is_active=True).select_related("unit").order_by("name")


def _named_agencies(user) -> list[Agency]:
    """Agencies that can be named as recipients: active, at current units under the user's issuing units."""
    paths = scope_for(user).paths_for(ISSUE)
    if not paths:
        return []
    inside = Q()
    for path in paths:
        inside |= Q(unit__path__startswith=path)
    return list(
        Agency.objects.filter(inside, is_active=True, unit__valid_to__isnull=True)
        .select_related("unit")
        .order_by("unit__level", "unit__sort_key", "name")[:NAMED_RECIPIENTS_LIMIT]
    )


def _directive_form(user, data=None, initial=None):
    return DirectiveForm(
        data,
        initial=initial,
        agencies=_issuing_agencies(user),
        named_agencies=_named_agencies(user),
        today=timezone.localdate(),
    )


def _place(unit) -> str:
    for prefix in PLACE_PREFIXES:
        if unit.name.startswith(prefix):
            return unit.name[len(prefix) :]
    return unit.name


# --- Task lists ---------------------------------------------------------------------------------


@require_reporting
@require_GET
def tasks(request):
    user = request.user
    today = timezone.localdate()
    open_tasks = selectors.tasks_for(user, today)
    for report in open_tasks:
        report.days_overdue = -report.days_left
    # What the user's own units have handed in lately, to follow its review.
    paths = [e.unit_path for e in scope_for(user).entries if FILE in ROLE_CAPABILITIES.get(e.role, ())]
    done = list(
        selectors.reports_visible_to(user)
        .filter(unit__placement_path__in=paths, status__in=SUBMITTED_STATUSES)
        .order_by("-submitted_at")[:20]
    )
    return render(
        request,
        "reporting/tasks.html",
        {"tasks": open_tasks, "done": done, "today": today, "current": "tasks"},
    )


@require_reporting
@require_GET
def reviews(request):
    waiting = list(selectors.reviews_for(request.user)[:200])
    return render(request, "reporting/reviews.html", {"reports": waiting, "current": "reviews"})


# --- Directives -----------------------------------------------------------------------------------


@require_reporting
@require_GET
def directive_list(request):
    directives = list(selectors.directives_visible_to(request.user).order_by("-issued_on", "-created_at")[:200])
    return render(
        request,
        "reporting/directive_list.html",
        {"directives": directives, "can_issue": can_issue_directives(request.user), "current": "directives"},
    )


@require_reporting
@require_http_methods(["GET", "POST"])
def directive_new(request):
    user = request.user
    if not can_issue_directives(user):
        raise PermissionDenied
    agencies = _issuing_agencies(user)
    initial = {"issued_on": timezone.localdate()}
    if agencies.count() >= 1:
        mine = [e.agency_id for e in scope_for(user).entries if ISSUE in ROLE_CAPABILITIES.get(e.role, ())]
        initial["issuing_agency"] = mine[0] if mine else agencies.first().pk
    form = _directive_form(user, request.POST or None, initial)
    versions = form.fields["form_version"].queryset
    if len(versions) == 1:
        form.initial["form_version"] = versions[0].pk
    if request.method == "POST" and form.is_valid():
        try:
            directive = services.create_directive(user, **form.directive_fields())
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(
                request, _("Draft saved. Check the recipients below, add any attachments, then issue the directive.")
            )
            return redirect("reporting:directive_detail", directive_id=directive.pk)
    return render(request, "reporting/directive_form.html", {"form": form, "creating": True, "current": "directives"})


@require_reporting
@require_http_methods(["GET", "POST"])
def directive_edit(request, directive_id):
    user = request.user
    directive = _get_directive(user, directive_id)
    if directive.status != DirectiveStatus.DRAFT or not can_issue_directives(user, directive.issuing_unit):
        raise PermissionDenied
    form = _directive_form(user, request.POST or None, initial_from_directive(directive))
    stale = False
    if request.method == "POST" and form.is_valid():
        try:
            services.update_directive(
                user, directive, form.cleaned_data.get("version") or directive.version, **form.directive_fields()
            )
        except services.StaleVersionError:
            stale = True
            form.add_error(
                None,
                _(
                    "Someone else changed this directive while you were editing it, so your changes were not "
                    "saved. Your input is kept below: reload the directive, then make your changes again."
                ),
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Draft saved."))
            return redirect("reporting:directive_detail", directive_id=directive.pk)
    return render(
        request,
        "reporting/directive_form.html",
        {"form": form, "directive": directive, "creating": False, "stale": stale, "current": "directives"},
    )


@require_reporting
@require_http_methods(["GET", "POST"])
def directive_detail(request, directive_id):
    user = request.user
    directive = _get_directive(user, directive_id)
    may_issue = can_issue_directives(user, directive.issuing_unit)
    upload_form = AttachmentForm()
    if request.method == "POST":
        if not may_issue or directive.status == DirectiveStatus.CANCELLED:
            raise PermissionDenied
        upload_form = AttachmentForm(request.POST, request.FILES)
        if upload_form.is_valid():
            try:
                services.add_directive_attachment(
                    actor=user, directive=directive, uploaded_file=upload_form.cleaned_data["file"]
                )
            except ValidationError as error:
                _apply_errors(upload_form, error)
            else:
                messages.success(request, _("File added."))
                return redirect("reporting:directive_detail", directive_id=directive.pk)
    context = {
        "directive": directive,
        "activities": directive.activities.all(),
        "attachments": directive.attachments.all(),
        "rules": directive.recipient_rules.all(),
        "may_issue": may_issue,
        "oversees": _oversees(user, directive.issuing_unit),
        "upload_form": upload_form,
        "cancel_form": CancelForm(initial={"version": directive.version}),
        "current": "directives",
    }
    if directive.status == DirectiveStatus.DRAFT:
        # The preview: who would receive it if it were issued now.
        context["preview"] = services.resolve_recipients(directive)
    else:
        context["own_reports"] = [r for r in selectors.reports_visible_to(user).filter(directive=directive)[:50]]
        if context["oversees"]:
            context["summary"] = selectors.completeness(user, directive).total
    return render(request, "reporting/directive_detail.html", context)


@require_reporting
@require_POST
def directive_issue(request, directive_id):
    user = request.user
    directive = _get_directive(user, directive_id)
    if not can_issue_directives(user, directive.issuing_unit):
        raise PermissionDenied
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = None
    try:
        reports = services.issue_directive(user, directive, version)
    except services.StaleVersionError:
        messages.error(request, _("The directive changed since you opened it; check it and issue it again."))
    except ValidationError as error:
        for text in _error_texts(error):
            messages.error(request, text)
    else:
        messages.success(
            request,
            _("Directive %(number)s issued: %(count)s recipients have their report to make.")
            % {"number": directive.number, "count": len(reports)},
        )
    return redirect("reporting:directive_detail", directive_id=directive.pk)


@require_reporting
@require_POST
def directive_cancel(request, directive_id):
    user = request.user
    directive = _get_directive(user, directive_id)
    if not can_issue_directives(user, directive.issuing_unit):
        raise PermissionDenied
    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The directive changed since you opened it; check it and try again."))
        return redirect("reporting:directive_detail", directive_id=directive.pk)
    try:
        services.cancel_directive(user, directive, form.cleaned_data["version"], form.cleaned_data["reason"])
    except services.StaleVersionError:
        messages.error(request, _("The directive changed since you opened it; check it and try again."))
    except ValidationError as error:
        for text in _error_texts(error):
            messages.error(request, text)
    else:
        messages.success(request, _("Directive cancelled."))
    return redirect("reporting:directive_detail", directive_id=directive.pk)


@require_reporting
@require_GET
def attachment_download(request, directive_id, attachment_id):
    directive = _get_directive(request.user, directive_id)
    attachment = directive.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    # Always a download: the browser never renders an uploaded file inside the application.
    return FileResponse(
        handle, as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type
    )


# --- Completeness and consolidated figures -------------------------------------------------------------


def _trail(directive, unit) -> list[AdministrativeUnit]:
    """The units from the issuing unit down to `unit` (by the path of ids), for the breadcrumbs."""
    ids = [int(part) for part in (unit.placement_path or unit.path).strip("/").split("/") if part.isdigit()]
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


# --- Reports --------------------------------------------------------------------------------------


def _entry(report, data=None) -> ReportEntry:
    stored = services.values_by_indicator(report)
    texts = dict(report.narratives.values_list("section_id", "text"))
    return ReportEntry(report, stored, texts, data)


@require_reporting
@require_http_methods(["GET", "POST"])
def report_detail(request, report_id):
    """The fill page for the recipient's staff while the report is open; for everyone else (and
    once submitted) the report as read, with the reviewer's approve / return box."""
    user = request.user
    report = _get_report(user, report_id)
    filer = can_file(user, report)
    editing = filer and report.is_editable and report.directive.status == DirectiveStatus.ISSUED
    entry = _entry(report)
    stale = False
    if request.method == "POST":
        if not editing:
            raise PermissionDenied
        entry = _entry(report, request.POST)
        action = request.POST.get("action")
        try:
            version = int(request.POST.get("version", ""))
        except ValueError:
            version = -1
        try:
            saved = services.save_report(user, report, version, entry.values_payload(), entry.narratives_payload())
        except services.StaleVersionError:
            stale = True
            entry.errors.append(STALE_MESSAGE)
        except ValidationError as error:
            entry.add_errors(error.message_dict if hasattr(error, "error_dict") else {"": error.messages})
        else:
            if action != workflow.Action.SUBMIT:
                messages.success(request, _("Draft saved. Submit the report when it is complete."))
                return redirect("reporting:report_detail", report_id=report.pk)
            try:
                services.transition_report(user, saved, workflow.Action.SUBMIT, version=saved.version)
            except ValidationError as error:
                # The figures are saved as a draft; only the submission waits for the corrections.
                report = saved
                entry = _entry(report, request.POST)
                entry.add_errors(error.message_dict if hasattr(error, "error_dict") else {"": error.messages})
                entry.errors.insert(0, _("Your figures were saved as a draft, but the report cannot be submitted yet."))
            else:
                saved.refresh_from_db()
                flagged = services.warnings(services.check_report(saved))
                if flagged:
                    messages.warning(
                        request,
                        ngettext(
                            "Submitted with %(count)s warning; it is recorded in the history for the reviewer.",
                            "Submitted with %(count)s warnings; they are recorded in the history for the reviewer.",
                            len(flagged),
                        )
                        % {"count": len(flagged)},
                    )
                if saved.on_time:
                    messages.success(request, _("Report submitted on time. The reviewer has been told."))
                else:
                    messages.warning(request, _("Report submitted after the deadline. The reviewer has been told."))
                return redirect("reporting:report_detail", report_id=report.pk)
    review_form = None
    if report.status == ReportStatus.SUBMITTED and can_review(user, report):
        review_form = ReviewForm(initial={"version": report.version})
    checks = services.check_report(report) if editing or review_form is not None else []
    return render(
        request,
        "reporting/report_detail.html",
        {
            "report": report,
            "directive": report.directive,
            "entry": entry,
            "editing": editing,
            "filer": filer,
            "stale": stale,
            "review_form": review_form,
            "history": list(selectors.history_of(report)),
            "overrides": services.overrides_of(report),
            "problems": services.blocking(checks) if review_form is not None else [],
            # Rules that do not block: shown to the filer before submitting and to the reviewer.
            "warnings": services.warnings(checks),
            "current": "tasks" if filer else "reviews",
        },
    )


@require_reporting
@require_POST
def report_review(request, report_id):
    user = request.user
    report = _get_report(user, report_id)
    if not can_review(user, report):
        raise PermissionDenied
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to approve or to return the report."))
        return redirect("reporting:report_detail", report_id=report.pk)
    action = form.cleaned_data["action"]
    try:
        services.transition_report(
            user, report, action, comment=form.cleaned_data["comment"], version=form.cleaned_data["version"]
        )
    except services.StaleVersionError:
        messages.error(request, _("The report changed since you opened it; read it again before deciding."))
    except ValidationError as error:
        for text in _error_texts(error):
            messages.error(request, text)
    else:
        if action == workflow.Action.APPROVE:
            messages.success(
                request, _("Report approved and locked; its figures now count in the consolidated report.")
            )
        else:
            messages.success(request, _("Report returned for correction; the recipient has been told."))
        return redirect("reporting:reviews")
    return redirect("reporting:report_detail", report_id=report.pk)


@require_reporting
@require_POST
def report_refresh(request, report_id):
    user = request.user
    report = _get_report(user, report_id)
    if not can_file(user, report):
        raise PermissionDenied
    try:
        services.refresh_prefill(user, report)
    except ValidationError as error:
        for text in _error_texts(error):
            messages.error(request, text)
    else:
        messages.success(request, _("Figures recomputed from the records; figures you changed keep your value."))
    return redirect(reverse("reporting:report_detail", args=[report.pk]))


# --- Notices --------------------------------------------------------------------------------------
# Every signed-in user has an inbox (no reporting right needed: it holds only their own notices).


def _local_path(url: str) -> bool:
    """A path on this site: no scheme, no host (so "//elsewhere" and "https://…" are refused)."""
    return bool(url) and url.startswith("/") and url_has_allowed_host_and_scheme(url, allowed_hosts=set())


@require_GET
def notifications(request):
    unread_only = request.GET.get("unread") == "1"
    notices = selectors.notifications_for(request.user)
    if unread_only:
        notices = notices.filter(read_at__isnull=True)
    page = Paginator(notices, NOTIFICATIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "reporting/notifications.html",
        {
            "page": page,
            "unread_only": unread_only,
            "page_prefix": "?unread=1&page=" if unread_only else "?page=",
        },
    )


@require_GET
def notification_open(request, notification_id):
    """Opening a notice marks it read and follows its link, if the link stays on this site."""
    notice = get_object_or_404(selectors.notifications_for(request.user), pk=notification_id)
    services.mark_notification_read(actor=request.user, notification=notice)
    if _local_path(notice.url):
        return redirect(notice.url)
    if notice.url:
        messages.warning(request, _("This notice links outside Hải Đăng, so it was not followed."))
    return redirect("reporting:notifications")


@require_POST
def notifications_read_all(request):
    count = services.mark_all_notifications_read(actor=request.user)
    if count:
        messages.success(request, _("All notices marked as read."))
    return redirect("reporting:notifications")
