"""Case lists read a page at a time as plain values (no model objects), masked per reader."""

from collections.abc import Sequence

from django.db.models import (
    BooleanField,
    ExpressionWrapper,
    Q,
    QuerySet,
)

from haidang.access.roles import Capability
from haidang.access.scope import scope_for
from haidang.cases.models import (
    Case,
)
from haidang.cases.selectors.visibility import MASK, SEALED_PERSON_FIELDS, mask
from haidang.common.isotext import DayText, TimeText
from haidang.common.queries import PageFirst, values_rows

CASE_LIST_COLUMNS = (
    "id",
    "number",
    "version",
    "status",
    "legal_regime",
    "intake_channel",
    "found_abroad",
    "found_country",
    "return_border_gate",
    "exploitation_forms",
    "destination_country",
    "route",
    "recruitment_method",
    "criminal_proceeding_number",
    "assigned_to_id",
    "assigned_to__username",
    "unit__code",
    "unit__name",
    "unit__level",
    "unit__path",
    "unit__placement_path",
    "agency__id",
    "agency__name",
    "person__id",
    "person__sex",
    "person__birth_year",
    "person__nationality_class",
)
# Days and times as the text the API writes (`common.isotext`), read as such: no value made and written back.
CASE_LIST_TEXTS = {
    "reception_date_text": DayText("reception_date"),
    "returned_on_text": DayText("returned_on"),
    "notified_at_text": TimeText("notified_at"),
    "created_at_text": TimeText("created_at"),
    "updated_at_text": TimeText("updated_at"),
}


def case_list(user, queryset: QuerySet[Case], *, key=None) -> PageFirst:
    """The cases of `queryset` (scoped and ordered), read a page at a time as dicts of values.

    The page is chosen on the case table alone, then its rows are read with their unit, agency,
    assignee and person and no model objects, days and times as the API's text (`CASE_LIST_TEXTS`).
    Sealed person fields are read only for a reader whose role shows identities somewhere (each row
    still decides with `shows_identity`). With a
    `key` naming what `queryset` is made of, the statements are kept compiled (`common.queries.statement`);
    the rows' statement is named by the page's ids and the columns read.
    """
    sees_identities = scope_for(user).can(Capability.VIEW_IDENTITY)
    if sees_identities:
        columns = (*CASE_LIST_COLUMNS, *(f"person__{name}" for name in SEALED_PERSON_FIELDS))
        annotations = dict(CASE_LIST_TEXTS)
    else:
        columns = CASE_LIST_COLUMNS
        annotations = {
            **CASE_LIST_TEXTS,
            **{
                f"person_has_{name}": ExpressionWrapper(~Q(**{f"person__{name}": ""}), output_field=BooleanField())
                for name in SEALED_PERSON_FIELDS
            },
        }

    def rows(keys) -> dict:
        found = values_rows(
            Case,
            lambda: Case.objects.filter(pk__in=keys).annotate(**annotations),
            (*columns, *annotations),
            None if key is None else ("case-list-rows", tuple(keys), sees_identities),
            named=True,
        )
        return {row["id"]: row for row in found}

    return PageFirst(queryset, rows, key=key)


def case_rows(queryset: QuerySet[Case], fields: Sequence[str], *, count: int | None = None, key=None) -> PageFirst:
    """The cases of `queryset` a page at a time as tuples of `fields` (the first one "id"), the page
    picked on the case table before any join (see `common.queries.PageFirst`). With a `key` naming what
    `queryset` is made of, the statements are kept compiled (`common.queries.statement`); the rows'
    statement is named by the page's ids themselves."""

    def rows(keys) -> dict:
        found = values_rows(
            Case,
            lambda: Case.objects.filter(pk__in=keys),
            fields,
            key=None if key is None else ("case-rows", tuple(keys)),
        )
        return {row[0]: row for row in found}

    return PageFirst(queryset, rows, count=count, key=key)


def person_values_view(row: dict, *, show_identity: bool) -> dict:
    """`person_view` as a dict, from a `case_list` row."""
    if show_identity:
        reveal = {name: row[f"person__{name}"] for name in SEALED_PERSON_FIELDS}
    elif f"person_has_{SEALED_PERSON_FIELDS[0]}" in row:
        reveal = {name: MASK if row[f"person_has_{name}"] else "" for name in SEALED_PERSON_FIELDS}
    else:
        reveal = {name: mask(row[f"person__{name}"]) for name in SEALED_PERSON_FIELDS}
    return {
        "id": str(row["person__id"]),
        **reveal,
        "sex": row["person__sex"],
        "birth_year": row["person__birth_year"],
        "nationality_class": row["person__nationality_class"],
        "identities_shown": show_identity,
    }
