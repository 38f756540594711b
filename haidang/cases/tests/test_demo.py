"""The demonstration cases: made once, through the services, in both provinces, one overdue."""

import pytest

from haidang.cases import selectors
from haidang.cases.demo import seed_cases_demo
from haidang.cases.models import Case

pytestmark = pytest.mark.django_db


def test_demo_cases_are_made_once_and_show_in_the_worklists(demo_users):
    assert seed_cases_demo() == 7
    assert seed_cases_demo() == 0
    assert Case.objects.filter(province__code="01").count() == 5
    assert Case.objects.filter(province__code="31").count() == 2
    items = selectors.worklist(demo_users["caseworker.hanoi"])
    assert items and items[0].overdue
    assert all("(minh họa)" in case.person.full_name for case in Case.objects.select_related("person"))
