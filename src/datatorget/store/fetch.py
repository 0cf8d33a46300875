"""Fetch a table from a URL into a local file: http and https only, size and time limits, and never to a
private address (the portal must not become a way into the network it runs in).

Each hop (the URL, then every redirect, at most MAX_REDIRECTS) is checked the same way: the host name is
resolved here, every address is checked, and the connection goes to a checked address, with the host name
in the Host header and in TLS (SNI and certificate). There is no second lookup a DNS server could answer
differently. One deadline covers the whole fetch: a watchdog closes the socket when it passes, so a
server that sends a byte a second is cut off too.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import re
import socket
import ssl
import threading
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urljoin, urlsplit

from datatorget import __version__
from datatorget.store.addresses import AddressPolicy, any_address, is_public_address
from datatorget.store.report import IngestionFailed

MAX_REDIRECTS = 5
CHUNK = 64 * 1024
REDIRECTS = frozenset({301, 302, 303, 307, 308})
DEFAULT_PORTS = {"http": 80, "https": 443}
USER_AGENT = f"Datatorget/{__version__} (open data portal; fetches tables published by URL)"
EXTENSIONS = {
    "text/csv": ".csv",
    "text/tab-separated-values": ".tsv",
    "text/plain": ".txt",
    "application/json": ".json",
    "application/x-ndjson": ".json",
    "application/geo+json": ".geojson",
    "application/vnd.geo+json": ".geojson",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.oasis.opendocument.spreadsheet": ".ods",
    "application/vnd.apache.parquet": ".parquet",
    "application/x-parquet": ".parquet",
}


@dataclass(frozen=True)
class Fetched:
    path: Path
    file_name: str
    content_type: str | None
    byte_size: int


@dataclass(frozen=True)
class Target:
    """One URL, checked and split for http.client: an ASCII host name and a percent-encoded path."""

    url: str
    scheme: str
    host: str
    port: int
    path: str


def fetch_to_file(
    url: str,
    folder: Path,
    *,
    max_bytes: int,
    timeout_s: float,
    allow_private: bool,
    address_allowed: AddressPolicy | None = None,
    accept: str = "*/*",
) -> Fetched:
    """Download `url` into `folder`, following up to MAX_REDIRECTS redirects; IngestionFailed otherwise.

    `address_allowed` replaces the address check (by default: public addresses only, or any address when
    `allow_private`), for a deployment that must reach some internal hosts and for tests. `accept` is the
    Accept header (the harvester asks for RDF or JSON).
    """
    deadline = time.monotonic() + timeout_s
    allowed = address_allowed or (any_address if allow_private else is_public_address)
    current = url
    for _hop in range(MAX_REDIRECTS + 1):
        target = parse_target(current)
        addresses = resolve(target, allowed, deadline, timeout_s)
        with _Exchange(target, addresses, deadline, timeout_s, accept) as exchange:
            response = exchange.opened()
            if response.status in REDIRECTS:
                location = response.getheader("Location")
                if not location:
                    raise _http_error(response.status, response.reason)
                current = urljoin(current, location.strip())
                continue
            if not 200 <= response.status < 300:
                raise _http_error(response.status, response.reason)
            return exchange.save(folder, max_bytes)
    raise IngestionFailed(
        "too_many_redirects",
        sv=f"Adressen skickar vidare till en annan adress fler än {MAX_REDIRECTS} gånger; hämtningen avbröts.",
        en=f"The address redirects to another address more than {MAX_REDIRECTS} times; the fetch was stopped.",
    )


def parse_target(url: str) -> Target:
    """Check a URL (http or https, a host, no user name or password) and split it for http.client."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise _bad_url(sv="den är felaktigt skriven", en="it is malformed") from exc
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise _bad_url(
            sv="bara http:// och https:// kan hämtas", en="only http:// and https:// can be fetched"
        )
    if parts.username is not None or parts.password is not None:
        raise _bad_url(sv="den får inte innehålla användarnamn eller lösenord",
                       en="it must not hold a user name or password")  # fmt: skip
    host = parts.hostname or ""
    try:
        ascii_host = host if host.isascii() else host.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise _bad_url(sv="värdnamnet är ogiltigt", en="the host name is invalid") from exc
    if not ascii_host or not re.fullmatch(r"[A-Za-z0-9.\-:_%\[\]]+", ascii_host):
        raise _bad_url(sv="den saknar ett giltigt värdnamn", en="it lacks a valid host name")
    path = quote(parts.path or "/", safe="/%:@!$&'()*+,;=-._~")
    if parts.query:
        path += "?" + quote(parts.query, safe="/?%:@!$&'()*+,;=-._~")
    return Target(url, scheme, ascii_host, port or DEFAULT_PORTS[scheme], path)


