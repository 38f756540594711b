"""Pages for prevention work: record activities (quick and full), list and total them, summarise
them for the province, campaigns, and prevention and reintegration models.

Records come from the selectors (scope in one place; out of scope is a 404), writes go through
the services, and a service's ValidationError is put back on the field it names.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from haidang.access.models import Agency
from haidang.access.roles import Capability
from haidang.access.scope import scope_for
from haidang.places.models import UnitLevel
from haidang.prevention import selectors, services
from haidang.prevention.forms import (
    GROUP_BY_CHOICES,
    ActivityFilterForm,
    ActivityForm,
    AttachmentForm,
    CampaignForm,
    PreventionModelForm,
    QuickActivityForm,
    SummaryForm,
    initial_from_activity,
    initial_from_activity_data,
)
from haidang.prevention.models import Activity, JointTopic, MaterialKind, TargetGroup
from haidang.prevention.permissions import require_prevention, require_summaries

PAGE_SIZE = 50
CAMPAIGN_RECENT = 20
# The list filter each summary grouping links to.
SUMMARY_LINKS = {"unit": "unit", "agency": "agency", "campaign": "campaign", "type": "activity_type"}


# --- Helpers ------------------------------------------------------------------------------------


def _apply_errors(form, error: ValidationError) -> None:
    """Put a service's {field: [message]} errors on the form's fields (by the form's own name)."""
    aliases = getattr(form, "error_aliases", {})
    if hasattr(error, "error_dict"):
        for field, field_messages in error.message_dict.items():
            name = aliases.get(field, field)
            form.add_error(name if name in form.fields else None, field_messages)
    else:
        form.add_error(None, error.messages)


def _filter_agencies(activities):
    """Agencies to filter by: those that organised or co-organised an activity the user can see."""
    ids = activities.order_by().values("pk")
    co_organising = Activity.co_organisers.through.objects.filter(activity_id__in=ids).values("agency_id")
    return Agency.objects.filter(Q(pk__in=activities.order_by().values("organiser_id")) | Q(pk__in=co_organising))


def _labels(codes, choices) -> list[str]:
    names = dict(choices)
    return [str(names.get(code, code)) for code in codes or []]


def _materials_distributed(totals: dict) -> int:
    return sum((bucket.get("distributed") or 0) for bucket in (totals.get("materials") or {}).values())


def _with_material_sums(row: dict) -> dict:
    row["materials_distributed"] = _materials_distributed(row)
    row["materials_produced"] = sum((b.get("produced") or 0) for b in (row.get("materials") or {}).values())
    return row


def _material_lines(totals: dict) -> list[dict]:
    """The kinds of material with any count, labelled, for a totals box."""
    labels = dict(MaterialKind.choices)
    lines = []
    for kind, bucket in (totals.get("materials") or {}).items():
        if bucket.get("produced") or bucket.get("distributed"):
            lines.append({"label": labels.get(kind, kind), **bucket})
    return lines


def _default_summary_level(user) -> int:
    # A national user starts from the provinces; everyone else from the communes of their area.
    scope = scope_for(user)
    paths = scope.paths_for(Capability.MANAGE_PREVENTION) + scope.paths_for(Capability.VIEW_STATISTICS)
    depths = [len(path.strip("/").split("/")) - 1 for path in paths]
    return UnitLevel.PROVINCE if depths and min(depths) == UnitLevel.NATION else UnitLevel.COMMUNE


def _entry_initial(user) -> dict:
    defaults = selectors.entry_defaults(user)
    initial = {}
    if defaults.get("unit") is not None:
        initial["unit"] = defaults["unit"]
    if defaults.get("organiser") is not None:
        initial["organiser"] = defaults["organiser"].pk
    if defaults.get("campaign") is not None:
        initial["campaign"] = defaults["campaign"].pk
    return initial


def _entry_kwargs(user) -> dict:
    return {
        "agencies": selectors.agencies_for_entry(user),
        "campaigns": selectors.campaigns_visible_to(user),
        "user": user,
    }


def _get_activity(user, activity_id) -> Activity:
    activity = selectors.get_activity_for_user(user, activity_id)
    if activity is None:
        raise Http404
    return activity


# --- Activities -----------------------------------------------------------------------------------


@require_prevention
@require_GET
def activity_list(request):
    user = request.user
    base = selectors.activities_visible_to(user)
    form = ActivityFilterForm(
        request.GET,
        campaigns=selectors.campaigns_visible_to(user),
        agencies=_filter_agencies(base),
        user=user,
    )
    # Invalid filters show their errors and no rows, never totals for a filter nobody asked for.
    activities = selectors.filter_activities(base, **form.filters()) if form.is_valid() else base.none()
    page = Paginator(activities, PAGE_SIZE).get_page(request.GET.get("page"))
    totals = selectors.activity_totals(activities)
    totals["materials_distributed"] = _materials_distributed(totals)
    return render(
        request,
        "prevention/activity_list.html",
        {
            "form": form,
            "filters_active": any(request.GET.get(name) for name in form.fields),
            "page": page,
            "totals": totals,
            "material_lines": _material_lines(totals),
        },
    )


@require_prevention
@require_http_methods(["GET", "POST"])
def activity_quick(request):
    user = request.user
    initial = _entry_initial(user)
    last = None
    saved = request.GET.get("saved")
    if saved:
        last = selectors.get_activity_for_user(user, saved)
        if last is not None:
            # The next entry of a batch is usually the same day, place, organiser and campaign.
            initial.update(
                {
                    "date": last.start_date,
                    "unit": last.unit,
                    "organiser": last.organiser_id,
                    "campaign": last.campaign_id,
                }
            )
    initial.setdefault("date", timezone.localdate())
    form = QuickActivityForm(request.POST or None, initial=initial, **_entry_kwargs(user))
    if request.method == "POST" and form.is_valid():
        try:
            activity = services.create_activity(actor=user, data=form.activity_data())
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Activity saved: %(title)s.") % {"title": activity.title})
            return redirect(f"{reverse('prevention:activity_quick')}?saved={activity.pk}")
    return render(
        request,
        "prevention/activity_quick.html",
        {"form": form, "last": last},
    )


@require_prevention
@require_http_methods(["GET", "POST"])
def activity_new(request):
    user = request.user
    source = None
    copy_id = request.GET.get("copy")
    if copy_id:
        source = _get_activity(user, copy_id)
        initial = initial_from_activity_data(services.copy_activity_data(source))
    else:
        initial = _entry_initial(user)
    form = ActivityForm(request.POST or None, initial=initial, **_entry_kwargs(user))
    if request.method == "POST" and form.is_valid():
        try:
            activity = services.create_activity(actor=user, data=form.activity_data())
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Activity saved. You can add photos and documents below."))
            return redirect("prevention:activity_detail", activity_id=activity.pk)
    return render(
        request,
        "prevention/activity_form.html",
        {"form": form, "source": source, "creating": True},
    )


@require_prevention
@require_http_methods(["GET", "POST"])
def activity_edit(request, activity_id):
    user = request.user
    activity = _get_activity(user, activity_id)
    if not selectors.can_edit_activity(user, activity):
        raise PermissionDenied
    form = ActivityForm(
        request.POST or None, initial=initial_from_activity(activity), editing=True, **_entry_kwargs(user)
    )
    stale = False
    if request.method == "POST" and form.is_valid():
        try:
            services.update_activity(
                actor=user, activity=activity, version=form.cleaned_data["version"], data=form.activity_data()
            )
        except services.StaleVersionError:
            # Nothing was written; the form keeps what the user typed so it is not lost.
            stale = True
            form.add_error(
                None,
                _(
                    "Someone else changed this activity while you were editing it, so your changes were not "
                    "saved. Your input is kept below: reload the activity to see the current version, then "
                    "make your changes again."
                ),
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Activity saved."))
            return redirect("prevention:activity_detail", activity_id=activity.pk)
    return render(
        request,
        "prevention/activity_form.html",
        {
            "form": form,
            "activity": activity,
            "creating": False,
            "stale": stale,
        },
    )


@require_prevention
@require_http_methods(["GET", "POST"])
def activity_detail(request, activity_id):
    user = request.user
    activity = _get_activity(user, activity_id)
    can_edit = selectors.can_edit_activity(user, activity)
    upload_form = AttachmentForm()
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        upload_form = AttachmentForm(request.POST, request.FILES)
        if upload_form.is_valid():
            try:
                services.add_attachment(actor=user, activity=activity, uploaded_file=upload_form.cleaned_data["file"])
            except ValidationError as error:
                _apply_errors(upload_form, error)
            else:
                messages.success(request, _("File added."))
                return redirect("prevention:activity_detail", activity_id=activity.pk)
    materials = [m for m in activity.materials.all() if m.produced is not None or m.distributed is not None]
    return render(
        request,
        "prevention/activity_detail.html",
        {
            "activity": activity,
            "can_edit": can_edit,
            "upload_form": upload_form,
            "attachments": list(activity.attachments.all()),
            "materials": materials,
            "target_groups": _labels(activity.target_groups, TargetGroup.choices),
            "joint_topics": _labels(activity.joint_topics, JointTopic.choices),
            "co_organisers": list(activity.co_organisers.all()),
        },
    )


@require_prevention
@require_GET
def attachment_download(request, activity_id, attachment_id):
    activity = _get_activity(request.user, activity_id)
    attachment = activity.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    # Always a download: the browser never renders an uploaded file inside the application.
    return FileResponse(
        handle, as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type
    )


# --- Summaries ------------------------------------------------------------------------------------


@require_summaries
@require_GET
def summary(request):
    user = request.user
    base = selectors.activities_for_statistics(user)
    # The choices in effect are shown as chosen, defaults included.
    data = request.GET.copy()
    if not data.get("group_by"):
        data["group_by"] = "unit"
    if not data.get("level"):
        data["level"] = str(_default_summary_level(user))
    form = SummaryForm(
        data,
        campaigns=selectors.campaigns_visible_to(user),
        agencies=_filter_agencies(base),
        user=user,
    )
    rows, totals, group_by, level = [], None, "unit", _default_summary_level(user)
    if form.is_valid():
        group_by = form.cleaned_data.get("group_by") or "unit"
        level = form.cleaned_data.get("level") or level
        activities = selectors.filter_activities(base, **form.filters())
        rows = [_with_material_sums(row) for row in selectors.summarise_activities(activities, group_by, level=level)]
        totals = _with_material_sums(selectors.activity_totals(activities))
    # Each row links to the list of its activities (for those who may open the list), same filters kept.
    can_manage = scope_for(user).can(Capability.MANAGE_PREVENTION)
    link_param = SUMMARY_LINKS.get(group_by) if can_manage else None
    query = request.GET.copy()
    for name in ("group_by", "level", "page", link_param):
        query.pop(name, None)
    filter_names = [name for name in form.fields if name not in ("group_by", "level")]
    return render(
        request,
        "prevention/summary.html",
        {
            "form": form,
            "filter_fields": [form[name] for name in filter_names],
            "filters_active": any(request.GET.get(name) for name in filter_names),
            "rows": rows,
            "totals": totals,
            "group_by": group_by,
            "group_label": dict(GROUP_BY_CHOICES).get(group_by, ""),
            "level": level,
            "link_param": link_param,
            "extra_query": query.urlencode(),
            "clear_url": f"{reverse('prevention:summary')}?group_by={group_by}&level={level}",
        },
    )


# --- Campaigns ------------------------------------------------------------------------------------


@require_prevention
@require_GET
def campaign_list(request):
    campaigns = selectors.campaigns_visible_to(request.user)
    page = Paginator(campaigns, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "prevention/campaign_list.html", {"page": page})


@require_prevention
@require_http_methods(["GET", "POST"])
def campaign_new(request):
    user = request.user
    initial = {}
    organiser = selectors.entry_defaults(user).get("organiser")
    if organiser is not None:
        initial["issuing_agency"] = organiser.pk
    form = CampaignForm(request.POST or None, initial=initial, agencies=selectors.agencies_for_entry(user))
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.create_campaign(actor=user, data=form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Campaign saved."))
            return redirect("prevention:campaign_detail", campaign_id=campaign.pk)
    return render(request, "prevention/campaign_form.html", {"form": form})


@require_prevention
@require_GET
def campaign_detail(request, campaign_id):
    user = request.user
    campaign = selectors.get_campaign_for_user(user, campaign_id)
    if campaign is None:
        raise Http404
    activities = selectors.filter_activities(selectors.activities_visible_to(user), campaign=campaign)
    # A province's campaign is read commune by commune; a national one province by province.
    level = UnitLevel.COMMUNE if campaign.issuing_unit.level >= UnitLevel.PROVINCE else UnitLevel.PROVINCE
    if request.GET.get("level") in (str(UnitLevel.PROVINCE), str(UnitLevel.COMMUNE)):
        level = int(request.GET["level"])
    totals = _with_material_sums(selectors.activity_totals(activities))
    by_unit = [_with_material_sums(row) for row in selectors.summarise_activities(activities, "unit", level=level)]
    by_agency = [_with_material_sums(row) for row in selectors.summarise_activities(activities, "agency")]
    return render(
        request,
        "prevention/campaign_detail.html",
        {
            "campaign": campaign,
            "totals": totals,
            "by_unit": by_unit,
            "by_agency": by_agency,
            "level": level,
            "campaign_query": f"campaign={campaign.pk}",
            "material_lines": _material_lines(totals),
            "recent": list(activities[:CAMPAIGN_RECENT]),
            "target_units": list(campaign.target_units.order_by("level", "sort_key")),
        },
    )


# --- Prevention and reintegration models ----------------------------------------------------------


@require_prevention
@require_GET
def model_list(request):
    models = selectors.prevention_models_visible_to(request.user)
    page = Paginator(models, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "prevention/model_list.html", {"page": page})


@require_prevention
@require_http_methods(["GET", "POST"])
def model_new(request):
    user = request.user
    defaults = selectors.entry_defaults(user)
    initial = {"start_date": timezone.localdate()}
    if defaults.get("unit") is not None:
        initial["unit"] = defaults["unit"]
    if defaults.get("organiser") is not None:
        initial["agency"] = defaults["organiser"].pk
    form = PreventionModelForm(
        request.POST or None, initial=initial, agencies=selectors.agencies_for_entry(user), user=user
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.create_prevention_model(actor=user, data=form.model_data())
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Model saved."))
            return redirect("prevention:model_list")
    return render(request, "prevention/model_form.html", {"form": form})
