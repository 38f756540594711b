"""The sliding idle timeout, with the session written at most once a minute."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

pytestmark = pytest.mark.django_db


def _session_writes(captured: list[str]) -> int:
    return sum(
        1 for sql in captured if sql.lstrip().upper().startswith(("UPDATE", "INSERT")) and "django_session" in sql
    )


def test_the_session_is_written_at_most_once_a_minute_and_still_slides(as_user, statements):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client = as_user("prevention.haiphong")
        assert client.get("/").status_code == 200  # the first page after signing in stamps the session
    with time_machine.travel(start + timedelta(seconds=30), tick=False), statements() as captured:
        for _ in range(3):
            assert client.get("/").status_code == 200
    assert _session_writes(captured) == 0
    with time_machine.travel(start + timedelta(seconds=61), tick=False), statements() as captured:
        assert client.get("/").status_code == 200
        assert client.get("/").status_code == 200
    assert _session_writes(captured) == 1
    # Still a 30-minute idle limit counted from the last write (at most a minute before the last request):
    with time_machine.travel(start + timedelta(seconds=61, minutes=29), tick=False):
        assert client.get("/").status_code == 200
    with time_machine.travel(start + timedelta(seconds=61 + 60, minutes=29 + 30), tick=False):
        response = client.get("/")
        assert response.status_code == 302 and response["Location"].startswith("/account/login/")
