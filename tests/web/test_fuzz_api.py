"""Schemathesis over the whole OpenAPI, anonymous and as administrator, on each database:
no answer is a server error, every answer's status is documented and its body matches the
schema. ``PROMCLUSTER_FUZZ_EXAMPLES`` sets the examples per operation (a few in ``make test``,
more in ``.ci/run``)."""

import os

import schemathesis
from factories import SESSION_COOKIE, Login
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from promcluster.web.deps import CSRF_HEADER

EXAMPLES = int(os.environ.get("PROMCLUSTER_FUZZ_EXAMPLES", "3"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def fuzz(app, **call) -> tuple[set[tuple[str, int]], list[str]]:
    """Every operation of the OpenAPI with generated cases; the (operation, status) pairs seen
    and the failures, one line each (the first failure of an operation)."""
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app)
    operations, failures, seen = 0, [], set()

    def record(ctx, response, case) -> None:
        seen.add((case.operation.label, response.status_code))

    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @FUZZ
        @given(case=operation.as_strategy())
        def run(case) -> None:
            # The first classification builds the classifier: tens of seconds on a busy machine.
            case.call_and_validate(checks=[*CHECKS, record], timeout=300, **call)

        try:
            run()
        except (Exception, FailureGroup) as exc:  # reported; the other operations still run
            failures.append(f"{operation.label}: {_first_line(exc)}")
    assert operations > 80
    return seen, failures


def _first_line(exc: BaseException) -> str:
    if isinstance(exc, BaseExceptionGroup):
        return "; ".join(_first_line(e) for e in exc.exceptions)
    title = getattr(exc, "title", None) or type(exc).__name__
    message = " ".join(str(getattr(exc, "message", exc)).split())
    return f"{title}: {message}"[:300]


def test_anonymous(app, db) -> None:
    seen, failures = fuzz(app)
    assert not failures, "\n".join(failures)
    assert ("GET /api/v1/clusters", 200) in seen
    assert ("GET /api/v1/audit", 401) in seen and ("POST /api/v1/clusters", 401) in seen
    writes = {label for label, status in seen if status < 300 and not label.startswith("GET")}
    assert writes <= {"POST /api/v1/okpd2/suggest"}  # the one anonymous POST: a read


def test_administrator(app, db, admin: Login) -> None:
    seen, failures = fuzz(
        app, headers={CSRF_HEADER: admin.csrf}, cookies={SESSION_COOKIE: admin.cookie}
    )
    assert not failures, "\n".join(failures)
    assert ("GET /api/v1/audit", 200) in seen  # the administrator's session held throughout
    assert 401 not in {status for _, status in seen}
