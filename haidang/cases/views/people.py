"""The person and the linked persons (accompanying children, relatives)."""

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from haidang.cases import protection, selectors
from haidang.cases.forms import LinkPersonForm
from haidang.cases.models import ProtectionStatus, Sex
from haidang.cases.permissions import require_view_cases
from haidang.cases.views._common import (
    Column,
    _case_context,
    _case_or_404,
    _day,
    _editable_case,
    _label,
    _role_label,
    _save_form,
)


def _columns(show_identity: bool) -> list[Column]:
    return [
        Column(_("Relationship")),
        Column(_("Full name")),
        Column(_("Sex")),
        Column(_("Date or year of birth") if show_identity else _("Year of birth")),
        Column(_("Protection")),
        Column(_("Notes")),
    ]


def _person_row(person, role: str, protected: bool, notes: str, show_identity: bool) -> dict:
    shown = selectors.person_view(person, show_identity=show_identity)
    return {
        "role": _role_label(role),
        "name": shown.full_name or "—",
        "other_names": shown.other_names,
        "sex": _label(Sex.choices, shown.sex),
        "birth": _day(person.birth_date) if show_identity and person.birth_date else (person.birth_year or "—"),
        "protected": protected,
        "notes": notes if show_identity else (selectors.MASK if notes else ""),
    }


def _render_people(request, case, *, form=None, status: int = 200):
    user = request.user
    can_edit = selectors.can_edit_case(user, case)
    show_identity = selectors.can_see_identity(user, case)
    principal_protected = case.protection_decisions.filter(
        subject_id=case.person_id, status=ProtectionStatus.ACTIVE
    ).exists()
    rows = [_person_row(case.person, "person", principal_protected, "", show_identity)]
    for link in case.linked_persons.select_related("person").order_by("relationship", "id"):
        row = _person_row(link.person, link.relationship, link.is_protected, link.notes, show_identity)
        rows.append(row)
    if can_edit and form is None:
        form = LinkPersonForm()
    context = {
        **_case_context(request, case, "people", can_edit=can_edit),
        "columns": _columns(show_identity),
        "rows": rows,
        "show_identity": show_identity,
        "form": form,
    }
    return render(request, "cases/people.html", context, status=status)


@require_http_methods(["GET", "POST"])
@require_view_cases
def people(request, case_id):
    if request.method == "GET":
        return _render_people(request, _case_or_404(request, case_id, "people"))
    case = _editable_case(request, case_id, "people")
    form = LinkPersonForm(request.POST)

    def save(data):
        return protection.link_person(
            actor=request.user,
            case=case,
            person_data=form.person_data(),
            relationship=data["relationship"],
            is_protected=data["is_protected"],
            notes=data["notes"],
        )

    saved = _save_form(request, form, save, _("Linked person recorded."), "cases:people", case)
    return saved or _render_people(request, case, form=form, status=400)
