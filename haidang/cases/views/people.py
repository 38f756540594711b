"""The person and the linked persons (accompanying children, relatives): the list, linking a new
one, and changing a linked person's relationship, protection flag or notes."""

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from haidang.cases import protection, selectors
from haidang.cases.forms import LinkEditForm, LinkPersonForm
from haidang.cases.models import LinkedPerson, ProtectionStatus, Sex
from haidang.cases.permissions import require_view_cases
from haidang.cases.views._common import (
    Column,
    _case_context,
    _case_or_404,
    _day,
    _editable_case,
    _label,
    _record_of,
    _role_label,
    _save_form,
)
from haidang.common.errors import StaleVersionError


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
        if can_edit:
            row["edit_url"] = reverse("cases:link_edit", args=[case.pk, link.pk])
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


def _render_link(request, case, link, form, show_identity: bool, *, stale: bool = False, status: int = 200):
    row = _person_row(link.person, link.relationship, link.is_protected, link.notes, show_identity)
    name = f"{row['name']} ({row['other_names']})" if row["other_names"] else row["name"]
    protected = _("Under protection") if row["protected"] else "—"
    values = (row["role"], name, row["sex"] or "—", row["birth"], protected, row["notes"] or "—")
    facts = [(column.label, value) for column, value in zip(_columns(show_identity), values, strict=True)]
    context = {
        **_case_context(request, case, "people", can_edit=True),
        "link": link,
        "facts": facts,
        "show_identity": show_identity,
        "form": form,
        "stale": stale,
    }
    return render(request, "cases/link_edit.html", context, status=status)


@require_http_methods(["GET", "POST"])
@require_view_cases
def link_edit(request, case_id, link_id):
    """Change a linked person: the same rights as linking one (404 outside the user's scope, 403
    for a reader). The notes are offered only to a role that sees identities."""
    case = _editable_case(request, case_id, "people")
    link = _record_of(case.linked_persons.select_related("person"), link_id)
    show_identity = selectors.can_see_identity(request.user, case)
    if request.method == "GET":
        initial = {"relationship": link.relationship, "is_protected": link.is_protected, "version": link.version}
        if show_identity:
            initial["notes"] = link.notes
        return _render_link(request, case, link, LinkEditForm(initial=initial, show_notes=show_identity), show_identity)
    form = LinkEditForm(request.POST, show_notes=show_identity)
    if form.is_valid():
        try:
            saved = _save_form(
                request,
                form,
                lambda data: protection.update_link(
                    actor=request.user, link=link, version=data["version"], data=form.changes()
                ),
                _("Linked person changed."),
                "cases:people",
                case,
            )
        except StaleVersionError as stale:
            # Changed meanwhile: show what is saved now and keep what was entered, under the values now
            # shown and their version, so that saving again is a choice made knowing them.
            current = LinkedPerson.objects.select_related("person").get(pk=link.pk)
            data = request.POST.copy()
            data["version"] = str(stale.current_version)
            kept = LinkEditForm(data, show_notes=show_identity)
            return _render_link(request, case, current, kept, show_identity, stale=True, status=409)
        if saved:
            return saved
    return _render_link(request, case, link, form, show_identity, status=400)
