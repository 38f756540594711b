"""The API fuzz run: the whole demonstration (cases, reports, proceedings, releases) loaded once, and a
bearer token for every demonstration user, i.e. for every role."""

import pytest
from django.core.management import call_command


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    # The root conftest has loaded the map and the demonstration users; the rest of `make run`'s data
    # gives the fuzzer real records to read, list and change.
    with django_db_blocker.unblock():
        call_command("seed_demo", verbosity=0)


@pytest.fixture(scope="session")
def tokens(django_db_setup, django_db_blocker) -> dict[str, str]:
    from haidang.access.models import User
    from haidang.access.services import issue_api_token

    with django_db_blocker.unblock():
        return {user.username: issue_api_token(user=user)[0] for user in User.objects.order_by("username")}
