"""create_app(settings) -> the whole portal: the web UI at /, the API at /api/v1, files, health checks."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException
from starlette.middleware.sessions import SessionMiddleware

from datatorget import __version__
from datatorget.api import errors as api_errors
from datatorget.api.app import create_api
from datatorget.api.routers import ckan, dcat, distributions, health, uris
from datatorget.config import Settings
from datatorget.db.engine import engine_from_settings, make_sessionmaker
from datatorget.db.migrate import upgrade
from datatorget.dialogue.demand import DemandCounter, Flusher
from datatorget.dialogue.limits import RateLimiter
from datatorget.errors import DatatorgetError
from datatorget.jobs.tasks import JobContext
from datatorget.jobs.worker import Workers
from datatorget.middleware import BodyLimit, HeadAsGet, SecurityHeaders
from datatorget.store.connection import SharedConnection
from datatorget.web.app import install_web, render_error

SESSION_COOKIE = "datatorget_session"
MULTIPART_OVERHEAD = 1024 * 1024
MAX_OTHER_BODY = 1024 * 1024  # a JSON or form body: a dataset's metadata is far smaller


def create_app(
    settings: Settings | None = None, *, engine: Engine | None = None, migrate: bool = True
) -> FastAPI:
    """The portal for these settings. Nothing is read from the environment or opened at import time."""
    settings = settings or Settings()
    engine = engine or engine_from_settings(settings)
    if migrate:
        upgrade(engine)

    # Requests read pages of rows: one thread each serves many requests at once better than all threads
    # on one. Ingestion jobs get a database of their own, with every thread.
    duck = SharedConnection(settings, threads=1)
    jobs_duck = SharedConnection(settings)
    writing = make_sessionmaker(engine, writing=True)
    workers = Workers(JobContext(settings, writing, jobs_duck), settings.job_workers)
    demand = DemandCounter()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if settings.job_workers:
            workers.start()
        flusher = Flusher(demand, writing)  # counts of demand to the database every 30 s, and at the end
        flusher.start()
        yield
        workers.stop()
        flusher.stop()
        if (sql_processes := getattr(app.state, "sql_processes", None)) is not None:
            sql_processes.close()
        duck.close()
        jobs_duck.close()
        engine.dispose()

    app = FastAPI(
        title="Datatorget",
        version=__version__,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = make_sessionmaker(engine)
    app.state.writing_sessionmaker = writing
    app.state.duck = duck
    app.state.job_context = workers.ctx
    app.state.demand = demand
    app.state.rate_limiter = RateLimiter()  # in memory, per process

    api = create_api()
    api.state = app.state
    app.include_router(health.router)
    app.include_router(distributions.files_router)
    app.include_router(dcat.router)  # before uris: /datasets/dcat and /datasets/{slug}.rdf
    app.include_router(uris.router)
    app.include_router(ckan.router)
    app.mount("/api/v1", api)
    install_web(app, settings)

    async def handle(request: Request, exc: Exception) -> Response:
        if request.url.path.startswith(("/files/", "/api/", "/datasets/")):
            return await api_errors.handle(request, exc)
        return render_error(request, exc)

    for exception in (DatatorgetError, RequestValidationError, IntegrityError, HTTPException):
        app.add_exception_handler(exception, handle)
    # The outer guard on every body: an upload, plus room for the multipart framing. The exact file limit is
    # checked as the file is stored.
    app.add_middleware(
        BodyLimit,
        max_upload_bytes=settings.max_upload_bytes + MULTIPART_OVERHEAD,
        max_other_bytes=MAX_OTHER_BODY,
        render=handle,
    )
    app.add_middleware(SecurityHeaders)
    app.add_middleware(HeadAsGet)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.signing_key(),
        session_cookie=SESSION_COOKIE,
        max_age=settings.session_max_age_s,
        same_site="lax",
        https_only=settings.base_url.startswith("https://"),
    )
    return app


def create_app_from_environment() -> FastAPI:
    """The factory `datatorget serve --workers N` hands to uvicorn: settings from DATATORGET_* variables."""
    return create_app(Settings(), migrate=False)
