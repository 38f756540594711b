"""Every list endpoint answers a page beyond what the database can count with 400 naming `page`.

Row offsets are 64-bit in SQLite and PostgreSQL: a page whose last row passes 2^63 − 1 used to reach
the database and come back as a server error.
"""

import pytest

from config.api import api as ninja_api
from haidang.common.api import MAX_ROW_OFFSET

# Users whose roles together open every list endpoint.
READERS = (
    "admin",
    "coordinator.national",
    "caseworker.hanoi",
    "police.hanoi",
    "prevention.haiphong",
    "auditor",
    "analyst",
)


def _list_paths() -> list[str]:
    schema = ninja_api.get_openapi_schema(path_prefix="/api/v1")
    paths = []
    for path, methods in schema["paths"].items():
        operation = methods.get("get")
        if operation is None or "{" in path:
            continue
        names = {parameter["name"] for parameter in operation.get("parameters", [])}
        if {"page", "page_size"} <= names:
            paths.append(path)
    return sorted(paths)


LIST_PATHS = _list_paths()
pytestmark = pytest.mark.django_db


def test_every_list_endpoint_is_checked():
    assert len(LIST_PATHS) >= 14
    for expected in ("/api/v1/cases", "/api/v1/cases/worklist", "/api/v1/directives", "/api/v1/agencies"):
        assert expected in LIST_PATHS


def _reader_for(api, path):
    """The first reader allowed to list `path` (a 403 means another role's list)."""
    for username in READERS:
        client = api(username)
        response = client.get(path, {"page": 1, "page_size": 1})
        if response.status_code == 200:
            return client
    pytest.fail(f"no demonstration user may list {path}")


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize("path", LIST_PATHS)
def test_huge_page_is_a_400_naming_page(api, path):
    client = _reader_for(api, path)
    for page, page_size in ((1_000_000_000_000_000_000, 50), (100_000_000_000_000_000, 200), (2**64, 1)):
        response = client.get(path, {"page": page, "page_size": page_size})
        assert response.status_code == 400, (path, page, page_size, response.content[:300])
        body = response.json()["error"]
        assert body["code"] == "invalid"
        assert list(body["fields"]) == ["page"]


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize("path", ["/api/v1/cases", "/api/v1/cases/worklist", "/api/v1/directives", "/api/v1/agencies"])
def test_the_last_countable_page_is_empty_and_the_next_is_refused(api, path):
    client = _reader_for(api, path)
    for page_size in (1, 50, 200):
        last = MAX_ROW_OFFSET // page_size
        response = client.get(path, {"page": last, "page_size": page_size})
        assert response.status_code == 200, (path, page_size, response.content[:300])
        assert response.json()["items"] == []
        assert response.json()["page"] == last
        refused = client.get(path, {"page": last + 1, "page_size": page_size})
        assert refused.status_code == 400
        assert refused.json()["error"]["fields"]["page"] == [f"Must be at most {last} for this page size."]
