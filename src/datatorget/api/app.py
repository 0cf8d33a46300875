"""The JSON API: /api/v1 with its own OpenAPI description and interactive docs."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException

from datatorget import __version__
from datatorget.api import errors
from datatorget.api.routers import (
    accounts,
    datapackages,
    datasets,
    demand,
    discussions,
    distributions,
    harvesting,
    jobs,
    organizations,
    quality,
    reports,
    request_feeds,
    requests,
    reuses,
    rows,
    sql,
    tables,
    vocabularies,
)
from datatorget.errors import DatatorgetError

SWAGGER_UI = "/static/vendor/swagger-ui"
DESCRIPTION = """\
The catalog of this portal: organisations, datasets and their distributions, with DCAT-AP-SE metadata.

Reading what is published needs no key. To write, send an API token: `Authorization: Bearer <token>`
(create one with `datatorget token create --user you@example.org` or `POST /api/v1/tokens`).
Every error has the same body (RFC 9457 problem details), with a field-by-field `errors` list for invalid input.
"""


def create_api() -> FastAPI:
    api = FastAPI(
        title="Datatorget API",
        version=__version__,
        description=DESCRIPTION,
        openapi_url="/openapi.json",
        docs_url=None,
        redoc_url=None,
        responses={
            400: {"model": errors.Problem, "description": "Malformed request"},
            401: {"model": errors.Problem, "description": "Missing, wrong, expired or revoked token"},
            403: {"model": errors.Problem, "description": "Not allowed"},
            404: {"model": errors.Problem, "description": "Not found, or not visible to the caller"},
            409: {"model": errors.Problem, "description": "Conflicts with stored data"},
            413: {"model": errors.Problem, "description": "Upload over the size limit"},
            422: {"model": errors.Problem, "description": "Invalid fields"},
            429: {"model": errors.Problem, "description": "Too many writes; try again after `Retry-After` s"},
        },
    )
    for router in (datasets.router, datapackages.router, distributions.router, organizations.router, accounts.router,
                   vocabularies.router, tables.router, rows.router, sql.router, jobs.router, request_feeds.router, requests.router,
                   reports.router, discussions.router, reuses.router, demand.router, harvesting.router, quality.router):  # fmt: skip
        api.include_router(router)
    install_error_handlers(api)

    @api.get("/docs", include_in_schema=False)
    def interactive_docs() -> HTMLResponse:
        """Swagger UI from the package installed by npm, so that the docs work on a server without internet."""
        return get_swagger_ui_html(
            openapi_url="/api/v1/openapi.json",
            title="Datatorget API",
            swagger_js_url=f"{SWAGGER_UI}/swagger-ui-bundle.js",
            swagger_css_url=f"{SWAGGER_UI}/swagger-ui.css",
            swagger_favicon_url=f"{SWAGGER_UI}/favicon-32x32.png",
        )

    return api


def install_error_handlers(app: FastAPI) -> None:
    for exception in (DatatorgetError, RequestValidationError, IntegrityError, HTTPException):
        app.add_exception_handler(exception, errors.handle)
    app.add_exception_handler(Exception, errors.unexpected)
