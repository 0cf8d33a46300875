"""Fetching a table from a URL: a real HTTP server on 127.0.0.1, with private addresses allowed where the
test needs to reach it, and refused where the test is about refusing them."""

from __future__ import annotations

import http.server
import ipaddress
import shutil
import socket
import ssl
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from datatorget.store.addresses import is_public_address
from datatorget.store.fetch import Fetched, fetch_to_file
from datatorget.store.report import IngestionFailed
from tests.http_server import Server, redirect, send, serving

CSV = "namn;antal\nNorrstrand;12\nSjöbaden;7\n".encode()


@pytest.fixture
def server() -> Iterator[Server]:
    with serving(Server()) as server:
        yield server


def fetch(url: str, folder: Path, **options: Any) -> Fetched:
    settings: dict[str, Any] = {"max_bytes": 1024 * 1024, "timeout_s": 5.0, "allow_private": True} | options
    return fetch_to_file(url, folder, **settings)


def only(address: str) -> Callable[[ipaddress.IPv4Address | ipaddress.IPv6Address], bool]:
    """An address policy that accepts one address: the test server stands in for the public internet."""
    return lambda candidate: candidate == ipaddress.ip_address(address)


def refused(url: str, folder: Path, **options: Any) -> IngestionFailed:
    with pytest.raises(IngestionFailed) as caught:
        fetch(url, folder, **options)
    return caught.value


def test_a_table_is_fetched_into_the_folder_under_the_name_in_its_url(server: Server, tmp_path: Path) -> None:
    server.routes["/data/badplatser.csv"] = send(CSV)
    fetched = fetch(server.url("/data/badplatser.csv"), tmp_path / "in")
    assert fetched == Fetched(tmp_path / "in" / "badplatser.csv", "badplatser.csv", "text/csv", len(CSV))
    assert fetched.path.read_bytes() == CSV


def test_the_name_from_content_disposition_wins_and_is_made_safe(server: Server, tmp_path: Path) -> None:
    server.routes["/export"] = send(
        CSV, Content_Disposition='attachment; filename="../../etc/Bad platser.csv"'
    )
    assert fetch(server.url("/export"), tmp_path).file_name == "Bad-platser.csv"


def test_an_encoded_swedish_file_name_keeps_its_letters_as_ascii(server: Server, tmp_path: Path) -> None:
    server.routes["/export"] = send(CSV, Content_Disposition="attachment; filename*=UTF-8''Sj%C3%B6bad.csv")
    assert fetch(server.url("/export"), tmp_path).file_name == "Sjobad.csv"


def test_a_name_without_extension_gets_one_from_the_content_type(server: Server, tmp_path: Path) -> None:
    server.routes["/api/export"] = send(b'[{"a": 1}]', "application/json")
    assert fetch(server.url("/api/export?format=json"), tmp_path).file_name == "export.json"


def test_a_url_without_a_path_gives_a_file_named_data(server: Server, tmp_path: Path) -> None:
    server.routes["/"] = send(b'{"type": "FeatureCollection", "features": []}', "application/geo+json")
    assert fetch(server.url("/"), tmp_path).file_name == "data.geojson"


def test_redirects_are_followed(server: Server, tmp_path: Path) -> None:
    server.routes["/old.csv"] = redirect("/new.csv", 301)
    server.routes["/new.csv"] = send(CSV)
    fetched = fetch(server.url("/old.csv"), tmp_path)
    assert (fetched.file_name, fetched.path.read_bytes()) == ("new.csv", CSV)


def test_more_than_five_redirects_are_refused(server: Server, tmp_path: Path) -> None:
    for hop in range(6):
        server.routes[f"/{hop}"] = redirect(f"/{hop + 1}")
    server.routes["/6"] = send(CSV)
    assert refused(server.url("/0"), tmp_path).code == "too_many_redirects"
    assert len(server.requests) == 6


def test_five_redirects_are_still_followed(server: Server, tmp_path: Path) -> None:
    for hop in range(5):
        server.routes[f"/{hop}"] = redirect(f"/{hop + 1}")
    server.routes["/5"] = send(CSV)
    assert fetch(server.url("/0"), tmp_path).path.read_bytes() == CSV


