"""A local HTTP (or HTTPS) server on 127.0.0.1 that stands in for a server on the internet in the tests of
fetching and harvesting: routes answer by path and query (`/catalog?page=2`), else by path; every request
is recorded."""

from __future__ import annotations

import http.server
import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

Route = Callable[[http.server.BaseHTTPRequestHandler], None]


@dataclass
class Server:
    """The server's routes, and what it was asked for: each request as (path, Host header), and each TLS name.
    `stop` is set when the server stops, for routes that hang on purpose."""

    port: int = 0
    scheme: str = "http"
    routes: dict[str, Route] = field(default_factory=dict)
    requests: list[Any] = field(default_factory=list)
    server_names: list[str | None] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"{self.scheme}://{host}:{self.port}{path}"

    def record(self, handler: http.server.BaseHTTPRequestHandler) -> None:
        self.requests.append((handler.path, handler.headers.get("Host", "")))


S = TypeVar("S", bound=Server)


@contextmanager
def serving(server: S, context: ssl.SSLContext | None = None) -> Iterator[S]:
    """The server, answering on a free port (over TLS with `context`) until the block ends."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            server.record(self)
            route = server.routes.get(self.path) or server.routes.get(self.path.split("?")[0])
            if route is None:
                self.send_error(404, "Not Found")
                return
            route(self)

        def log_message(self, *_args: Any) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    if context is not None:
        httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    server.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.stop.set()
        httpd.shutdown()
        httpd.server_close()


def send(
    body: bytes | Callable[[], bytes], content_type: str = "text/csv; charset=utf-8", status: int = 200,
    **headers: str,
) -> Route:  # fmt: skip
    """A route that answers with `body` (or what `body()` gives at the time of the request); a header
    `Content_Disposition=...` is sent as `Content-Disposition`."""

    def route(handler: http.server.BaseHTTPRequestHandler) -> None:
        content = body() if callable(body) else body
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(content)))
        for name, value in headers.items():
            handler.send_header(name.replace("_", "-"), value)
        handler.end_headers()
        handler.wfile.write(content)

    return route


def redirect(location: str, status: int = 302) -> Route:
    """A route that sends the client on to `location`."""

    def route(handler: http.server.BaseHTTPRequestHandler) -> None:
        handler.send_response(status)
        handler.send_header("Location", location)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    return route
