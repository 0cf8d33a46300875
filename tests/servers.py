"""The portal with the demo municipality (its tables read in): as an app, or served by uvicorn in a thread on
a free port of 127.0.0.1 for the clients that need a real server (ckanapi, a browser)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn
from fastapi import FastAPI

from datatorget.app import create_app
from datatorget.catalog import accounts
from datatorget.config import Settings
from datatorget.demo.load import load_demo
from datatorget.jobs.ingestion import start_missing_tables
from datatorget.jobs.worker import run_pending


def demo_app(settings: Settings) -> FastAPI:
    """The app with the demo municipality loaded and its tables read in."""
    app = create_app(settings)
    with app.state.sessionmaker.begin() as session:
        load_demo(session, settings)
        start_missing_tables(session, accounts.system_user(session))
    run_pending(app.state.job_context)
    return app


@contextmanager
def served_demo(data_dir: Path, *, secret_key: str) -> Iterator[FastAPI]:
    """The demo app, served until the block ends; its address is `app.state.settings.base_url`."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    base_url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    app = demo_app(Settings(data_dir=data_dir, base_url=base_url, secret_key=secret_key))
    config = uvicorn.Config(app, log_level="warning", ws="none", lifespan="off", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        yield app
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        listener.close()
        if (processes := getattr(app.state, "sql_processes", None)) is not None:
            processes.close()
        app.state.engine.dispose()
