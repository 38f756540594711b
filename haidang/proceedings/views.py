"""Pages of the criminal proceedings register: the list with filters, a case with its suspects
and linked victims, the forms to record and change them.

Records come from the selectors (scope in one place; out of scope is a 404), writes go through
the services, and a service's ValidationError is put back on the field it names.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from haidang.cases.models import Exploitation
from haidang.proceedings import selectors, services
from haidang.proceedings.forms import (
    CriminalCaseFilterForm,
    CriminalCaseForm,
    RemoveSuspectForm,
    SuspectForm,
    VictimLinkForm,
    service_errors,
)
from haidang.proceedings.permissions import require_proceedings

PAGE_SIZE = 50


def _get_case(user, criminal_case_id):
    criminal_case = selectors.get_criminal_case_for_user(user, criminal_case_id)
    if criminal_case is None:
        raise Http404
    return criminal_case


def _get_suspect(criminal_case, suspect_id):
    suspect = selectors.get_suspect(criminal_case, suspect_id)
    if suspect is None:
        raise Http404
    return suspect


@require_proceedings
def case_list(request):
    form = CriminalCaseFilterForm(request.GET or None, user=request.user)
    queryset = selectors.criminal_cases_visible_to(request.user)
    filters_active = bool(request.GET)
    if form.is_bound and form.is_valid():
        queryset = selectors.filter_criminal_cases(queryset, **form.filters())
    elif form.is_bound:
        queryset = queryset.none()
    page = Paginator(queryset.order_by("-detected_on", "-created_at"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "proceedings/case_list.html", {"form": form, "page": page, "filters_active": filters_active})


@require_proceedings
@require_http_methods(["GET", "POST"])
def case_new(request):
    agencies = selectors.investigating_agencies_for(request.user)
    form = CriminalCaseForm(request.POST or None, agencies=agencies, initial={"article": "150"}, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            criminal_case = services.create_criminal_case(actor=request.user, data=form.case_data())
        except ValidationError as error:
            service_errors(form, error)
        else:
            messages.success(request, _("Criminal case %(number)s recorded.") % {"number": criminal_case.number})
            return redirect("proceedings:case_detail", criminal_case.pk)
    return render(request, "proceedings/case_form.html", {"form": form, "criminal_case": None})


@require_proceedings
@require_http_methods(["GET", "POST"])
def case_edit(request, criminal_case_id):
    criminal_case = _get_case(request.user, criminal_case_id)
    agencies = selectors.investigating_agencies_for(request.user)
    initial = {
        "number": criminal_case.number,
        "article": criminal_case.article,
        "detected_on": criminal_case.detected_on,
        "prosecution_opened_on": criminal_case.prosecution_opened_on,
        "investigating_agency": criminal_case.investigating_agency_id,
        "unit": criminal_case.unit,
        "route": criminal_case.route,
        "destination_country": criminal_case.destination_country,
        "exploitation_forms": criminal_case.exploitation_forms,
    }
    form = CriminalCaseForm(request.POST or None, agencies=agencies, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            version = int(request.POST.get("version", ""))
        except ValueError:
            version = -1
        try:
            services.update_criminal_case(
                actor=request.user, criminal_case=criminal_case, version=version, data=form.case_data()
            )
        except services.StaleVersionError:
            form.add_error(
                None, _("Someone saved this criminal case after you opened it. Reload the page and try again.")
            )
        except ValidationError as error:
            service_errors(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("proceedings:case_detail", criminal_case.pk)
    return render(request, "proceedings/case_form.html", {"form": form, "criminal_case": criminal_case})


@require_proceedings
def case_detail(request, criminal_case_id):
    criminal_case = _get_case(request.user, criminal_case_id)
    return render(
        request,
        "proceedings/case_detail.html",
        {
            "criminal_case": criminal_case,
            "suspects": selectors.suspect_views(request.user, criminal_case),
            "victims": selectors.linked_victims(request.user, criminal_case),
            "can_edit": selectors.can_edit_criminal_case(request.user, criminal_case),
            "link_form": VictimLinkForm(),
            "exploitation_labels": [
                str(dict(Exploitation.choices).get(code, code)) for code in criminal_case.exploitation_forms or []
            ],
        },
    )


@require_proceedings
@require_http_methods(["GET", "POST"])
def suspect_new(request, criminal_case_id):
    criminal_case = _get_case(request.user, criminal_case_id)
    form = SuspectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_suspect(actor=request.user, criminal_case=criminal_case, data=form.suspect_data())
        except ValidationError as error:
            service_errors(form, error)
        else:
            messages.success(request, _("Suspect added."))
            return redirect("proceedings:case_detail", criminal_case.pk)
    return render(request, "proceedings/suspect_form.html", {"form": form, "criminal_case": criminal_case})


@require_proceedings
@require_http_methods(["GET", "POST"])
def suspect_edit(request, criminal_case_id, suspect_id):
    criminal_case = _get_case(request.user, criminal_case_id)
    suspect = _get_suspect(criminal_case, suspect_id)
    if not selectors.can_see_suspect_identity(request.user, criminal_case):
        raise Http404  # editing would show the identity
    initial = {name: getattr(suspect, name) for name in services.SUSPECT_FIELDS}
    initial["version"] = suspect.version
    form = SuspectForm(request.POST or None, initial=initial, editing=True)
    remove_form = RemoveSuspectForm()
    if request.method == "POST" and form.is_valid():
        try:
            services.update_suspect(
                actor=request.user,
                suspect=suspect,
                version=form.cleaned_data["version"],
                data=form.suspect_data(),
            )
        except services.StaleVersionError as stale:
            # Nothing was written; what was typed is kept, under the version now saved.
            data = request.POST.copy()
            data["version"] = str(stale.current_version)
            form = SuspectForm(data, initial=initial, editing=True)
            form.is_valid()
            form.add_error(
                None,
                _(
                    "Someone else changed this suspect while you were editing, so your changes were not saved. "
                    "Your input is kept below: check it against the current record, then save again."
                ),
            )
        except ValidationError as error:
            service_errors(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("proceedings:case_detail", criminal_case.pk)
    return render(
        request,
        "proceedings/suspect_form.html",
        {"form": form, "criminal_case": criminal_case, "suspect": suspect, "remove_form": remove_form},
    )


@require_proceedings
@require_POST
def suspect_remove(request, criminal_case_id, suspect_id):
    criminal_case = _get_case(request.user, criminal_case_id)
    suspect = _get_suspect(criminal_case, suspect_id)
    form = RemoveSuspectForm(request.POST)
    if form.is_valid():
        try:
            services.remove_suspect(actor=request.user, suspect=suspect, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Suspect removed."))
            return redirect("proceedings:case_detail", criminal_case.pk)
    else:
        messages.error(request, _("Give the reason for removing the suspect."))
    return redirect("proceedings:suspect_edit", criminal_case.pk, suspect.pk)


@require_proceedings
@require_POST
def victim_link(request, criminal_case_id):
    criminal_case = _get_case(request.user, criminal_case_id)
    form = VictimLinkForm(request.POST)
    if form.is_valid():
        case = selectors.linkable_case(request.user, form.cleaned_data["case_number"])
        try:
            services.link_victim(actor=request.user, criminal_case=criminal_case, case=case)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Victim case %(number)s linked.") % {"number": case.number})
    else:
        messages.error(request, _("Enter a victim case number."))
    return redirect("proceedings:case_detail", criminal_case.pk)


@require_proceedings
@require_POST
def victim_unlink(request, criminal_case_id, case_id):
    criminal_case = _get_case(request.user, criminal_case_id)
    case = next(
        (c for c in selectors.linked_victims(request.user, criminal_case).visible if str(c.pk) == str(case_id)), None
    )
    if case is None:
        raise Http404
    services.unlink_victim(actor=request.user, criminal_case=criminal_case, case=case)
    messages.success(request, _("Victim case %(number)s unlinked.") % {"number": case.number})
    return redirect("proceedings:case_detail", criminal_case.pk)
