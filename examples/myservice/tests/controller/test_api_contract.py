"""The REST API against its own OpenAPI document, case by generated case.

schemathesis reads `/openapi.json` and generates requests for every operation: valid ones and,
in negative mode, ones that break the schema (wrong types, missing fields, hostile strings).
Every answer must be a documented status code and content type with a body that matches its
documented schema, and never a server error.

Two of schemathesis's checks are left out by design: that every schema-valid request is
accepted (a reference to a row that does not exist, or a unique value already taken, is valid
by the schema and still refused with 422 / 409), and that every schema-violating request is
refused (unknown query parameters are ignored, so that older servers accept newer clients).

`CONTRACT_EXAMPLES` cases per operation and mode keep the suite fast; search harder with, say,
`CONTRACT_EXAMPLES=500 uv run pytest tests/controller/test_api_contract.py`.
"""

import os
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.core.failures import FailureGroup
from schemathesis.core.result import Ok
from schemathesis.generation import GenerationMode
from schemathesis.generation.case import Case
from schemathesis.specs.openapi.schemas import OpenApiSchema

CONTRACT_EXAMPLES = int(os.environ.get("CONTRACT_EXAMPLES", "25"))
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
    schemathesis.checks.response_headers_conformance,
]


@pytest.mark.parametrize("mode", list(GenerationMode), ids=lambda mode: mode.value)
def test_every_operation_answers_as_documented(
    api_schema: OpenApiSchema, auth_headers: dict[str, str], mode: GenerationMode
) -> None:
    failures: list[str] = []
    for result in api_schema.get_all_operations():
        assert isinstance(result, Ok), result.err()
        operation = result.ok()

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=CONTRACT_EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: Case[Any]) -> None:
            case.call_and_validate(headers=auth_headers, checks=CHECKS)

        try:
            check()
        except Unsatisfiable:
            continue  # no parameters to break: nothing to generate in negative mode
        except FailureGroup as failure:
            failures.append(f"{operation.label}: {failure}")
    assert not failures, "\n\n".join(failures)