def test_a_loopback_address_is_refused_without_asking_it_anything(server: Server, tmp_path: Path) -> None:
    server.routes["/data.csv"] = send(CSV)
    failure = refused(server.url("/data.csv"), tmp_path, allow_private=False)
    assert failure.code == "private_address"
    assert "127.0.0.1" in failure.en
    assert server.requests == []


def test_a_host_name_that_resolves_to_loopback_is_refused(server: Server, tmp_path: Path) -> None:
    server.routes["/data.csv"] = send(CSV)
    assert (
        refused(server.url("/data.csv", host="localhost"), tmp_path, allow_private=False).code
        == "private_address"
    )
    assert server.requests == []


@pytest.mark.parametrize(
    "location",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://127.0.0.2/",
        "http://[::1]/",
        "http://[::ffff:10.0.0.1]/",
    ],
)
def test_a_redirect_to_a_private_address_is_refused(server: Server, tmp_path: Path, location: str) -> None:
    server.routes["/data.csv"] = redirect(location)
    failure = refused(server.url("/data.csv"), tmp_path, address_allowed=only("127.0.0.1"))
    assert failure.code == "private_address"


def test_a_redirect_to_another_scheme_is_refused(server: Server, tmp_path: Path) -> None:
    server.routes["/data.csv"] = redirect("file:///etc/passwd")
    assert refused(server.url("/data.csv"), tmp_path).code == "bad_url"


def test_the_checked_address_is_the_one_connected_to_with_the_name_in_the_host_header(
    server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = iter(["127.0.0.1", "169.254.169.254", "169.254.169.254"])  # a DNS rebinding attempt
    lookups: list[str] = []

    def rebinding(host: str, port: int, *_args: Any, **_kwargs: Any) -> list[Any]:
        lookups.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    server.routes["/data.csv"] = send(CSV)
    fetched = fetch(
        server.url("/data.csv", host="data.example.se"), tmp_path, address_allowed=only("127.0.0.1")
    )
    assert fetched.path.read_bytes() == CSV
    assert lookups == ["data.example.se"]
    assert server.requests == [("/data.csv", f"data.example.se:{server.port}")]


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://example.se/data.csv",
        "gopher://example.se/",
        "javascript:alert(1)",
        "data.csv",
        "",
    ],
)
def test_addresses_that_are_not_http_or_https_are_refused(tmp_path: Path, url: str) -> None:
    assert refused(url, tmp_path).code == "bad_url"


def test_an_address_with_a_password_is_refused(tmp_path: Path) -> None:
    failure = refused("https://anna:hemligt@example.se/data.csv", tmp_path)
    assert failure.code == "bad_url"
    assert "hemligt" not in failure.en


def test_a_missing_file_is_an_http_error_with_its_status(server: Server, tmp_path: Path) -> None:
    failure = refused(server.url("/saknas.csv"), tmp_path)
    assert failure.code == "http_error"
    assert "404" in failure.sv
    assert "404" in failure.en


def test_a_file_that_says_it_is_too_large_is_refused_before_reading(server: Server, tmp_path: Path) -> None:
    server.routes["/big.csv"] = send(b"x" * 2000)
    failure = refused(server.url("/big.csv"), tmp_path / "in", max_bytes=1000)
    assert failure.code == "too_large"
    assert not (tmp_path / "in" / "big.csv").exists()


