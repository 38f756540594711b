"""Every answer of the API is in the one error shape, even for a method a path does not take."""

import pytest

pytestmark = pytest.mark.django_db


def test_a_method_the_path_does_not_take_is_a_json_405_naming_what_it_takes(api):
    response = api("caseworker.hanoi").post("/api/v1/me")
    assert response.status_code == 405
    assert response["Content-Type"].startswith("application/json")
    assert response["Allow"] == "GET"
    error = response.json()["error"]
    assert error["code"] == "method_not_allowed"
    assert "POST" in error["message"] and "GET" in error["message"]


def test_the_405_is_in_the_error_shape_before_sign_in_too(client):
    response = client.put("/api/v1/units", data="{}", content_type="application/json")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_a_method_the_path_takes_is_untouched(api):
    assert api("caseworker.hanoi").get("/api/v1/me").status_code == 200
