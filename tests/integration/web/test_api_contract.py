"""The API keeps the contract it publishes at /openapi.json (issue #11, finding 12).

Schemathesis generates requests, valid and invalid, for every documented operation and checks,
as a hub coordinator and as a company member: no server error, and every status code, content
type and body is one the document describes. (Its pytest plugin's lazy loader does not run on
pytest 9, so the operations' strategies are driven with Hypothesis directly.)
"""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.integration.web.world import build_world

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# About 25 calls per operation and caller: half valid requests, half invalid ones.
BOUNDED = settings(max_examples=12, deadline=None, derandomize=True, database=None,
                   suppress_health_check=list(HealthCheck))


def _fuzz_every_operation(app, token: str) -> int:
    schema = schemathesis.openapi.from_wsgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    headers = {"Authorization": f"Bearer {token}"}
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @BOUNDED
            @given(case=operation.as_strategy(mode))
            def call(case) -> None:
                case.call_and_validate(headers=headers, checks=CHECKS)

            call()
    return len(operations)


@pytest.mark.slow  # every documented operation for each role: ~20 s each
@pytest.mark.parametrize("who", ["coord", "m1"])
def test_every_api_answer_is_one_the_document_describes(app, session, who):
    world = build_world(session)
    assert _fuzz_every_operation(app, world.tokens[who]) >= 9


def test_the_document_describes_the_one_error_shape_for_every_error_status(client):
    document = client.get("/openapi.json").get_json()
    schemas = document["components"]["schemas"]
    for path, item in document["paths"].items():
        for method, operation in item.items():
            for status in ("400", "401", "403", "404", "422", "429"):
                content = operation["responses"][status]["content"]["application/json"]["schema"]
                name = content["$ref"].rsplit("/", 1)[-1]
                assert "error" in schemas[name]["properties"], (method, path, status, name)