def resolve(target: Target, allowed: AddressPolicy, deadline: float, timeout_s: float) -> list[str]:
    """The addresses of the target's host that `allowed` accepts; refused when there is none."""
    try:
        found = [ipaddress.ip_address(target.host.strip("[]"))]
    except ValueError:
        found = [
            ipaddress.ip_address(address.split("%")[0]) for address in _lookup(target, deadline, timeout_s)
        ]
    permitted = list(dict.fromkeys(str(address) for address in found if allowed(address)))
    if not permitted:
        shown = ", ".join(sorted({str(address) for address in found}))[:200]
        raise IngestionFailed(
            "private_address",
            sv=f"Adressen {target.host} pekar på ett internt eller reserverat nätverk ({shown}); därifrån hämtas "
            "inga filer.",
            en=f"The address {target.host} points to an internal or reserved network ({shown}); files are not "
            "fetched from there.",
        )
    return permitted


def _lookup(target: Target, deadline: float, timeout_s: float) -> list[str]:
    """DNS lookup of the host, in a thread so the deadline holds even when the resolver hangs."""
    found: list[str] = []
    failure: list[OSError] = []

    def look_up() -> None:
        try:
            infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
            found.extend(str(info[4][0]) for info in infos)
        except OSError as exc:
            failure.append(exc)

    thread = threading.Thread(target=look_up, name="fetch-dns", daemon=True)
    thread.start()
    thread.join(max(deadline - time.monotonic(), 0))
    if thread.is_alive():
        raise _timeout(timeout_s)
    if failure or not found:
        raise _unreachable(target.host, sv="namnet finns inte", en="the name does not exist")
    return found


