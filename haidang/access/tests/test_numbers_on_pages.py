"""Counts a person reads are written as they write them: 3.321 in Vietnamese, 3,321 in English."""

import re

import pytest

pytestmark = pytest.mark.django_db


def test_the_home_page_counts_communes_with_a_thousands_separator(demo_users, sign_in, client, settings):
    sign_in(demo_users["coordinator.national"])
    html = client.get("/").content.decode()
    vietnamese = re.search(r"(\d[\d.]*) xã, phường, đặc khu", html)
    assert vietnamese and int(vietnamese.group(1).replace(".", "")) >= 1000
    assert re.fullmatch(r"\d{1,3}(\.\d{3})+", vietnamese.group(1))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = re.search(r"(\d[\d,]*) communes, wards and special zones", client.get("/").content.decode())
    assert english and english.group(1) == vietnamese.group(1).replace(".", ",")
