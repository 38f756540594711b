"""Scoped reads of releases, and the published view of a table (the only view that leaves).

`public_releases` is what anyone may see: published releases for the public audience.
Staff see the releases of their statistics area (drafts included) and every published one.
Out of scope answers exactly like missing (None → 404).
"""

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from haidang.access.roles import Capability
from haidang.access.scope import scope_for
from haidang.statistics.disclosure import TOTAL
from haidang.statistics.models import Audience, Release, ReleaseStatus, ReleaseTable

SUPPRESSED = "—"


def public_releases() -> QuerySet[Release]:
    return (
        Release.objects.filter(status=ReleaseStatus.PUBLISHED, audience=Audience.PUBLIC)
        .select_related("unit", "approved_by")
        .order_by("-published_at")
    )


def get_public_release(release_id) -> Release | None:
    try:
        return public_releases().filter(pk=release_id).first()
    except ValidationError:  # not a UUID
        return None


def releases_visible_to(user) -> QuerySet[Release]:
    """Releases over the user's statistics (or release) area, and every published release."""
    scope = scope_for(user)
    if not (scope.can(Capability.VIEW_STATISTICS) or scope.can(Capability.RELEASE_STATISTICS)):
        return Release.objects.none()
    condition = Q(status=ReleaseStatus.PUBLISHED)
    for capability in (Capability.VIEW_STATISTICS, Capability.RELEASE_STATISTICS):
        area = scope.unit_q(capability)
        if area is not None:
            condition |= area
    return (
        Release.objects.filter(condition)
        .select_related("unit", "created_by", "approved_by", "published_by")
        .order_by("-created_at")
    )


def get_release_for_user(user, release_id) -> Release | None:
    try:
        return releases_visible_to(user).filter(pk=release_id).first()
    except ValidationError:
        return None


def other_versions(release: Release) -> QuerySet[Release]:
    return Release.objects.filter(series=release.series).exclude(pk=release.pk).order_by("-version")


def table_view(table: ReleaseTable) -> dict:
    """Rows × columns of what may be published: figures, shares, and "—" for a hidden cell.

    Reads `cells` only, never `internal`: nothing here can carry a true count of a hidden cell.
    """
    layout = table.cells
    columns = layout.get("columns", [])
    rows = []
    for row in layout.get("rows", []):
        cells = []
        for column in columns:
            cell = layout.get("cells", {}).get(f"{row['code']}|{column['code']}") or {"value": None, "share": None}
            cells.append(
                {
                    "value": cell["value"],
                    "share": cell.get("share"),
                    "suppressed": cell["value"] is None,
                    "text": SUPPRESSED if cell["value"] is None else str(cell["value"]),
                    "is_total": column["code"] == TOTAL,
                }
            )
        rows.append({"code": row["code"], "label": row["label"], "is_total": row.get("total", False), "cells": cells})
    return {
        "id": table.pk,
        "title": table.title,
        "indicator": table.indicator,
        "breakdown": table.breakdown,
        "protected": table.protected,
        "columns": columns,
        "rows": rows,
        "has_suppressed": any(cell["suppressed"] for row in rows for cell in row["cells"]),
    }


def hidden_figures(tables: list[dict]) -> dict:
    """How many figures of a release's tables (views from `table_view`) are hidden, out of how many,
    and whether that is most of them (more than half): a release that shows mostly dashes tells
    readers little, and the person publishing it is warned."""
    cells = [cell for table in tables for row in table["rows"] for cell in row["cells"]]
    hidden = sum(1 for cell in cells if cell["suppressed"])
    return {"hidden": hidden, "total": len(cells), "most": 2 * hidden > len(cells)}


def table_csv_rows(table: ReleaseTable) -> list[list[str]]:
    view = table_view(table)
    header = [""] + [column["label"] for column in view["columns"]]
    body = [[row["label"]] + [cell["text"] for cell in row["cells"]] for row in view["rows"]]
    return [header, *body]