class _PinnedHTTP(http.client.HTTPConnection):
    """An HTTP connection to a given address, whatever its host name resolves to now."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address
        self.raw_socket: socket.socket | None = None

    def connect(self) -> None:
        self.raw_socket = connect_to(self.address, self.port, self.timeout)
        self.sock = self.raw_socket


class _PinnedHTTPS(http.client.HTTPSConnection):
    """An HTTPS connection to a given address; SNI and the certificate check use the host name."""

    def __init__(self, host: str, port: int, address: str, timeout: float, context: ssl.SSLContext) -> None:
        super().__init__(host, port, timeout=timeout, context=context)
        self.address = address
        self.tls = context
        self.raw_socket: socket.socket | None = None

    def connect(self) -> None:
        self.raw_socket = connect_to(self.address, self.port, self.timeout)
        self.sock = self.tls.wrap_socket(self.raw_socket, server_hostname=self.host)


def connect_to(address: str, port: int, timeout: float | None) -> socket.socket:
    """A TCP connection to an IP address, with no name lookup of any kind (socket.create_connection would
    call getaddrinfo again)."""
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.settimeout(timeout)
        sock.connect((address, port))
    except BaseException:
        sock.close()
        raise
    return sock


class _Exchange:
    """One request to a checked address and its response, under the deadline (see `_Watchdog`)."""

    def __init__(
        self,
        target: Target,
        addresses: list[str],
        deadline: float,
        timeout_s: float,
        accept: str = "*/*",
        *,
        method: str = "GET",
    ) -> None:
        self.target = target
        self.method = method  # HEAD, or a GET whose body is never read, for the link checker
        self.headers = _HEADERS | {"Accept": accept}
        self.addresses = addresses
        self.deadline = deadline
        self.timeout_s = timeout_s
        self.connection: _PinnedHTTP | _PinnedHTTPS | None = None
        self.watchdog = _Watchdog(deadline)
        self.response: http.client.HTTPResponse | None = None

    def __enter__(self) -> _Exchange:
        self.watchdog.start()
        try:
            self.response = self._request()
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *_exc: object) -> None:
        self.watchdog.stop()
        if self.response is not None:
            self.response.close()  # with `Connection: close` the response holds the socket, not the connection
        if self.connection is not None:
            self.connection.close()

    def _request(self) -> http.client.HTTPResponse:
        """Connect to the first checked address that answers, send the request and read the headers."""
        sv, en = "ingen adress svarade", "no address answered"
        for address in self.addresses:
            self.connection = self._connection(address)
            self.watchdog.watch(self.connection)
            try:
                self.connection.connect()
            except OSError as exc:  # ssl.SSLError is an OSError
                self._check_deadline()
                sv, en = _reason(exc)
                continue
            try:
                self.connection.request(self.method, self.target.path, headers=self.headers)
                return self.connection.getresponse()
            except (OSError, http.client.HTTPException) as exc:
                self._check_deadline()
                sv, en = _reason(exc)
                raise _unreachable(self.target.host, sv=sv, en=en) from exc
        raise _unreachable(self.target.host, sv=sv, en=en)

    def _connection(self, address: str) -> _PinnedHTTP | _PinnedHTTPS:
        remaining = max(self.deadline - time.monotonic(), 0.001)
        if self.target.scheme == "https":
            return _PinnedHTTPS(
                self.target.host, self.target.port, address, remaining, ssl.create_default_context()
            )
        return _PinnedHTTP(self.target.host, self.target.port, address, remaining)

    def opened(self) -> http.client.HTTPResponse:
        """The response, once the exchange has been entered."""
        assert self.response is not None
        return self.response

    def _check_deadline(self) -> None:
        if self.watchdog.expired or time.monotonic() >= self.deadline:
            raise _timeout(self.timeout_s)

    def save(self, folder: Path, max_bytes: int) -> Fetched:
        """Stream the response body to a file in `folder`; refused as soon as it passes `max_bytes`."""
        response = self.opened()
        declared = _content_length(response)
        if declared is not None and declared > max_bytes:
            raise _too_large(max_bytes)
        content_type = (response.getheader("Content-Type") or "").split(";")[0].strip().lower() or None
        name = file_name_for(response.msg.get_filename(), self.target.path, content_type)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / name
        size = 0
        try:
            with path.open("wb") as out:
                while chunk := self._read():
                    size += len(chunk)
                    if size > max_bytes:
                        raise _too_large(max_bytes)
                    out.write(chunk)
                    self._check_deadline()
            self._check_deadline()  # the watchdog ends a read as if the body had ended
            if declared is not None and size < declared:
                raise _unreachable(self.target.host, sv="servern avbröt överföringen",
                                   en="the server broke off the transfer")  # fmt: skip
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return Fetched(path, name, content_type, size)

    def _read(self) -> bytes:
        try:
            return self.opened().read1(CHUNK)
        except (OSError, http.client.HTTPException) as exc:
            self._check_deadline()
            sv, en = _reason(exc)
            raise _unreachable(self.target.host, sv=sv, en=en) from exc


_HEADERS = {"User-Agent": USER_AGENT, "Accept": "*/*", "Accept-Encoding": "identity", "Connection": "close"}


class _Watchdog:
    """Shuts the socket of the watched connection down when the deadline passes, ending any read or write
    that is waiting (the TLS handshake, the headers, the body)."""

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.expired = False
        self._connection: _PinnedHTTP | _PinnedHTTPS | None = None
        self._timer: threading.Timer | None = None

    def start(self) -> None:
        self._timer = threading.Timer(max(self.deadline - time.monotonic(), 0), self._expire)
        self._timer.daemon = True
        self._timer.start()

    def watch(self, connection: _PinnedHTTP | _PinnedHTTPS) -> None:
        self._connection = connection

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()

    def _expire(self) -> None:
        self.expired = True
        raw = self._connection.raw_socket if self._connection is not None else None
        if raw is not None:
            with contextlib.suppress(OSError):  # already closed
                raw.shutdown(socket.SHUT_RDWR)


def file_name_for(disposition_name: str | None, path: str, content_type: str | None) -> str:
    """A safe local file name: from Content-Disposition, else the URL's last path segment, else `data`;
    given an extension from the content type when it has none."""
    candidates = [disposition_name or "", unquote(path.split("?")[0].rstrip("/").rsplit("/", 1)[-1])]
    name = next((cleaned for cleaned in map(_safe_name, candidates) if cleaned), "data")
    if "." not in name.strip("."):
        name += EXTENSIONS.get(content_type or "", "")
    return name


def _safe_name(name: str) -> str:
    """The last segment of a name, in ASCII letters, digits, `.`, `-` and `_` (as catalog.files keeps them)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    ascii_name = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_name).strip(".-")[-200:]


