"""Mounts the web UI on the portal app. (Placeholder until the pages land.)"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from starlette.exceptions import HTTPException

from datatorget.config import Settings
from datatorget.errors import DatatorgetError


def install_web(app: FastAPI, settings: Settings) -> None:
    del app, settings


def render_error(request: Request, exc: Exception) -> Response:
    if isinstance(exc, HTTPException):
        return HTMLResponse(str(exc.detail), status_code=exc.status_code)
    if isinstance(exc, DatatorgetError):
        return HTMLResponse(str(exc), status_code=400)
    raise exc
