"""Shelter stays against the legal limit, their extension and their end."""

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from haidang.cases import protection, selectors, timelimits
from haidang.cases.forms import StayEndForm, StayExtendForm, StayStartForm
from haidang.cases.permissions import require_view_cases
from haidang.cases.views._common import (
    Column,
    _agencies,
    _already_finished,
    _case_context,
    _case_or_404,
    _case_persons,
    _chosen_person,
    _deciders,
    _editable_case,
    _person_choices,
    _record_of,
    _role_label,
    _save_form,
)


def _stay_form(request, case, persons, show_identity, data=None):
    return StayStartForm(
        data,
        persons=_person_choices(persons, show_identity),
        agencies=_agencies(request.user),
        deciders=_deciders(request.user, "shelter_extension"),
        initial={"start_date": timezone.localdate(), "person": str(case.person_id)},
    )


COLUMNS = (
    Column(gettext_lazy("Person")),
    Column(gettext_lazy("Facility")),
    Column(gettext_lazy("From")),
    Column(gettext_lazy("To")),
    Column(gettext_lazy("Limit")),
    Column(gettext_lazy("Extension")),
)


def _render_shelter(
    request, case, *, form=None, extensions: dict | None = None, endings: dict | None = None, status: int = 200
):
    user = request.user
    can_edit = selectors.can_edit_case(user, case)
    show_identity = selectors.can_see_identity(user, case)
    extensions, endings = extensions or {}, endings or {}
    today = timezone.localdate()
    rows = []
    for view in selectors.shelter_stays_for(user, case):
        stay = view.stay
        is_open = stay.end_date is None
        extend = end = None
        if can_edit and is_open:
            extend = extensions.get(stay.pk) or StayExtendForm(
                stay=stay, deciders=_deciders(user, "shelter_extension"), initial={"extension_decided_on": today}
            )
            end = endings.get(stay.pk) or StayEndForm(stay=stay, initial={"end_date": today})
        rows.append(
            {
                "view": view,
                "stay": stay,
                "person": _role_label(view.person),
                "open": is_open,
                "due": view.deadline.due,
                "overdue": is_open and view.deadline.overdue,
                "days_left": view.deadline.days_left if is_open else None,
                "days_over": -view.deadline.days_left if is_open and view.deadline.overdue else None,
                "days": (stay.end_date - stay.start_date).days + 1 if stay.end_date else None,
                "extend": extend,
                "extend_open": stay.pk in extensions,
                "end": end,
                "end_open": stay.pk in endings,
            }
        )
    if can_edit and form is None:
        form = _stay_form(request, case, _case_persons(case), show_identity)
    context = {
        **_case_context(request, case, "shelter", can_edit=can_edit),
        "columns": COLUMNS,
        "rows": rows,
        "form": form,
        "max_days": timelimits.shelter_max_days(),
        "show_identity": show_identity,
    }
    return render(request, "cases/shelter.html", context, status=status)


@require_http_methods(["GET", "POST"])
@require_view_cases
def shelter(request, case_id):
    if request.method == "GET":
        return _render_shelter(request, _case_or_404(request, case_id, "shelter"))
    case = _editable_case(request, case_id, "shelter")
    persons = _case_persons(case)
    form = _stay_form(request, case, persons, selectors.can_see_identity(request.user, case), request.POST)
    saved = _save_form(
        request,
        form,
        lambda data: protection.start_stay(
            actor=request.user, case=case, data={**data, "person": _chosen_person(persons, data["person"])}
        ),
        _("Shelter stay recorded."),
        "cases:shelter",
        case,
    )
    return saved or _render_shelter(request, case, form=form, status=400)


@require_POST
@require_view_cases
def shelter_extend(request, case_id, stay_id):
    case = _editable_case(request, case_id, "shelter")
    stay = _record_of(case.shelter_stays, stay_id)
    if stay.end_date is not None:
        return _already_finished(request, case, _("This stay has ended."), "cases:shelter")
    form = StayExtendForm(request.POST, stay=stay, deciders=_deciders(request.user, "shelter_extension"))
    saved = _save_form(
        request,
        form,
        lambda data: protection.extend_stay(actor=request.user, stay=stay, data=data),
        _("Extension decision recorded."),
        "cases:shelter",
        case,
    )
    return saved or _render_shelter(request, case, extensions={stay.pk: form}, status=400)


@require_POST
@require_view_cases
def shelter_end(request, case_id, stay_id):
    case = _editable_case(request, case_id, "shelter")
    stay = _record_of(case.shelter_stays, stay_id)
    if stay.end_date is not None:
        return _already_finished(request, case, _("This stay has ended."), "cases:shelter")
    form = StayEndForm(request.POST, stay=stay)
    saved = _save_form(
        request,
        form,
        lambda data: protection.end_stay(actor=request.user, stay=stay, data=data),
        _("Shelter stay ended."),
        "cases:shelter",
        case,
    )
    return saved or _render_shelter(request, case, endings={stay.pk: form}, status=400)
