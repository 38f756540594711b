"""The case list's filters, kept apart from the scoped reads in `selectors` (which only start the list):
the unit by the one territory rule (`places.territory`), the reception days, the status, the intake
channel and the beginning of the case number."""

from datetime import date

from django.db.models import QuerySet

from haidang.places.territory import Territory


def filter_cases(
    queryset: QuerySet,
    *,
    territory: Territory | None = None,
    received_from: date | None = None,
    received_to: date | None = None,
    status: str = "",
    intake_channel: str = "",
    number: str = "",
) -> QuerySet:
    if territory is not None:
        queryset = queryset.filter(territory.q("unit"))
    if received_from is not None:
        queryset = queryset.filter(reception_date__gte=received_from)
    if received_to is not None:
        queryset = queryset.filter(reception_date__lte=received_to)
    if status:
        queryset = queryset.filter(status=status)
    if intake_channel:
        queryset = queryset.filter(intake_channel=intake_channel)
    if number:
        queryset = queryset.filter(number__startswith=number.upper())
    return queryset
