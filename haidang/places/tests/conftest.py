from datetime import date

import pytest
from django.conf import settings

from haidang.access.services import issue_api_token

OLD_DAY = date(2025, 6, 30)
NEW_DAY = date(2025, 7, 1)


@pytest.fixture(autouse=True)
def english(english):
    """Every places test reads English (the root fixture, for the whole folder)."""
    return english


@pytest.fixture
def user(django_user_model):
    return django_user_model.objects.create_user(username="map-reader", password="a-long-test-password-1")


@pytest.fixture
def signed_in(client, user):
    import time

    from haidang.common.middleware import REFRESHED_AT

    client.force_login(user)
    session = client.session
    session[REFRESHED_AT] = int(time.time())  # as a sign-in through the pages leaves it
    session.save()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def api(client, user):
    raw, _token = issue_api_token(user=user)
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client
