"""Every input the API accepts is a clean schema, and a NUL character anywhere is a 400 naming where."""

import types
import typing

import pytest
from ninja import Schema

from config.api import api
from haidang.common.schemas import CleanSchema


def _schemas_in(annotation) -> set[type]:
    """The schema classes an annotation names, through list[...], X | None and nested fields."""
    found: set[type] = set()
    pending = [annotation]
    while pending:
        current = pending.pop()
        if isinstance(current, type) and issubclass(current, Schema):
            if current not in found:
                found.add(current)
                pending.extend(field.annotation for field in current.model_fields.values())
            continue
        if isinstance(current, types.UnionType) or typing.get_origin(current) is not None:
            pending.extend(typing.get_args(current))
    return found


def _input_schemas() -> dict[type, list[str]]:
    used: dict[type, list[str]] = {}
    for prefix, router in api._routers:
        for path, view in router.path_operations.items():
            for operation in view.operations:
                for params in operation.models:
                    for field in params.model_fields.values():
                        for schema in _schemas_in(field.annotation):
                            used.setdefault(schema, []).append(f"{operation.methods} {prefix}{path}")
    return used


def test_every_input_schema_refuses_nul():
    used = _input_schemas()
    assert len(used) > 40  # bodies and filters of every app
    plain = sorted(f"{schema.__module__}.{schema.__name__}" for schema in used if not issubclass(schema, CleanSchema))
    assert plain == []


def test_schema_names_are_unique_so_the_openapi_document_keeps_each_one():
    document = api.get_openapi_schema()
    names: dict[str, set[str]] = {}
    for schema in _input_schemas():
        names.setdefault(schema.__name__, set()).add(schema.__module__)
    assert {name: modules for name, modules in names.items() if len(modules) > 1} == {}
    assert "UnitRef" in document["components"]["schemas"]


@pytest.mark.django_db
def test_nul_in_a_body_is_a_400_naming_the_field(client):
    response = client.post(
        "/api/v1/auth/token", {"username": "a\x00b", "password": "x"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"username": ["Nhập văn bản hợp lệ, không vượt quá độ dài cho phép."]}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "field"),
    [("/api/v1/units?q=%00", "q"), ("/api/v1/units/01%00", "path"), ("/api/v1/persons/search?q=a%00", "q")],
)
def test_nul_in_a_query_or_path_is_a_400_naming_it(client, path, field):
    response = client.get(path)
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {field}


@pytest.mark.django_db
def test_nul_in_a_page_query_is_a_400(client):
    response = client.get("/units/?q=%00")
    assert response.status_code == 400
