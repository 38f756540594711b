"""Test-session setup shared by every app's tests."""

import pytest
from django.core.management import call_command


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    # The real administrative maps (both of them, with the crosswalk) are loaded once per
    # test session, so every test works against the country as it is, not a toy tree.
    # The demonstration agencies and users are made once too: every test starts from them, inside
    # its own transaction, instead of re-creating them (hundreds of statements) for each test.
    from haidang.access.demo import seed_demo

    with django_db_blocker.unblock():
        call_command("load_admin_map", verbosity=0)
        seed_demo()


@pytest.fixture(autouse=True)
def default_language(settings):
    """Every test starts in the default language: a page or API call served in English (a cookie, an
    Accept-Language header) leaves English active in the thread, which must not leak into the next test."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def no_request_left_open():
    """A test that leaves a streamed answer unclosed (a static file, a download) never finishes its request
    for the test client, so the request's memo of the shared versions (`common.shared`) stayed in the
    thread and the next test in that process read stale versions. A server always closes its answers."""
    from haidang.common import shared

    yield
    shared._end_request()


@pytest.fixture
def demo_users(db):
    """The demonstration agencies and users, as `make run` creates them: {username: User}.

    They are in the database from the start of the test session (see `django_db_setup`); each test
    gets fresh objects, so nothing cached on a user (its scope) leaks from one test to the next.
    """
    from haidang.access.models import User

    return {user.username: user for user in User.objects.all()}


@pytest.fixture
def english(client, settings):
    """English for this test: pages (language cookie), the API (Accept-Language) and code called directly.

    Most tests compare messages with their English source; the Vietnamese catalogue has tests of its own.
    Use it per module with `pytestmark = pytest.mark.usefixtures("english")`. Returns the client.
    """
    from django.utils import translation

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield client


@pytest.fixture
def as_user(english, sign_in):
    """as_user(username) -> the test client signed in as that user (second factor given), in English."""
    from haidang.access.models import User

    def _as(username):
        return sign_in(User.objects.get(username=username))

    return _as


@pytest.fixture
def api(api_client):
    """api(username) -> a client that sends a bearer token for that user (one token per user per test)."""
    from haidang.access.models import User

    clients = {}

    def _api(username):
        if username not in clients:
            clients[username] = api_client(User.objects.get(username=username))
        return clients[username]

    return _api


@pytest.fixture
def sign_in(client):
    """Sign a user in on the test client, second factor included: sign_in(user) -> client."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    def _sign_in(user, *, verified: bool = True):
        import time

        from haidang.common.middleware import REFRESHED_AT

        client.force_login(user)
        session = client.session
        # As a sign-in through the pages leaves it: stamped by the sliding-session middleware.
        session[REFRESHED_AT] = int(time.time())
        if verified:
            device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
            if device is None:
                device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
            session["otp_device_id"] = device.persistent_id
        session.save()
        return client

    return _sign_in


@pytest.fixture
def api_client(client):
    """A client that sends a bearer token for `user`: api_client(user) -> client with .get/.post."""
    from haidang.access.services import issue_api_token

    class _Api:
        def __init__(self, raw):
            self.headers = {"Authorization": f"Bearer {raw}"} if raw else {}

        def get(self, path, data=None):
            return client.get(path, data, headers=self.headers)

        def post(self, path, payload=None):
            return client.post(path, payload or {}, content_type="application/json", headers=self.headers)

    def _make(user=None):
        raw = issue_api_token(user=user)[0] if user is not None else None
        return _Api(raw)

    return _make


@pytest.fixture
def empty_system(db):
    """For the few tests about a system with no records yet: the session's demonstration agencies,
    users and audit entries are removed inside this test's transaction, and are back for the next test."""
    from django.db import connection
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from haidang.access.models import Agency, Membership, User
    from haidang.audit.db import triggers_suspended

    with triggers_suspended(), connection.cursor() as cursor:
        # As a fresh database: no entries and no seals.
        cursor.execute("DELETE FROM audit_entry")
        cursor.execute("DELETE FROM audit_seal")
    TOTPDevice.objects.all().delete()
    Membership.objects.all().delete()
    User.objects.all().delete()
    Agency.objects.all().delete()


@pytest.fixture
def statements():
    """statements() -> a context manager collecting every SQL statement run inside it (text only).

    Unlike CaptureQueriesContext it survives the query-log reset at the start of each request, so
    it counts what a page or API call runs through the test client."""
    from contextlib import contextmanager

    from django.db import connection

    @contextmanager
    def _capture():
        captured: list[str] = []

        def record(execute, sql, params, many, context):
            captured.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(record):
            yield captured

    return _capture


@pytest.fixture
def kept_statements(settings):
    """Statements kept compiled as in a server process (common.queries), the store emptied before and after:
    tests roll back what they write, the store would not."""
    from haidang.common import queries

    settings.COMPILED_STATEMENTS = True
    queries._STATEMENTS.clear()
    yield queries._STATEMENTS
    queries._STATEMENTS.clear()
