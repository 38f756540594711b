"""The JSON API's shared parts: one error shape, one list shape, the API object itself.

Errors are always `{"error": {"code", "message", "fields"}}` with a 4xx status; lists are
`{"items": [...], "count": N, "page": P, "page_size": S}`.
"""

import functools
import json
from datetime import date, datetime
from typing import Any

import orjson
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder

from haidang.common.dates import DayError, parse_day
from haidang.common.errors import StaleVersionError

MAX_PAGE_SIZE = 200
# Row offsets are 64-bit signed integers in SQLite and PostgreSQL: the last row a page reaches,
# page × page_size, must stay at or below this, or the database refuses the query.
MAX_ROW_OFFSET = 2**63 - 1


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, fields: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields or {}


class ErrorBody(Schema):
    code: str
    message: str
    fields: dict[str, list[str]] = {}


class ErrorOut(Schema):
    error: ErrorBody


def not_found() -> ApiError:
    # The same answer for "missing" and "outside your scope".
    return ApiError(404, "not_found", _("Not found."))


def invalid(fields: dict) -> ApiError:
    """The one answer to refused input, whatever refused it: 400 `invalid` naming each field."""
    return ApiError(
        400, "invalid", _("The request has invalid values."), {key: list(value) for key, value in fields.items()}
    )


def error_fields(error: ValidationError) -> dict[str, list[str]]:
    """A service's ValidationError as the API's `fields` (a message without a field goes to `non_field`)."""
    if hasattr(error, "error_dict"):
        return {("non_field" if key == "__all__" else key): list(value) for key, value in error.message_dict.items()}
    return {"non_field": list(error.messages)}


def conflict(stale: StaleVersionError) -> ApiError:
    """409 for a stale version: nothing was written; the client reloads and sends its change again."""
    current = str(stale.current_version)
    message = _("Someone saved this record after you read it (now version %(version)s); reload it and try again.") % {
        "version": current
    }
    return ApiError(409, "conflict", message, {"version": [message], "current_version": [current]})


def error_response(api: NinjaAPI, request, status: int, code: str, message: str, fields=None):
    return api.create_response(
        request, {"error": {"code": code, "message": str(message), "fields": fields or {}}}, status=status
    )


def _field_name(loc: list[Any]) -> str:
    # Drop the parameter-source prefix Ninja adds ("body", "query", "path") and the payload name.
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "form", "payload")]
    return ".".join(parts) or "non_field"


DATE_ERRORS = frozenset({"date_from_datetime_parsing", "date_parsing", "date_type", "date_from_datetime_inexact"})


class HaiDangAPI(NinjaAPI):
    """The NinjaAPI, keeping the text of a date it could not read so the answer can say what is wrong."""

    def validation_error_from_error_contexts(self, error_contexts):
        error = super().validation_error_from_error_contexts(error_contexts)
        # Ninja drops each error's input (it may be long); a date's text is short and says what went wrong.
        inputs = [
            item.get("input")
            for context in error_contexts
            for item in context.pydantic_validation_error.errors(include_url=False)
        ]
        for item, value in zip(error.errors, inputs, strict=False):
            if item.get("type") in DATE_ERRORS and isinstance(value, str):
                item["ctx"] = {**(item.get("ctx") or {}), "day_text": value[:40]}
        return error

    def _get_urls(self):
        urls = super()._get_urls()
        for pattern in urls:
            if getattr(pattern, "callback", None) is not None:
                pattern.callback = _json_not_allowed(self, pattern.callback)
        return urls

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        # Every answer an operation can give is published, including the ones common to all of them.
        return document_standard_errors(super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params))


