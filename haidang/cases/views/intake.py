"""Recording a new case, with a warning step when the person may already be recorded.

Before a case is saved, the person is looked for among the cases the user may see (the same name in any
spelling or word order, with or without diacritics, or the same identity document: `selectors.person_matches`).
When there are matches the page comes back with them listed, as the user may see them, and what was typed
kept: the user opens the existing case, or confirms that this is a different person and records the case.
It is two posts of one form, so it works without script. The confirmation names the matches that were shown
(their person ids, never a name): a name changed after the warning that finds other matches warns again.
Matches outside the user's scope are not mentioned (`selectors.matches` says why).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from haidang.access.selectors import agencies_visible_to, memberships_of
from haidang.audit.services import record_event
from haidang.cases import selectors, services
from haidang.cases.forms import IntakeForm, country_options
from haidang.cases.permissions import intake_memberships, require_edit_cases
from haidang.cases.views._common import _apply_errors
from haidang.cases.views.people_search import match_rows

# The confirmation that the person is not one of the matches shown.
DIFFERENT = "different"


def _intake_initial(user) -> dict:
    initial = {"reception_date": timezone.localdate()}
    usable = intake_memberships(memberships_of(user))
    if usable:
        initial["agency"] = usable[0].agency_id
        initial["unit"] = usable[0].unit
    return initial


def _matches(request, form: IntakeForm) -> list:
    """The possible duplicates of the person typed in, audited as a search (with how many names were shown)."""
    data = form.cleaned_data
    birth_date = data.get("birth_date")
    matches = selectors.person_matches(
        request.user,
        full_name=data["full_name"],
        document_number=data.get("document_number") or "",
        birth_year=birth_date.year if birth_date else data.get("birth_year"),
        residence_unit=data.get("residence_unit"),
    )
    if matches:
        record_event(
            action="cases.duplicate_warning",
            actor=request.user,
            changes={
                "results": len(matches),
                "identities_shown": sum(1 for match in matches if match.identity_shown),
                "cases": sorted(str(case.pk) for match in matches for case in match.cases),
            },
        )
    return matches


def _confirmed(request, matches: list) -> bool:
    """The user said "a different person" after seeing every one of these matches."""
    if request.POST.get("decision") != DIFFERENT:
        return False
    seen = set(request.POST.getlist("seen"))
    return all(str(match.person_id) in seen for match in matches)


@require_http_methods(["GET", "POST"])
@require_edit_cases
def intake(request):
    form = IntakeForm(
        request.POST or None,
        agencies=agencies_visible_to(request.user),
        initial=_intake_initial(request.user),
        user=request.user,
    )
    matches = []
    if request.method == "POST" and form.is_valid():
        matches = _matches(request, form)
        if not matches or _confirmed(request, matches):
            try:
                case = services.create_case(
                    actor=request.user, person_data=form.person_data(), case_data=form.case_data()
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, _("Case %(number)s recorded.") % {"number": case.number})
                return redirect("cases:detail", case_id=case.pk)
    context = {
        "form": form,
        "countries": country_options(),
        "matches": match_rows(matches),
        "different": DIFFERENT,
    }
    return render(request, "cases/intake.html", context)
