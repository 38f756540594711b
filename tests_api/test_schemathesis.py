"""Every API operation fuzzed from its own OpenAPI document, as every role: no server error, and no answer
that breaks the document (status codes, content types and bodies as published).

Bounded: FUZZ_EXAMPLES examples per operation (default 12), each sent with the token of another
demonstration user in turn, so every role meets every operation. Run with `make fuzz-api`.
"""

import itertools
import json
import os

import hypothesis
import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.api import api as ninja_api

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

# The published document, as /api/v1/openapi.json serves it; requests go to the WSGI application in-process.
schema = schemathesis.openapi.from_dict(json.loads(json.dumps(ninja_api.get_openapi_schema(path_prefix="/api/v1"))))
schema.app = get_wsgi_application()
# Valid inputs and invalid ones (wrong types, out of range, NUL characters): neither may break the server.
schema.config.generation.update(modes=["positive", "negative"], allow_x00=True)


@pytest.fixture(scope="session", autouse=True)
def requests_inside_the_test_transaction():
    """As Django's test client does: the handler must not close the test's connection around each request."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture(scope="session")
def next_token(tokens):
    cycle = itertools.cycle(sorted(tokens.items()))
    return lambda: next(cycle)


@pytest.mark.django_db
@schema.parametrize()
@hypothesis.settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(hypothesis.HealthCheck),
)
def test_api(case, next_token):
    username, token = next_token()
    case.call_and_validate(headers={"Authorization": f"Bearer {token}", "Accept-Language": "en"}, checks=CHECKS)
