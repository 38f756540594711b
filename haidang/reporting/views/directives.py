"""Directives: the list, a draft and its changes, issue, cancel, and the attached files."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from haidang.access.models import Agency
from haidang.access.roles import ROLE_CAPABILITIES
from haidang.access.scope import scope_for
from haidang.reporting import selectors, services
from haidang.reporting.forms import AttachmentForm, CancelForm, DirectiveForm, initial_from_directive
from haidang.reporting.models import DirectiveStatus
from haidang.reporting.permissions import ISSUE, can_issue_directives, require_reporting
from haidang.reporting.views.common import _apply_errors, _error_texts, _get_directive, _oversees

NAMED_RECIPIENTS_LIMIT = 500


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
        user=user,
    )


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
            directive = services.create_directive(actor=user, **form.directive_fields())
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
                actor=user,
                directive=directive,
                version=form.cleaned_data.get("version") or directive.version,
                **form.directive_fields(),
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
        context["preview"] = selectors.resolve_recipients(directive)
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
        reports = services.issue_directive(actor=user, directive=directive, version=version)
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
        services.cancel_directive(
            actor=user, directive=directive, version=form.cleaned_data["version"], reason=form.cleaned_data["reason"]
        )
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
