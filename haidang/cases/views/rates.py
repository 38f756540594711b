"""The provincial rate tables for support."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from haidang.access.roles import Capability
from haidang.access.scope import scope_for
from haidang.cases import selectors, support
from haidang.cases.forms import RATE_UNIT_LABELS, RateFilterForm, RateForm
from haidang.cases.models import RateTable
from haidang.cases.views._common import _amount, _apply_errors, _regime_choices, _regime_name
from haidang.places.models import AdministrativeUnit, UnitLevel

RATES_PAGE_SIZE = 100


def _rate_provinces(user):
    """Provinces of today's map whose rate tables the user may edit."""
    condition = Q()
    paths = scope_for(user).paths_for(Capability.MANAGE_RATES)
    for path in paths:
        condition |= Q(placement_path__startswith=path)
    if not paths:
        return AdministrativeUnit.objects.none()
    return AdministrativeUnit.objects.filter(condition, level=UnitLevel.PROVINCE, valid_to__isnull=True).order_by(
        "sort_key"
    )


def _rates_for(user):
    """Rate tables the user may edit, and those of the provinces where the user works on cases."""
    scope = scope_for(user)
    province_paths = set()
    for path in scope.paths_for(Capability.VIEW_CASES):
        parts = [part for part in path.split("/") if part]
        if len(parts) >= 2:
            province_paths.add("/" + "/".join(parts[:2]) + "/")
    editable = selectors.rates_visible_to(user).values("pk")
    widen = Q(pk__in=editable) | Q(province__path__in=province_paths)
    return scope.filter(
        RateTable.objects.select_related("province"), Capability.VIEW_CASES, unit_field="province", widen=widen
    ).order_by("province__sort_key", "regime", "item", "-valid_from")


@require_http_methods(["GET", "POST"])
def rates(request):
    user = request.user
    scope = scope_for(user)
    if not (scope.can(Capability.VIEW_CASES) or scope.can(Capability.MANAGE_RATES)):
        raise PermissionDenied
    may_edit = scope.can(Capability.MANAGE_RATES)
    regimes = _regime_choices()
    form = None
    status = 200
    if may_edit:
        provinces = _rate_provinces(user)
        initial = {"valid_from": timezone.localdate(), "province": provinces.first()}
        form = RateForm(request.POST or None, provinces=provinces, regimes=regimes, initial=initial)
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                rate = support.create_rate(actor=user, data=form.cleaned_data)
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Rate recorded: %(item)s, %(amount)s VND, %(province)s.")
                    % {"item": rate.item, "amount": _amount(rate.amount), "province": rate.province.name},
                )
                return redirect("cases:rates")
        status = 400
    filters = RateFilterForm(request.GET or None, regimes=regimes)
    listed = _rates_for(user)
    if filters.is_valid():
        if filters.cleaned_data["province"]:
            listed = listed.filter(province=filters.cleaned_data["province"])
        if filters.cleaned_data["regime"]:
            listed = listed.filter(regime=filters.cleaned_data["regime"])
    page = Paginator(listed, RATES_PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = [
        {
            "province": rate.province.name,
            "regime": _regime_name(rate.regime),
            "item": rate.item,
            "per": str(RATE_UNIT_LABELS.get(rate.unit_label, rate.unit_label)),
            "amount": _amount(rate.amount),
            "max_units": rate.max_units,
            "valid_from": rate.valid_from,
            "valid_to": rate.valid_to,
            "in_force": rate.valid_from <= today and (rate.valid_to is None or rate.valid_to >= today),
            "legal_basis": rate.legal_basis,
        }
        for rate in page
    ]
    context = {"form": form, "filters": filters, "page": page, "rows": rows, "may_edit": may_edit}
    return render(request, "cases/rates.html", context, status=status)
