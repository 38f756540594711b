"""Nothing the application answers is kept by a browser or a proxy: pages, API answers, downloads."""

import pytest

pytestmark = pytest.mark.django_db


def test_pages_and_api_answers_are_no_store(as_user, api, client):
    pages = as_user("caseworker.hanoi")
    for path in ("/", "/cases/"):
        response = pages.get(path)
        assert response.status_code == 200, path
        assert response["Cache-Control"] == "private, no-store", path
    for path in ("/api/v1/me", "/api/v1/cases"):
        response = api("caseworker.hanoi").get(path)
        assert response.status_code == 200, path
        assert response["Cache-Control"] == "private, no-store", path
    # Errors and the sign-in page too: what a shared computer keeps, someone else may read.
    assert api("caseworker.hanoi").get("/api/v1/cases/not-an-id")["Cache-Control"] == "private, no-store"
    client.logout()
    response = client.get("/account/login/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


def test_static_files_keep_their_cache_life(client):
    response = client.get("/static/js/htmx.min.js")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