def _content_length(response: http.client.HTTPResponse) -> int | None:
    value = response.getheader("Content-Length")
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _reason(exc: BaseException) -> tuple[str, str]:
    """A short reason for a connection failure, in Swedish and English."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        detail = exc.verify_message or "?"
        return (
            f"certifikatet gick inte att verifiera ({detail})",
            f"the certificate could not be verified ({detail})",
        )
    if isinstance(exc, ConnectionRefusedError):
        return "anslutningen nekades", "the connection was refused"
    if isinstance(exc, TimeoutError):
        return "servern svarade inte", "the server did not answer"
    text = (str(exc) or type(exc).__name__)[:200]
    return text, text


def _bad_url(*, sv: str, en: str) -> IngestionFailed:
    return IngestionFailed(
        "bad_url", sv=f"Adressen går inte att hämta: {sv}.", en=f"The address cannot be fetched: {en}."
    )


def _timeout(timeout_s: float) -> IngestionFailed:
    return IngestionFailed(
        "fetch_timeout",
        sv=f"Hämtningen tog längre tid än {timeout_s:g} sekunder och avbröts.",
        en=f"The fetch took longer than {timeout_s:g} seconds and was stopped.",
    )


def _too_large(max_bytes: int) -> IngestionFailed:
    megabytes = f"{max_bytes / 1024**2:.1f}"
    return IngestionFailed(
        "too_large",
        sv=f"Filen på adressen är större än gränsen på {megabytes.replace('.', ',')} MB och hämtades inte.",
        en=f"The file at the address is larger than the limit of {megabytes} MB and was not fetched.",
    )


def _http_error(status: int, reason: Any) -> IngestionFailed:
    phrase = str(reason or "").strip()[:100]
    return IngestionFailed(
        "http_error",
        sv=f"Servern svarade med felkod {status} ({phrase}); filen kunde inte hämtas.",
        en=f"The server answered with error {status} ({phrase}); the file could not be fetched.",
    )


def _unreachable(host: str, *, sv: str, en: str) -> IngestionFailed:
    return IngestionFailed(
        "unreachable",
        sv=f"Det gick inte att hämta från {host}: {sv}.",
        en=f"Could not fetch from {host}: {en}.",
    )


# --- probing an address (the link checker) ---------------------------------------------------------------

NO_HEAD = frozenset({405, 501})  # servers that refuse HEAD are asked again with GET


def probe(
    url: str, *, timeout_s: float, allow_private: bool, address_allowed: AddressPolicy | None = None
) -> int:
    """The HTTP status an address answers with, after following up to MAX_REDIRECTS redirects: a HEAD
    request, or a GET whose body is never read when the server refuses HEAD (405, 501).

    The same checks as `fetch_to_file` (http and https only, no private addresses unless allowed, one
    deadline for all hops); IngestionFailed when no status comes (unreachable, refused address, timeout,
    endless redirects). An error status (404, 500) is returned, not raised: the caller judges it.
    """
    deadline = time.monotonic() + timeout_s
    allowed = address_allowed or (any_address if allow_private else is_public_address)
    current = url
    for _hop in range(MAX_REDIRECTS + 1):
        target = parse_target(current)
        addresses = resolve(target, allowed, deadline, timeout_s)
        status, location = _probe_once(target, addresses, deadline, timeout_s, "HEAD")
        if status in NO_HEAD:
            status, location = _probe_once(target, addresses, deadline, timeout_s, "GET")
        if status in REDIRECTS and location:
            current = urljoin(current, location.strip())
            continue
        return status
    raise IngestionFailed(
        "too_many_redirects",
        sv=f"Adressen skickar vidare till en annan adress fler än {MAX_REDIRECTS} gånger.",
        en=f"The address redirects to another address more than {MAX_REDIRECTS} times.",
    )


def _probe_once(
    target: Target, addresses: list[str], deadline: float, timeout_s: float, method: str
) -> tuple[int, str | None]:
    with _Exchange(target, addresses, deadline, timeout_s, method=method) as exchange:
        response = exchange.opened()
        return response.status, response.getheader("Location")
