"""API fuzzing: schemathesis generates requests from /api/v1/openapi.json for every operation and sends them
to the Django app (WSGI, in this process, on the test database) with a demo staff member's token.

Each answer must not be a 5xx (``not_a_server_error``) and must match what the OpenAPI document says that
operation answers — status, content type and body schema (``response_schema_conformance``).  Every
operation is tried with ``EXAMPLES`` generated requests (positive data: values the schema allows, so they
get past validation and reach the workflow); all failures are collected and listed together.
"""

from __future__ import annotations

import datetime as dt
import os

import pytest

schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from schemathesis import GenerationMode  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import response_schema_conformance  # noqa: E402

from qyzmet.core.iin import make_iin  # noqa: E402

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("QYZMET_FUZZ_EXAMPLES", "8"))
PSC = "aktogay-2013-psc"


def some_cases(consultant) -> None:
    """A few real cases, so lists, tasks and case pages answer with data the schema is checked against."""
    for n in range(3):
        body = {"regulation": "aktogay-2013/prosthetic-docs", "channel": "psc", "category": "general-disease",
                "applicant": {"iin": make_iin(dt.date(1970, 5, 4) + dt.timedelta(days=n), "female", 120),
                              "name": "Әлия Серікқызы", "phone": "+7 701 234 56 78"},
                "documents": ["application", "id-copy", "irp-extract"]}
        assert consultant.post("/cases", body).status_code == 201


def test_every_operation_answers_without_5xx_and_as_its_schema_says(demo_offices, clock, api_client_of):
    from django.contrib.auth import get_user_model
    from django.core.wsgi import get_wsgi_application

    from qyzmet.api.tokens import create_token

    consultant = api_client_of(f"{PSC}.psc-consultant")
    some_cases(consultant)
    _, token = create_token(get_user_model().objects.get(username=f"{PSC}.psc-consultant"), "fuzz")
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    headers = {"Authorization": f"Bearer {token}"}
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        # Valid requests (they reach the workflow) and invalid ones (they must be refused with a documented 4xx).
        strategy = operation.as_strategy() | operation.as_strategy(generation_mode=GenerationMode.NEGATIVE)

        @given(case=strategy)
        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        def check(case) -> None:
            case.call_and_validate(headers=headers, checks=[not_a_server_error, response_schema_conformance])

        try:
            check()
        except BaseException as exc:  # collect every operation's failure, not only the first one's
            failures.append(f"{operation.label}: {_summary(exc)}")
    assert operations > 30, "the OpenAPI document lost its operations"
    assert not failures, f"{len(failures)} of {operations} operations failed:\n\n" + "\n\n".join(failures)


def _summary(exc: BaseException) -> str:
    """A failure in a few lines: schemathesis' own message (which check, the value, how to reproduce)."""
    if isinstance(exc, KeyboardInterrupt):
        raise exc
    return f"{type(exc).__name__}: {str(exc)[:2500]}"


def _models_of(annotation, found: set) -> None:
    import typing

    from pydantic import BaseModel

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation in found:
            return
        found.add(annotation)
        for field in annotation.model_fields.values():
            _models_of(field.annotation, found)
        return
    for arg in typing.get_args(annotation):
        _models_of(arg, found)


def test_no_two_schemas_share_a_component_name():
    """ninja names an OpenAPI component after its class: two classes with one name become one component, and the
    document then describes one of the two answers wrongly (the fuzzing found /catalog's ActOut described as the
    Portal's service act).  Every model the API reads or answers has a name of its own."""
    from qyzmet.api.api import api

    found: set = set()
    for _prefix, router in api._routers:
        for view in router.path_operations.values():
            for operation in view.operations:
                for model in [*operation.models, *operation.response_models.values()]:
                    _models_of(model, found)
    by_name: dict[str, set[str]] = {}
    for model in found:
        if model.__module__ != "abc":  # ninja's own per-operation wrappers, never components
            by_name.setdefault(model.__name__, set()).add(f"{model.__module__}.{model.__qualname__}")
    assert {name: where for name, where in by_name.items() if len(where) > 1} == {}


def test_a_report_period_in_year_one_is_refused_naming_the_field(demo_offices, clock, api_client_of):
    """Found by the fuzzing: 0001-01-01 overflowed turning Almaty midnight into UTC, a 500."""
    consultant = api_client_of(f"{PSC}.psc-consultant")
    response = consultant.get("/health/steps", **{"from": "0001-01-01", "to": "0001-01-01"})
    assert response.status_code == 422, response.content
    assert response.json()["error"]["field"] == "from"
    assert "between 2000-01-01 and 2099-12-31" in response.json()["error"]["message"]
