"""The auditor's page: the log, filtered, newest first."""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from haidang.access.roles import Capability
from haidang.access.scope import scope_for
from haidang.audit import selectors
from haidang.audit.forms import AuditFilterForm
from haidang.audit.services import record_event

PAGE_SIZE = 50


@require_GET
def log(request):
    if not scope_for(request.user).can(Capability.VIEW_AUDIT):
        # Trying to read who looked at whom is itself worth knowing about.
        record_event(action="audit.log_access_denied", actor=request.user, request=request)
        raise PermissionDenied
    form = AuditFilterForm(request.GET)
    entries = selectors.entries_visible_to(request.user)
    # Invalid filters show their errors and no rows, never the unfiltered log.
    entries = selectors.filter_entries(entries, **form.filters()) if form.is_valid() else entries.none()
    # Recorded before the page is read, so the count and the rows shown agree with each other.
    record_event(
        action="audit.log_viewed",
        actor=request.user,
        request=request,
        changes={**form.as_record(), "page": request.GET.get("page", "1")[:10]},
    )
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    for entry in page:
        entry.role_text = selectors.role_labels(entry.role)
    return render(request, "audit/log.html", {"form": form, "page": page})
