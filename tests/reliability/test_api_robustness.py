"""Schemathesis against the app's own OpenAPI schema: no request, valid or not, gets a 500, and
a malformed query parameter gets a 4xx with a message.

Schemathesis 4.32.5 (dev extra). The app runs in-process (ASGI) over the database written by
code (tests/fixture_db.py): no corpus needed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, settings  # noqa: E402


@pytest.fixture(scope="module")
def api_app(fixture_db: Path) -> Any:
    from fmtr.settings import ServerSettings
    from fmtr.web.app import create_app

    cache = str(fixture_db.parent / "render")
    return create_app(str(fixture_db), settings=ServerSettings(image_cache=cache))


def test_no_request_gets_a_server_error(api_app: Any) -> None:
    """Every operation of the schema, with generated parameters valid and invalid.

    Driven through hypothesis directly: schemathesis' pytest plugin does not run under pytest 9
    (it reads a private attribute pytest 9 removed)."""
    from hypothesis import given
    from schemathesis.generation import GenerationMode

    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", api_app)
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert operations
    for operation in operations:
        strategy = operation.as_strategy(generation_mode=GenerationMode.POSITIVE) | (
            operation.as_strategy(generation_mode=GenerationMode.NEGATIVE)
        )

        @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
        @given(strategy)
        def run(case: Any) -> None:
            where = f"{case.method} {case.formatted_path} query={case.query}"
            try:
                response = case.call()
            except Exception as exc:  # the in-process client re-raises the app's own errors
                failures.append(f"{where} -> 500 ({type(exc).__name__}: {exc})")
                return
            if response.status_code >= 500:
                failures.append(f"{where} -> {response.status_code}: {response.text[:200]}")
            elif (
                response.status_code >= 400
                and "json" in response.headers.get("content-type", [""])[0]
            ) and not _is_error(response.json(), response.status_code):
                failures.append(f"{where} -> {response.status_code}: not fmtr's error shape")

        run()
    assert not failures, "\n".join(sorted(set(failures))[:20])


MALFORMED = [
    "/api/v1/training?limit=abc",
    "/api/v1/training?limit=0",
    "/api/v1/training?limit=100000",
    "/api/v1/training?offset=-1",
    "/api/v1/training?format=xml",
    "/api/v1/top?from=nineteen",
    "/api/v1/top?from=FY2020&to=FY2000",
    "/api/v1/top?from=FY99999999999999999999999",
    "/api/v1/top?programme=NOPE",
    "/api/v1/countries?limit=1e3",
    "/api/v1/training/notanumber",
    "/api/v1/training/99999999999999999999999999",
    "/api/v1/units?q=%00",
    "/api/v1/units?q=" + "%25" * 2000,
    "/api/v1/compare?countries=",
    "/api/v1/programmes/%FF%FE/trend",
]


@pytest.mark.parametrize("url", MALFORMED)
def test_malformed_query_gets_4xx_with_a_message(api_app: Any, url: str) -> None:
    from fastapi.testclient import TestClient

    with TestClient(api_app, raise_server_exceptions=False) as client:
        response = client.get(url)
    assert 400 <= response.status_code < 500, (url, response.status_code, response.text[:300])
    assert _is_error(response.json(), response.status_code), (url, response.text[:300])


def _is_error(body: Any, status: int) -> bool:
    """fmtr's one JSON error shape (fmtr.web.errors), with a message."""
    error = body.get("error") if isinstance(body, dict) else None
    return (
        isinstance(error, dict)
        and set(error) == {"status", "code", "message", "suggestion"}
        and error["status"] == status
        and bool(error["message"])
    )
