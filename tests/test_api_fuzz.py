"""Schema-driven fuzzing (schemathesis) of every /api/v1 operation the OpenAPI document
describes, with a staff token (the office's, which may call everything) on a small city
with published proposals: no answer is a 5xx, and every answer matches its schema
(status documented, content type, body)."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests import ops

EXAMPLES = 12
# What the last run did, for benchmarks/security_summary.py: operations, generated requests.
SUMMARY: dict[str, int] = {}
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


@pytest.fixture
def api_schema(app, city):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


@pytest.fixture
def office_token(city) -> str:
    """The office's token, on a city with a published proposal and one in deliberation
    (so ids 1 and 2 exist for the generated paths to find)."""
    liaison = ops.Actor.staff(city.parks_liaison)
    first, _ = city.submit(title="公園に花壇をつくる")
    ops.fire_trigger(city.session, first, "accept", liaison)
    second, _ = city.submit(title="公園で朝市を開く")
    ops.fire_trigger(city.session, second, "accept", liaison)
    ops.fire_trigger(city.session, second, "open_deliberation", liaison)
    city.session.commit()
    return city.token(city.office_user)


def fuzz(operation, token: str, calls: list) -> str | None:
    """Hypothesis over one operation's generated requests; the first failure, described."""

    @given(case=operation.as_strategy(GenerationMode.POSITIVE)
           | operation.as_strategy(GenerationMode.NEGATIVE))
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck), phases=[Phase.generate])
    def run(case):
        calls.append(operation.label)
        case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)

    try:
        run()
    except BaseException as failure:  # noqa: BLE001  (a FailureGroup; reported by operation)
        return f"{operation.label}: {type(failure).__name__}: {str(failure)[:800]}"
    return None


def test_every_operation_answers_within_its_schema(api_schema, office_token):
    """(schemathesis' own pytest plugin does not run on pytest 9 yet, hence the loop.)"""
    failures, calls = [], []
    operations = [result.ok() for result in api_schema.get_all_operations()]
    for operation in operations:
        if failure := fuzz(operation, office_token, calls):
            failures.append(failure)
    SUMMARY.update(operations=len(operations), calls=len(calls))
    assert failures == [], "\n\n".join(failures)
    # Every operation was really called, several times.
    assert len(operations) >= 40
    assert {op.label for op in operations} == set(calls)
    assert len(calls) >= 5 * len(operations)
