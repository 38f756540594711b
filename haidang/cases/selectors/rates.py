"""Provincial rate tables: the ones a user may manage, and the rate valid for an item on a day."""

from datetime import date

from django.db.models import Q

from haidang.access.roles import Capability
from haidang.access.scope import scope_for
from haidang.cases.models import RateTable


def rates_visible_to(user):
    return scope_for(user).filter(
        RateTable.objects.select_related("province"), Capability.MANAGE_RATES, unit_field="province"
    )


def rate_for(province, regime: str, item: str, day: date) -> RateTable | None:
    return (
        RateTable.objects.filter(province=province, regime=regime, item=item, valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .order_by("-valid_from")
        .first()
    )
