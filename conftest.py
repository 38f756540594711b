"""Test-session setup shared by every app's tests."""

import pytest
from django.core.management import call_command


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    # The real administrative maps (both of them, with the crosswalk) are loaded once per
    # test session, so every test works against the country as it is, not a toy tree.
    with django_db_blocker.unblock():
        call_command("load_admin_map", verbosity=0)
