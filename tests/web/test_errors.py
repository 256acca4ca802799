"""One JSON error shape for every failing route of the API, declared in its OpenAPI schema, and
the same status and message on the explorer's error page."""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

# A failing request for every route of the API: (route, address, status, code).
FAILING = [
    ("/api/v1/summary", "/api/v1/summary", 503, "stale_index"),
    ("/api/v1/editions", "/api/v1/editions?format=xml", 400, "bad_input"),
    ("/api/v1/countries", "/api/v1/countries?limit=0", 400, "bad_input"),
    ("/api/v1/countries/{country}", "/api/v1/countries/Pakstan", 404, "unknown_country"),
    ("/api/v1/countries/{country}/series", "/api/v1/countries/XX/series", 404, "unknown_country"),
    ("/api/v1/countries/{country}/{what}", "/api/v1/countries/PAK/bogus", 400, "bad_input"),
    ("/api/v1/programmes", "/api/v1/programmes?format=pdf", 400, "bad_input"),
    ("/api/v1/programmes/{programme}/trend", "/api/v1/programmes/IMTE/trend", 404, "unknown_programme"),  # noqa: E501
    ("/api/v1/compare", "/api/v1/compare", 400, "bad_input"),
    ("/api/v1/top", "/api/v1/top?from=FY1950", 400, "unknown_fiscal_year"),
    ("/api/v1/series", "/api/v1/series?country=Atlantis", 404, "unknown_country"),
    ("/api/v1/gaps", "/api/v1/gaps?programme=nope", 404, "unknown_programme"),
    ("/api/v1/units", "/api/v1/units?q=a", 400, "bad_input"),
    ("/api/v1/units/{country}/{unit}", "/api/v1/units/COL/no such unit here", 404, "not_found"),
    ("/api/v1/courses", "/api/v1/courses?q=*", 400, "empty_search"),
    ("/api/v1/courses/{course}", "/api/v1/courses/no such course here", 404, "not_found"),
    ("/api/v1/search", "/api/v1/search?q=--", 400, "empty_search"),
    ("/api/v1/export", "/api/v1/export?country=Atlantis", 404, "unknown_country"),
    ("/api/v1/training", "/api/v1/training?limit=501", 400, "bad_input"),
    ("/api/v1/training/{training_id}", "/api/v1/training/99999", 404, "not_found"),
    ("/api/v1/cite", "/api/v1/cite?id=2016-nowhere-p1-1", 404, "unknown_identifier"),
    ("/api/v1/timeline", "/api/v1/timeline?country=Pakstan", 404, "unknown_country"),
    ("/api/v1/suspensions", "/api/v1/suspensions?programme=IMTE", 404, "unknown_programme"),
    ("/api/v1/events", "/api/v1/events?country=Atlantis", 404, "unknown_country"),
    ("/api/v1/funding/series", "/api/v1/funding/series?country=PAK&account=IMTE", 404, "unknown_account"),  # noqa: E501
    ("/api/v1/funding/top", "/api/v1/funding/top?account=IMET&from=FY1930", 400, "unknown_fiscal_year"),  # noqa: E501
    ("/api/v1/funding/courses", "/api/v1/funding/courses?country=PAK&from=FY2006&to=FY2002", 400, "bad_year_span"),  # noqa: E501
    ("/api/v1/funding/timeline", "/api/v1/funding/timeline?country=Pakstan", 404, "unknown_country"),  # noqa: E501
    ("/api/v1/funding/accounts", "/api/v1/funding/accounts?format=pdf", 400, "bad_input"),
    ("/api/v1/largest", "/api/v1/largest?programme=Economic+Support+Fund", 404, "unknown_account"),  # noqa: E501
]  # fmt: skip
# Routes that read no index answer the stale database; these are the ones that refuse it.
STALE = ["/api/v1/summary", "/api/v1/top", "/api/v1/countries/PAK", "/api/v1/units?q=army"]


@pytest.fixture(scope="module")
def stale_client(fixture_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    from fastapi.testclient import TestClient

    from fmtr.web.app import create_app

    db = Path(shutil.copy(fixture_db, tmp_path_factory.mktemp("stale") / "fmtr.sqlite"))
    with closing(sqlite3.connect(db)) as con, con:  # closed, not only committed
        con.execute("UPDATE search_state SET build_run_id = -1")
    with TestClient(create_app(str(db))) as c:
        yield c


def _shape(response: Any, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    assert set(response.json()) == {"error"}
    error = response.json()["error"]
    assert set(error) == {"status", "code", "message", "suggestion"}
    assert (error["status"], error["code"]) == (status, code)
    assert isinstance(error["message"], str) and error["message"]
    assert error["suggestion"] is None or isinstance(error["suggestion"], str)


@pytest.mark.parametrize(("route", "url", "status", "code"), FAILING, ids=[f[0] for f in FAILING])
def test_every_route_fails_in_one_shape(
    client: Any, stale_client: Any, route: str, url: str, status: int, code: str
) -> None:
    _shape((stale_client if code == "stale_index" else client).get(url), status, code)


def test_every_route_has_a_failing_case() -> None:
    from fmtr.web.api import router

    assert {r.path for r in router.routes} == {f[0] for f in FAILING}  # type: ignore[attr-defined]


@pytest.mark.parametrize("url", STALE)
def test_a_stale_index_is_503_with_the_commands_message(stale_client: Any, url: str) -> None:
    from fmtr.errors import SearchIndexStale

    response = stale_client.get(url)
    _shape(response, 503, "stale_index")
    assert response.json()["error"]["message"] == str(SearchIndexStale())


def test_a_suggestion_travels_apart_and_in_the_message(client: Any) -> None:
    error = client.get("/api/v1/countries/Pakstan").json()["error"]
    assert error["suggestion"] == "Pakistan"
    assert error["message"] == "unknown country 'Pakstan'; did you mean Pakistan?"


def test_unknown_routes_and_methods_too(client: Any) -> None:
    _shape(client.get("/api/v1/nowhere"), 404, "not_found")
    _shape(client.post("/api/v1/top"), 405, "method_not_allowed")


def test_the_schema_declares_the_error_shape_for_every_route(client: Any) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    body = schema["components"]["schemas"]["ErrorBody"]
    assert body["properties"]["error"]["$ref"].endswith("/ErrorDetail")
    detail = schema["components"]["schemas"]["ErrorDetail"]
    assert set(detail["properties"]) == {"status", "code", "message", "suggestion"}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert "422" not in responses, (path, method)  # never sent: validation is 400
            for status in ("400", "404", "503", "4XX"):
                ref = responses[status]["content"]["application/json"]["schema"]["$ref"]
                assert ref.endswith("/ErrorBody"), (path, method, status)


@pytest.mark.parametrize(
    ("url", "status"),
    [("/country/Pakstan", 404), ("/training/99999", 404), ("/search?limit=501", 400)],
)
def test_pages_show_the_same_error(client: Any, url: str, status: int) -> None:
    response = client.get(url)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    assert f"Error {status}" in response.text
