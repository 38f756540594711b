"""Reintegration follow-up visits."""

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from haidang.cases import selectors, services
from haidang.cases.forms import VisitForm
from haidang.cases.permissions import require_view_cases
from haidang.cases.views._common import _case_context, _case_or_404, _editable_case, _save_form


def _render_visits(request, case, *, form=None, status: int = 200):
    can_edit = selectors.can_edit_case(request.user, case)
    visits = list(case.visits.select_related("recorded_by").order_by("-visit_date", "-recorded_at"))
    if can_edit and form is None:
        form = VisitForm(initial={"visit_date": timezone.localdate()})
    next_visit = visits[0].next_visit_on if visits else None
    context = {
        **_case_context(request, case, "visits", can_edit=can_edit),
        "visits": visits,
        "next_visit": next_visit,
        "next_overdue": next_visit is not None and next_visit < timezone.localdate(),
        "form": form,
    }
    return render(request, "cases/visits.html", context, status=status)


@require_http_methods(["GET", "POST"])
@require_view_cases
def visits(request, case_id):
    if request.method == "GET":
        return _render_visits(request, _case_or_404(request, case_id, "visits"))
    case = _editable_case(request, case_id, "visits")
    form = VisitForm(request.POST)
    saved = _save_form(
        request,
        form,
        lambda data: services.record_visit(actor=request.user, case=case, data=data),
        _("Follow-up visit recorded."),
        "cases:visits",
        case,
    )
    return saved or _render_visits(request, case, form=form, status=400)