def _json_not_allowed(api: NinjaAPI, view):
    """Ninja answers a method a path does not take with plain text; answer it in the error shape instead."""

    @functools.wraps(view)  # keeps csrf_exempt
    def answer(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code != 405 or response.get("Content-Type", "").startswith("application/json"):
            return response
        allowed = response.get("Allow", "")
        message = _("This address does not take %(method)s; it takes %(allowed)s.") % {
            "method": request.method,
            "allowed": allowed,
        }
        json_response = error_response(api, request, 405, "method_not_allowed", message)
        json_response["Allow"] = allowed
        return json_response

    return answer


def _date_message(value) -> str:
    # Say what is wrong with the day (31/11: November has 30 days) with the forms' parser, when it can tell.
    if isinstance(value, str):
        try:
            parse_day(value)
        except DayError as error:
            if error.code in {"day", "month", "year"}:
                return error.message
    return _("Enter a valid date (YYYY-MM-DD).")


def _translated(error: dict) -> str:
    kind = error.get("type", "")
    if kind == "missing":
        return _("This field is required.")
    if kind in {"int_parsing", "int_type"}:
        return _("Enter a whole number.")
    if kind in DATE_ERRORS:
        return _date_message((error.get("ctx") or {}).get("day_text"))
    if kind in {"uuid_parsing", "uuid_type"}:
        return _("Enter a valid identifier.")
    if kind in {"string_type", "string_too_long", "string_too_short"}:
        return _("Enter valid text of the allowed length.")
    if kind in {"enum", "literal_error"}:
        return _("Choose one of the allowed values.")
    if kind == "value_error":
        return str(error.get("ctx", {}).get("error", "")) or _("Enter a valid value.")
    return _("Enter a valid value.")


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(ApiError)
    def handle_api_error(request, exc: ApiError):
        return error_response(api, request, exc.status, exc.code, exc.message, exc.fields)

    @api.exception_handler(StaleVersionError)
    def handle_stale_version(request, exc: StaleVersionError):
        answer = conflict(exc)
        return error_response(api, request, answer.status, answer.code, answer.message, answer.fields)

    @api.exception_handler(NinjaValidationError)
    def handle_validation(request, exc: NinjaValidationError):
        fields: dict[str, list[str]] = {}
        for error in exc.errors:
            fields.setdefault(_field_name(list(error.get("loc", []))), []).append(_translated(error))
        return error_response(api, request, 400, "invalid", _("The request has invalid values."), fields)

    @api.exception_handler(ValidationError)
    def handle_django_validation(request, exc: ValidationError):
        return error_response(api, request, 400, "invalid", _("The request has invalid values."), error_fields(exc))

    @api.exception_handler(AuthenticationError)
    def handle_unauthenticated(request, exc):
        return error_response(api, request, 401, "unauthenticated", _("Sign in first: send a valid bearer token."))

    @api.exception_handler(PermissionDenied)
    def handle_forbidden(request, exc):
        # A refusal that says who may act (the law's division of work) keeps its message.
        return error_response(api, request, 403, "forbidden", str(exc) or _("Your role does not allow this."))

    @api.exception_handler(Http404)
    def handle_404(request, exc):
        return error_response(api, request, 404, "not_found", _("Not found."))

    @api.exception_handler(HttpError)
    def handle_http_error(request, exc: HttpError):
        code = {
            400: "bad_request",
            401: "unauthenticated",
            403: "forbidden",
            404: "not_found",
            405: "method_not_allowed",
            409: "conflict",
            429: "too_many_requests",
        }.get(exc.status_code, "error")
        return error_response(api, request, exc.status_code, code, str(exc))


# The answers every operation may give besides its own, in the error shape (see `install_error_handlers`
# and `common.views.server_error`), and when each applies.
_STANDARD_ERRORS = {
    "400": ("The request has invalid values (each named in `fields`).", lambda op, path: _takes_input(op)),
    "401": ("Sign in first: send a valid bearer token.", lambda op, path: bool(op.get("security"))),
    "403": ("Your role does not allow this.", lambda op, path: bool(op.get("security"))),
    "404": ("Not found (or outside your scope).", lambda op, path: "{" in path),
    "503": ("The database is unavailable for a moment; try again (Retry-After).", lambda op, path: True),
}


def _takes_input(operation: dict) -> bool:
    return bool(operation.get("parameters")) or "requestBody" in operation


def document_standard_errors(schema: dict) -> dict:
    """Add to each operation of an OpenAPI document the standard error answers it can give but does not list."""
    reference = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}}
    for path, operations in schema.get("paths", {}).items():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            listed = {str(status) for status in responses}
            for status, (description, applies) in _STANDARD_ERRORS.items():
                if status not in listed and applies(operation, path):
                    responses[int(status)] = {"description": description, **reference}
    return schema