def test_a_file_that_grows_past_the_limit_without_saying_its_size_is_refused(
    server: Server, tmp_path: Path
) -> None:
    def endless(handler: http.server.BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/csv")
        handler.end_headers()
        while not server.stop.is_set():
            try:
                handler.wfile.write(b"a;b\n" * 1024)
            except OSError:
                return

    server.routes["/stream.csv"] = endless
    failure = refused(server.url("/stream.csv"), tmp_path / "in", max_bytes=100_000)
    assert failure.code == "too_large"
    assert list((tmp_path / "in").iterdir()) == []


def test_a_server_that_never_answers_is_cut_off_at_the_deadline(server: Server, tmp_path: Path) -> None:
    def silent(_handler: http.server.BaseHTTPRequestHandler) -> None:
        server.stop.wait(30)

    server.routes["/slow.csv"] = silent
    started = time.monotonic()
    assert refused(server.url("/slow.csv"), tmp_path, timeout_s=0.5).code == "fetch_timeout"
    assert time.monotonic() - started < 3


def test_a_server_that_trickles_a_byte_at_a_time_is_cut_off_at_the_deadline(
    server: Server, tmp_path: Path
) -> None:
    def trickle(handler: http.server.BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/csv")
        handler.end_headers()
        while not server.stop.wait(0.05):
            try:
                handler.wfile.write(b"x")
                handler.wfile.flush()
            except OSError:
                return

    server.routes["/trickle.csv"] = trickle
    started = time.monotonic()
    failure = refused(server.url("/trickle.csv"), tmp_path / "in", timeout_s=1.0)
    assert failure.code == "fetch_timeout"
    assert time.monotonic() - started < 4
    assert list((tmp_path / "in").iterdir()) == []


def test_a_body_cut_short_of_its_stated_length_is_refused(server: Server, tmp_path: Path) -> None:
    def short(handler: http.server.BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", "1000")
        handler.end_headers()
        handler.wfile.write(b"a;b\n")
        handler.close_connection = True

    server.routes["/short.csv"] = short
    assert refused(server.url("/short.csv"), tmp_path).code == "unreachable"


def test_a_port_nobody_listens_on_is_unreachable(tmp_path: Path) -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    failure = refused(f"http://127.0.0.1:{port}/data.csv", tmp_path)
    assert failure.code == "unreachable"
    assert "refused" in failure.en


def test_a_host_name_that_does_not_exist_is_unreachable(tmp_path: Path) -> None:
    assert refused("http://finns-inte.invalid/data.csv", tmp_path).code == "unreachable"


@pytest.mark.parametrize(
    "address",
    ["10.0.0.1", "172.16.5.4", "192.168.1.1", "127.0.0.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",
     "224.0.0.1", "255.255.255.255", "::1", "::", "fe80::1", "fc00::1", "fec0::1", "ff02::1",
     "::ffff:127.0.0.1", "::ffff:10.0.0.1", "64:ff9b::7f00:1", "2002:7f00:1::", "2001:db8::1"],
)  # fmt: skip
def test_private_and_special_addresses_are_not_public(address: str) -> None:
    assert not is_public_address(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["8.8.8.8", "194.71.11.70", "2a00:1450:4001::1", "::ffff:8.8.8.8"])
def test_internet_addresses_are_public(address: str) -> None:
    assert is_public_address(ipaddress.ip_address(address))


def certificate(folder: Path, names: str) -> tuple[Path, Path]:
    """A self-signed certificate and its key for `names` (a subjectAltName value), made with openssl."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is not installed, so no test certificate can be made")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=test", "-addext",
         f"subjectAltName={names}"],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


@pytest.fixture
def tls_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    """An HTTPS server whose certificate (for `localhost` only) the fetch trusts through SSL_CERT_FILE."""
    cert, key = certificate(tmp_path, "DNS:localhost")
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    server = Server(scheme="https")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)

    def remember_name(_socket: ssl.SSLObject, name: str | None, _context: ssl.SSLContext) -> None:
        server.server_names.append(name)

    context.sni_callback = remember_name
    with serving(server, context) as served:
        yield served


def test_https_checks_the_certificate_against_the_host_name_not_the_address(
    tls_server: Server, tmp_path: Path
) -> None:
    tls_server.routes["/data.csv"] = send(CSV)
    fetched = fetch(
        tls_server.url("/data.csv", host="localhost"), tmp_path, address_allowed=only("127.0.0.1")
    )
    assert fetched.path.read_bytes() == CSV
    assert tls_server.server_names == ["localhost"]


def test_https_with_a_certificate_for_another_name_is_refused(tls_server: Server, tmp_path: Path) -> None:
    tls_server.routes["/data.csv"] = send(CSV)
    failure = refused(tls_server.url("/data.csv"), tmp_path)  # 127.0.0.1: the certificate names localhost
    assert failure.code == "unreachable"
    assert "certificate" in failure.en
    assert tls_server.requests == []
