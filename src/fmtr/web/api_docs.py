"""The API's documentation page, /api/v1/docs: Swagger UI from the package swagger-ui-bundle-v2
(Apache-2.0), served by the app itself (no CDN, so it works offline), started by a script file
of the app (no inline script, so it runs under the pages' Content-Security-Policy)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from fmtr.web.pages import render, served_under

router = APIRouter(include_in_schema=False, dependencies=[Depends(served_under)])

DOCS_PATH = "/api/v1/docs"
# Where the Swagger UI files are served (mounted before /static, which would take them).
ASSETS_PATH = "/static/swagger-ui"


def swagger_ui_files() -> Path:
    from swagger_ui_bundle import swagger_ui_path

    return Path(str(swagger_ui_path))


@router.get(DOCS_PATH, response_class=HTMLResponse)
def api_docs(request: Request) -> HTMLResponse:
    return render(request, "api_docs.jinja", assets=ASSETS_PATH)