def page_params(page: int, page_size: int) -> tuple[int, int]:
    """A valid (page, page_size), or 400 naming the parameter: every list endpoint pages through this."""
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ApiError(
            400,
            "invalid",
            _("The request has invalid values."),
            {"page_size": [_("Must be between 1 and %(max)s.") % {"max": MAX_PAGE_SIZE}]},
        )
    if page < 1:
        raise ApiError(400, "invalid", _("The request has invalid values."), {"page": [_("Must be 1 or more.")]})
    last_page = MAX_ROW_OFFSET // page_size
    if page > last_page:
        raise ApiError(
            400,
            "invalid",
            _("The request has invalid values."),
            {"page": [_("Must be at most %(max)s for this page size.") % {"max": last_page}]},
        )
    return page, page_size


def paginate(queryset, page: int, page_size: int, serialize) -> dict:
    """Slice an ordered queryset for one page and serialise each row with `serialize`."""
    page, page_size = page_params(page, page_size)
    start = (page - 1) * page_size
    rows = list(queryset[start : start + page_size])
    return {
        "items": [serialize(row) for row in rows],
        "count": queryset.count(),
        "page": page,
        "page_size": page_size,
    }


_RENDERER = JSONRenderer()  # the one NinjaAPI uses (HaiDangAPI keeps Ninja's default renderer)


class _PlainEncoder(NinjaJSONEncoder):
    """Ninja's encoder, for what orjson leaves to it (below): days and times written as Django's encoder
    writes them, the rest (lazy text, decimals, models) as Ninja writes it."""

    def default(self, o):
        kind = type(o)
        if kind is date:
            return o.isoformat()
        if kind is datetime:
            return DjangoJSONEncoder.default(self, o)
        return super().default(o)


class _PlainRenderer(JSONRenderer):
    """The plain answers written by orjson (a C encoder: half the time of the standard library's on a page
    of 50 cases). Ids, text, numbers, lists and dicts are written natively, as the standard library writes
    them (text as UTF-8 instead of escaped); days and times go to `_PlainEncoder`, so they read exactly as
    before (orjson would write a time with microseconds and "+00:00", Django with milliseconds and "Z")."""

    _default = staticmethod(_PlainEncoder().default)
    _options = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS

    def render(self, request, data, *, response_status):
        return orjson.dumps(data, default=self._default, option=self._options)


_PLAIN_RENDERER = _PlainRenderer()


def _same_answer(dumped, plain) -> bool:
    """The schema's dump and the plain answer say the same. A time the plain answer already holds as text
    (`common.isotext`) goes through the schema's reading and writing again: one under a millisecond past the
    second, written "…:00.000Z" as Django writes it, comes back "…:00Z". The same instant both ways."""
    if type(dumped) is dict and type(plain) is dict:
        return dumped.keys() == plain.keys() and all(_same_answer(dumped[key], plain[key]) for key in dumped)
    if type(dumped) is list and type(plain) is list:
        return len(dumped) == len(plain) and all(map(_same_answer, dumped, plain))
    if dumped == plain:
        return True
    if type(dumped) is str and type(plain) is str and plain.endswith(".000Z") and dumped.endswith("Z"):
        try:
            return datetime.fromisoformat(dumped) == datetime.fromisoformat(plain)
        except ValueError:
            return False
    return False


def plain_answer(request, schema: type[Schema], data: dict, status: int = 200) -> HttpResponse:
    """`data` as the JSON answer, written directly instead of through Ninja's output validation.

    For the hot lists: Ninja validates a returned dict against the operation's response schema field by
    field, each item through a `DjangoGetter` (a third of the case list's time), and then dumps it again.
    Here `data` must already be what `schema` dumps (the same keys, plain values: str, int, bool, None,
    UUID, date, datetime, lists and dicts of them); it is written by orjson (`_PlainRenderer`), days and
    times through Django's encoder, so dates and identifiers read exactly as before. The
    operation keeps declaring `schema` as its 200 answer, so the OpenAPI document is unchanged. With
    `API_CHECK_PLAIN_ANSWERS` on (the test settings), every such answer is also validated and dumped
    through `schema` and written by Ninja's renderer, and a difference is an error: every test that calls
    the endpoint checks the shortcut against the schema.
    """
    content = _PLAIN_RENDERER.render(request, data, response_status=status)
    if getattr(settings, "API_CHECK_PLAIN_ANSWERS", False):
        checked = _RENDERER.render(request, schema.model_validate(data).model_dump(), response_status=status)
        if not _same_answer(json.loads(checked), json.loads(content)):
            raise AssertionError(f"The plain answer differs from what {schema.__name__} dumps.")
    return HttpResponse(content, status=status, content_type=f"{_RENDERER.media_type}; charset={_RENDERER.charset}")
