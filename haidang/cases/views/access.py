"""Break-the-glass: opening one case outside one's area, with a reason and an audit entry."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from haidang.access.permissions import require_capability
from haidang.access.roles import Capability
from haidang.cases import services
from haidang.cases.forms import BreakGlassForm
from haidang.cases.views._common import _apply_errors


@require_http_methods(["GET", "POST"])
@require_capability(Capability.BREAK_GLASS)
def break_glass(request):
    """Open one case outside one's area: a reason, an audit entry, a notice to the supervisors."""
    form = BreakGlassForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            grant = services.break_glass(
                actor=request.user, case_number=form.cleaned_data["case_number"], reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            _apply_errors(form, error)
            status = 400
        else:
            messages.warning(
                request,
                _("Access granted until %(time)s. The supervisors have been told.")
                % {"time": timezone.localtime(grant.expires_at).strftime("%d/%m/%Y %H:%M")},
            )
            return redirect("cases:detail", case_id=grant.case_id)
    return render(request, "cases/break_glass.html", {"form": form}, status=status)
