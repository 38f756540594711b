"""The person search page: possible duplicates of a person among the cases the user may see, by the
same rule as the API's search (`selectors.person_matches`), for the roles that may see cases. The
matches are shown as on the intake's warning (`match_rows`): a name only where the reader may see the
identity, the reader's visible cases of that person, and why each is a match."""

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from haidang.audit.services import record_event
from haidang.cases import selectors
from haidang.cases.forms import PersonSearchForm
from haidang.cases.models import Sex
from haidang.cases.permissions import require_view_cases
from haidang.cases.views._common import _label, _status_label

REASONS = {
    "document": gettext_lazy("same identity document"),
    "name": gettext_lazy("same name (any spelling or word order)"),
    "birth_year": gettext_lazy("same year of birth"),
    "residence_unit": gettext_lazy("same commune of residence"),
}


def match_rows(matches) -> list[dict]:
    """The matches as the page shows them (plain values; nothing more than the reader may see)."""
    return [
        {
            "person_id": str(match.person_id),
            "name": match.full_name,
            "identity_shown": match.identity_shown,
            "birth_year": match.birth_year or "",
            "sex": _label(Sex.choices, match.sex),
            "reasons": ", ".join(str(REASONS.get(reason, reason)) for reason in match.reasons),
            "cases": [
                {
                    "number": case.number,
                    "url": reverse("cases:detail", args=[case.pk]),
                    "unit": case.unit.name,
                    "status": _status_label(case.status),
                    "received": case.reception_date.strftime("%d/%m/%Y"),
                }
                for case in match.cases
            ],
        }
        for match in matches
    ]


@require_GET
@require_view_cases
def person_search(request):
    form = PersonSearchForm(request.GET or None)
    matches = None
    if form.is_valid():
        data = form.cleaned_data
        found = selectors.person_matches(
            request.user, full_name=data["q"], document_number=data["document"], birth_year=data["birth_year"]
        )
        record_event(
            action="cases.person_search",
            actor=request.user,
            changes={"results": len(found), "identities_shown": sum(1 for match in found if match.identity_shown)},
        )
        matches = match_rows(found)
    return render(request, "cases/person_search.html", {"form": form, "matches": matches})
