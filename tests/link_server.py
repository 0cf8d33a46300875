"""A local HTTP server for the link checker's tests: each path answers HEAD and GET with a given status and
headers, and every request is recorded as (method, path)."""

from __future__ import annotations

import contextlib
import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Answer:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    refuse_head: bool = False  # answer HEAD with 405, as some servers do


@dataclass
class LinkServer:
    port: int = 0
    routes: dict[str, Answer] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@contextmanager
def link_server() -> Iterator[LinkServer]:
    server = LinkServer()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_HEAD(self) -> None:
            self._answer("HEAD")

        def do_GET(self) -> None:
            self._answer("GET")

        def _answer(self, method: str) -> None:
            server.requests.append((method, self.path))
            answer = server.routes.get(self.path, Answer(404))
            status = 405 if method == "HEAD" and answer.refuse_head else answer.status
            body = b"x" * 100_000  # never read by the link checker
            self.send_response(status)
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if method == "GET":
                with contextlib.suppress(OSError):  # the client hangs up without reading: that is the point
                    self.wfile.write(body)

        def log_message(self, *_args: Any) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    server.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        httpd.shutdown()
        httpd.server_close()
