"""Pages: the unit browser (search, level, date), a unit's page with its crosswalk, and the suggestions the
place pickers ask for as someone types."""

from datetime import date

from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from haidang.common.dates import DayError, format_day, parse_day
from haidang.places import resolver, selectors
from haidang.places.forms import UnitDateForm, UnitFilterForm
from haidang.places.models import AdministrativeUnit, UnitLevel

PAGE_SIZE = 100
OTHER_DATES_LIMIT = 20
SUGGESTIONS = 10


def _page(request: HttpRequest, queryset) -> tuple[Page, str]:
    """One page of `queryset` and the link prefix for other pages (the filters kept, page dropped)."""
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    query = params.urlencode()
    return page, f"?{query}&page=" if query else "?page="


def _link_days(units: list[AdministrativeUnit], day: date) -> list[AdministrativeUnit]:
    # A unit's link opens it on a day it was valid: the day shown if it fits, else its last (or first) day.
    for unit in units:
        unit.link_day = day if unit.is_valid_on(day) else (unit.valid_to or unit.valid_from or day)
    return units


def browse(request: HttpRequest) -> HttpResponse:
    form = UnitFilterForm(request.GET)
    form.is_valid()  # a bad field is left out (and its error shown); the others still apply
    data = form.cleaned_data
    today = timezone.localdate()
    day = data.get("as_of") or today
    q = (data.get("q") or "").strip()
    level = data.get("level")
    other_dates: list[AdministrativeUnit] = []
    if q:
        queryset = selectors.search_units(q, as_of=day, level=level)
        heading = _("Units matching “%(q)s”") % {"q": q}
        # The same search on the other map, so "Huyện Thạch Thất" is found after 30/06/2025 too.
        other = selectors.search_units(q, level=level).exclude(selectors.valid_on_q(day))
        other_dates = _link_days(list(selectors.with_successions(other)[:OTHER_DATES_LIMIT]), day)
    elif level is not None:
        queryset = selectors.units_valid_on(day, level=level)
        heading = str(UnitLevel(level).label)
    else:
        queryset = selectors.units_valid_on(day, level=UnitLevel.PROVINCE)
        heading = _("Provinces")
    page, page_prefix = _page(request, selectors.with_successions(queryset))
    return render(
        request,
        "places/browse.html",
        {
            "form": form,
            "day": day,
            "is_today": day == today,
            "q": q,
            "heading": heading,
            "page": page,
            "units": _link_days(list(page.object_list), day),
            "page_prefix": page_prefix,
            "other_dates": other_dates,
        },
    )


def detail(request: HttpRequest, code: str) -> HttpResponse:
    form = UnitDateForm(request.GET)
    form.is_valid()
    day = form.cleaned_data.get("as_of") or timezone.localdate()
    try:
        unit = selectors.resolve_unit(code, day)
    except selectors.UnitLookupError as exc:
        return render(
            request,
            "places/unit_missing.html",
            {
                "form": form,
                "day": day,
                "code": code,
                "message": exc.message,
                "units": _link_days(selectors.units_with_code(code, with_links=True), day),
                "successors": getattr(exc, "successors", []),
            },
            status=404,
        )
    page, page_prefix = _page(request, selectors.with_successions(selectors.units_valid_on(day, parent=unit)))
    successors = selectors.successors(unit)
    return render(
        request,
        "places/detail.html",
        {
            "form": form,
            "day": day,
            "unit": unit,
            "ancestors": selectors.ancestors(unit),
            "successors": successors,
            "successors_since": min((s.effective_on for s in successors), default=None),
            "predecessors": selectors.predecessors(unit),
            "current": selectors.current_unit_for(unit),
            "same_code": _link_days([u for u in selectors.units_with_code(unit.code) if u.pk != unit.pk], day),
            "page": page,
            "units": _link_days(list(page.object_list), day),
            "page_prefix": page_prefix,
        },
    )


def _suggest_day(text: str) -> date:
    # The record's date as typed so far in its own field; until it is a real day, today's map.
    try:
        return parse_day(text) if text.strip() else timezone.localdate()
    except DayError:
        return timezone.localdate()


def suggest(request: HttpRequest) -> JsonResponse:
    """Units for a picker: `q` (name or code), `as_of` (the record's date, any typed form), `levels`."""
    q = (request.GET.get("q") or "")[: selectors.MAX_QUERY_LENGTH]
    day = _suggest_day(request.GET.get("as_of") or "")
    levels = [int(part) for part in (request.GET.get("levels") or "").split(",") if part.strip().isdigit()]
    matches = resolver.suggest(q, day=day, levels=levels or None, prefer=resolver.home_paths(request.user))
    items = [
        {
            "code": item.code,
            "name": item.name,
            "label": item.label,
            "note": item.note,
            "level": item.level,
            "old": item.valid_to is not None,
        }
        for item in resolver.describe(matches[:SUGGESTIONS])
    ]
    return JsonResponse({"as_of": format_day(day), "items": items})
