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


def fuzz(app, **call) -> tuple[int, list[str]]:
    """Every operation of the OpenAPI with generated cases; the operations counted and the
    failures, one line each (the first failure of an operation)."""
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app)
    operations, failures = 0, []
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @FUZZ
        @given(case=operation.as_strategy())
        def run(case) -> None:
            # The first classification builds the classifier: tens of seconds on a busy machine.
            case.call_and_validate(checks=CHECKS, timeout=300, **call)

        try:
            run()
        except (Exception, FailureGroup) as exc:  # reported; the other operations still run
            failures.append(f"{operation.label}: {_first_line(exc)}")
    return operations, failures


def _first_line(exc: BaseException) -> str:
    if isinstance(exc, BaseExceptionGroup):
        return "; ".join(_first_line(e) for e in exc.exceptions)
    title = getattr(exc, "title", None) or type(exc).__name__
    message = " ".join(str(getattr(exc, "message", exc)).split())
    return f"{title}: {message}"[:300]


def test_anonymous(app, db) -> None:
    operations, failures = fuzz(app)
    assert operations > 80
    assert not failures, "\n".join(failures)


def test_administrator(app, db, admin: Login) -> None:
    operations, failures = fuzz(
        app, headers={CSRF_HEADER: admin.csrf}, cookies={SESSION_COOKIE: admin.cookie}
    )
    assert operations > 80
    assert not failures, "\n".join(failures)
