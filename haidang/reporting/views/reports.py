"""The recipient's tasks and the reviewer's list; fill in, submit, review and refresh a report."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from haidang.access.roles import ROLE_CAPABILITIES
from haidang.access.scope import scope_for
from haidang.reporting import selectors, services, workflow
from haidang.reporting.forms import ReportEntry, ReviewForm
from haidang.reporting.models import SUBMITTED_STATUSES, DirectiveStatus, ReportStatus
from haidang.reporting.permissions import FILE, can_file, can_review, require_reporting
from haidang.reporting.views.common import _error_texts, _get_report

STALE_MESSAGE = _(
    "Someone else saved this report while you were working on it, so your changes were not saved. "
    "What you entered is kept below: compare it with the current figures (reload the page), then save again."
)


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


# --- Reports --------------------------------------------------------------------------------------


def _entry(report, data=None) -> ReportEntry:
    stored = selectors.values_by_indicator(report)
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
            saved = services.save_report(
                actor=user,
                report=report,
                version=version,
                values=entry.values_payload(),
                narratives=entry.narratives_payload(),
            )
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
                services.transition_report(
                    actor=user, report=saved, action=workflow.Action.SUBMIT, version=saved.version
                )
            except ValidationError as error:
                # The figures are saved as a draft; only the submission waits for the corrections.
                report = saved
                entry = _entry(report, request.POST)
                entry.add_errors(error.message_dict if hasattr(error, "error_dict") else {"": error.messages})
                entry.errors.insert(0, _("Your figures were saved as a draft, but the report cannot be submitted yet."))
            else:
                saved.refresh_from_db()
                flagged = selectors.warnings(selectors.check_report(saved))
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
    checks = selectors.check_report(report) if editing or review_form is not None else []
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
            "overrides": selectors.overrides_of(report),
            "problems": selectors.blocking(checks) if review_form is not None else [],
            # Rules that do not block: shown to the filer before submitting and to the reviewer.
            "warnings": selectors.warnings(checks),
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
            actor=user,
            report=report,
            action=action,
            comment=form.cleaned_data["comment"],
            version=form.cleaned_data["version"],
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
        services.refresh_prefill(actor=user, report=report)
    except ValidationError as error:
        for text in _error_texts(error):
            messages.error(request, text)
    else:
        messages.success(request, _("Figures recomputed from the records; figures you changed keep your value."))
    return redirect(reverse("reporting:report_detail", args=[report.pk]))
