"""Statistics pages: the public release page (no sign-in), releases for staff, and the dashboards.

The public pages read only published releases for the public audience and only the published view
of their tables. Dashboards read aggregates from the query service under the user's statistics
scope (out of scope answers 404) and never link to a record.
"""

import csv
import io
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from openpyxl import Workbook
from openpyxl.styles import Font

from haidang.common.replica import read_on_replica
from haidang.statistics import dashboards, selectors, services
from haidang.statistics.forms import DashboardForm, ReleaseForm, WithdrawForm
from haidang.statistics.models import Release, ReleaseStatus
from haidang.statistics.permissions import can_release, require_statistics

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _csv_response(rows: list[list], filename: str) -> HttpResponse:
    buffer = io.StringIO()
    # A byte-order mark so spreadsheet programs read the Vietnamese letters as UTF-8.
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(["" if value is None else value for value in row])
    response = HttpResponse(buffer.getvalue(), content_type=CSV_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def _xlsx_response(sheets: list[tuple[str, list[list]]], filename: str) -> HttpResponse:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets:
        sheet = workbook.create_sheet(title=title[:31] or "Sheet")
        for row in rows:
            sheet.append(["" if value is None else value for value in row])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.column_dimensions["A"].width = 32
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def _release_context(release: Release) -> dict:
    tables = [selectors.table_view(table) for table in release.tables.all()]
    return {
        "release": release,
        "tables": tables,
        "has_suppressed": any(t["has_suppressed"] for t in tables),
        "hidden": selectors.hidden_figures(tables),
    }


# --- Public ---------------------------------------------------------------------------------------


@require_GET
@login_not_required
def public_list(request):
    return render(request, "statistics/public_list.html", {"releases": selectors.public_releases()})


@require_GET
@login_not_required
def public_detail(request, release_id):
    release = selectors.get_public_release(release_id)
    if release is None:
        raise Http404
    return render(request, "statistics/public_detail.html", _release_context(release))


@require_GET
@login_not_required
def public_table_csv(request, release_id, position: int):
    release = selectors.get_public_release(release_id)
    table = release.tables.filter(position=position).first() if release is not None else None
    if table is None:
        raise Http404
    name = f"{slugify(release.title) or 'release'}-v{release.version}-{position + 1}"
    return _csv_response(selectors.table_csv_rows(table), name)


# --- Releases for staff -----------------------------------------------------------------------------


def _get_release(user, release_id) -> Release:
    release = selectors.get_release_for_user(user, release_id)
    if release is None:
        raise Http404
    return release


@require_statistics
@require_GET
def release_list(request):
    releases = selectors.releases_visible_to(request.user)[:200]
    return render(request, "statistics/release_list.html", {"releases": releases})


@require_statistics
@require_http_methods(["GET", "POST"])
def release_new(request):
    form = ReleaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            spec = services.check_spec(**form.spec_kwargs())
            release = services.create_release(actor=request.user, spec=spec)
        except ValidationError as error:
            for field, field_messages in error.message_dict.items():
                form.add_error(field if field in form.fields else None, field_messages)
        except PermissionDenied:
            form.add_error("unit", _("You do not have statistics rights over the whole of this area."))
        else:
            messages.success(request, _("Draft built: %(title)s.") % {"title": release.title})
            return redirect("statistics:release_detail", release_id=release.pk)
    return render(request, "statistics/release_form.html", {"form": form})


@require_statistics
@require_GET
def release_detail(request, release_id):
    release = _get_release(request.user, release_id)
    context = _release_context(release)
    context.update(
        {
            "may_release": can_release(request.user, release.unit),
            "is_author": release.created_by_id == request.user.pk,
            "versions": selectors.other_versions(release),
            "withdraw_form": WithdrawForm(),
        }
    )
    return render(request, "statistics/release_detail.html", context)


@require_statistics
@require_GET
def release_publish_confirm(request, release_id):
    """The question before publishing: what goes out, to whom, and how much of it is hidden.

    A page, not a script dialog, so it is asked with or without JavaScript; the publish step
    itself refuses a request that has not been through it.
    """
    release = _get_release(request.user, release_id)
    if release.status != ReleaseStatus.APPROVED or not can_release(request.user, release.unit):
        return redirect("statistics:release_detail", release_id=release.pk)
    return render(request, "statistics/release_publish_confirm.html", _release_context(release))


STEPS = {
    "approve": ReleaseStatus.APPROVED,
    "publish": ReleaseStatus.PUBLISHED,
    "withdraw": ReleaseStatus.WITHDRAWN,
}


@require_statistics
@require_POST
def release_step(request, release_id, step: str):
    release = _get_release(request.user, release_id)
    if step == "new-version":
        try:
            created = services.new_version(actor=request.user, release=release)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("statistics:release_detail", release_id=release.pk)
        except PermissionDenied:
            raise Http404 from None
        messages.success(request, _("Version %(version)s built as a draft.") % {"version": created.version})
        return redirect("statistics:release_detail", release_id=created.pk)
    target = STEPS.get(step)
    if target is None:
        raise Http404
    if target == ReleaseStatus.PUBLISHED and request.POST.get("confirmed") != "yes":
        return redirect("statistics:release_publish_confirm", release_id=release.pk)
    reason = ""
    if target == ReleaseStatus.WITHDRAWN:
        form = WithdrawForm(request.POST)
        reason = form.data.get("reason", "")
    try:
        services.transition_release(actor=request.user, release=release, to=target, reason=reason)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Release is now: %(status)s.") % {"status": ReleaseStatus(target).label})
    return redirect("statistics:release_detail", release_id=release.pk)


# --- Dashboards -------------------------------------------------------------------------------------


@require_statistics
@require_GET
def dashboard(request):
    form = DashboardForm(request.GET if "indicator" in request.GET else None, user=request.user)
    if not form.is_valid():
        return render(request, "statistics/dashboard.html", {"form": form, "board": None})
    try:
        # Figures are read from the replica when one is configured and fresh (haidang.common.replica).
        board = read_on_replica(dashboards.build, request.user, **form.choices())
    except dashboards.OutOfAreaError:
        raise Http404 from None
    export = request.GET.get("export", "")
    if export in ("csv", "xlsx"):
        sheets = dashboards.export_sheets(board)
        name = f"{board['indicator'].code}-{board['period'].identifier}-{board['unit_code']}"
        if export == "csv":
            return _csv_response(sheets[0][1], name)
        return _xlsx_response(sheets, name)
    query = urlencode([(name, value) for name, value in request.GET.items() if name != "export"])
    return render(request, "statistics/dashboard.html", {"form": form, "board": board, "query": query})
