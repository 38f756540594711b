"""Recording a new case."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from haidang.access.selectors import agencies_visible_to, memberships_of
from haidang.cases import services
from haidang.cases.forms import IntakeForm, country_options
from haidang.cases.permissions import intake_memberships, require_edit_cases
from haidang.cases.views._common import _apply_errors


def _intake_initial(user) -> dict:
    initial = {"reception_date": timezone.localdate()}
    usable = intake_memberships(memberships_of(user))
    if usable:
        initial["agency"] = usable[0].agency_id
        initial["unit"] = usable[0].unit
    return initial


@require_http_methods(["GET", "POST"])
@require_edit_cases
def intake(request):
    form = IntakeForm(
        request.POST or None,
        agencies=agencies_visible_to(request.user),
        initial=_intake_initial(request.user),
        user=request.user,
    )
    if request.method == "POST" and form.is_valid():
        try:
            case = services.create_case(actor=request.user, person_data=form.person_data(), case_data=form.case_data())
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Case %(number)s recorded.") % {"number": case.number})
            return redirect("cases:detail", case_id=case.pk)
    context = {
        "form": form,
        "countries": country_options(),
    }
    return render(request, "cases/intake.html", context)
