"""deploy/: the nginx site passes ``nginx -t`` and serves the platform on loopback, the systemd
unit passes ``systemd-analyze verify``, and the environment example names the real settings.

The site is tested as shipped, after one documented substitution (:func:`render_site`): its
placeholders (certificate directory, static directory, upstream address) and listen ports are
replaced by a throw-away certificate, the package's static directory and free loopback ports, and
it is included into an http block set as Debian's /etc/nginx/nginx.conf sets it. nginx runs as a
foreground child of the test with its pid, logs and temporary files in tmp.
"""

import os
import re
import shutil
import socket
import ssl
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from browser.conftest import TILE_URL, LiveServer, serve  # the live server of browser tests

from promcluster import dbadmin
from promcluster.app import DOCUMENT_UPLOADS, FORM_ROOM_BYTES, UPLOADS
from promcluster.config import Settings
from promcluster.web.assets import STATIC
from promcluster.web.headers import security_headers

REPO = Path(__file__).resolve().parents[1]
SITE = REPO / "deploy" / "nginx" / "promcluster.conf"
UNIT = REPO / "deploy" / "systemd" / "promcluster.service"
ENV_EXAMPLE = REPO / "deploy" / "promcluster.env.example"
SYSTEM_PATH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])
MIME_TYPES = Path("/etc/nginx/mime.types")

CERT_DIR = "/etc/letsencrypt/live/promcluster.example.ru/"
STATIC_DIR = "/opt/promcluster/venv/lib/python3.11/site-packages/promcluster/web/static/"
UPSTREAM = "server 127.0.0.1:8000;"
VENDOR_FILE = "/static/vendor/htmx/htmx.min.js"
CLIENT = "127.0.0.2"  # the test's own address: not nginx's (127.0.0.1), so forwarding shows
FORGED = "203.0.113.9"
MiB = 2**20
# Settings the environment example leaves out on purpose (fixed in the unit's ExecStart).
NOT_IN_ENV_EXAMPLE = {"PROMCLUSTER_HOST", "PROMCLUSTER_PORT"}

# As Debian's /etc/nginx/nginx.conf, which includes the site inside http {} (and already sets
# gzip, ssl_protocols and ssl_prefer_server_ciphers there); the test's files instead of
# /var/log/nginx and /var/lib/nginx.
MAIN_CONF = """\
{user}worker_processes 1;
events {{ worker_connections 64; }}
http {{
    sendfile on;
    tcp_nopush on;
    types_hash_max_size 2048;
    include {mime_types};
    default_type application/octet-stream;
    ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;
    ssl_prefer_server_ciphers on;
    gzip on;
    access_log {tmp}/access.log;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    include {tmp}/promcluster.conf;
}}
"""


def tool(name: str) -> str:
    """The path of a system program, or a skip saying how to install it."""
    found = shutil.which(name, path=SYSTEM_PATH)
    if found is None:
        pytest.skip(f"{name} is not installed (apt-get install {name}; .ci/run does)")
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def render_site(https_port: int, http_port: int, app_port: int, cert_dir: Path) -> str:
    """The shipped site for loopback: certificate directory, static directory and upstream
    replaced, ``listen 443``/``listen 80`` moved to 127.0.0.1 and the given ports, the IPv6
    listens dropped (a container may have no ::1)."""
    text = SITE.read_text(encoding="utf-8")
    replacements = [
        (CERT_DIR, f"{cert_dir}/"),
        (STATIC_DIR, f"{STATIC}/"),
        (UPSTREAM, f"server 127.0.0.1:{app_port};"),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;"),
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
    ]
    for old, new in replacements:
        assert old in text, f"{old!r} is no longer in {SITE}: update render_site"
        text = text.replace(old, new)
    return "".join(line for line in text.splitlines(True) if "listen [::]" not in line)


def self_signed(folder: Path) -> Path:
    """A one-day certificate for 127.0.0.1 as fullchain.pem and privkey.pem in ``folder``."""
    folder.mkdir()
    subprocess.run(
        [
            tool("openssl"),
            *("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"),
            *("-keyout", str(folder / "privkey.pem"), "-out", str(folder / "fullchain.pem")),
        ],
        check=True,
        capture_output=True,
    )
    return folder


@dataclass
class Nginx:
    """nginx's configuration for one test: the main file and the command to run it."""

    binary: str
    conf: Path
    tmp: Path

    def command(self, *args: str) -> list[str]:
        pid = f"daemon off; pid {self.tmp}/nginx.pid;"
        return [
            self.binary,
            "-e",
            str(self.tmp / "error.log"),
            "-c",
            str(self.conf),
            "-g",
            pid,
            *args,
        ]

    def check(self) -> subprocess.CompletedProcess:
        return subprocess.run(self.command("-t"), capture_output=True, text=True, timeout=30)

    def error_log(self) -> str:
        path = self.tmp / "error.log"
        return path.read_text() if path.exists() else ""


def configure(tmp: Path, https_port: int, http_port: int, app_port: int) -> Nginx:
    """The site and a main configuration including it, written into ``tmp``."""
    binary = tool("nginx")
    if not MIME_TYPES.exists():
        pytest.skip(f"{MIME_TYPES} is missing (Debian's nginx package installs it)")
    cert_dir = self_signed(tmp / "tls")
    site = render_site(https_port, http_port, app_port, cert_dir)
    (tmp / "promcluster.conf").write_text(site, encoding="utf-8")
    # nginx started by root hands requests to workers running as `nobody`, who could not read
    # pytest's private tmp: the test's workers stay root (production keeps Debian's www-data).
    user = "user root;\n" if os.geteuid() == 0 else ""
    conf = tmp / "nginx.conf"
    conf.write_text(MAIN_CONF.format(user=user, mime_types=MIME_TYPES, tmp=tmp), encoding="utf-8")
    return Nginx(binary, conf, tmp)


@dataclass
class Stack:
    """nginx on loopback in front of the platform."""

    app: LiveServer
    https: str  # https://127.0.0.1:port
    http: str  # http://127.0.0.1:port (the redirecting server)
    cert: Path

    def client(self, address: str = CLIENT) -> httpx.Client:
        """An HTTPS client trusting the test's certificate, connecting from ``address``."""
        context = ssl.create_default_context(cafile=self.cert)
        transport = httpx.HTTPTransport(verify=context, local_address=address)
        return httpx.Client(base_url=self.https, transport=transport, timeout=10)


def wait_for_port(port: int, process: subprocess.Popen, nginx: Nginx) -> None:
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"nginx did not start: {nginx.error_log()}", pytrace=False)
            time.sleep(0.05)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The platform (an empty migrated database, secure cookies as in production) behind
    nginx."""
    tmp = tmp_path_factory.mktemp("nginx")
    https_port, http_port = free_port(), free_port()
    url = f"sqlite:///{tmp / 'promcluster.db'}"
    dbadmin.upgrade(url)
    with serve(url, secure_cookies=True) as app:
        app_port = int(app.url.rsplit(":", 1)[1])
        nginx = configure(tmp, https_port, http_port, app_port)
        process = subprocess.Popen(
            nginx.command(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            wait_for_port(https_port, process, nginx)
            yield Stack(
                app,
                f"https://127.0.0.1:{https_port}",
                f"http://127.0.0.1:{http_port}",
                tmp / "tls" / "fullchain.pem",
            )
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


# --- the configuration ------------------------------------------------------------------------


def test_site_passes_nginx_check(tmp_path: Path) -> None:
    nginx = configure(tmp_path, free_port(), free_port(), free_port())
    checked = nginx.check()
    assert checked.returncode == 0, checked.stderr
    assert "test is successful" in checked.stderr
    assert "[warn]" not in checked.stderr + nginx.error_log()


def test_site_refused_by_nginx_check_when_broken(tmp_path: Path) -> None:
    """The check can fail: a directive the site must not repeat at http level."""
    nginx = configure(tmp_path, free_port(), free_port(), free_port())
    site = tmp_path / "promcluster.conf"
    site.write_text("gzip on;\n" + site.read_text(encoding="utf-8"), encoding="utf-8")
    checked = nginx.check()
    assert checked.returncode != 0
    assert '"gzip" directive is duplicate' in checked.stderr


def test_site_limits_match_the_settings() -> None:
    """client_max_body_size: max_body_bytes for the server, max_upload_bytes for exactly the
    application's upload paths."""
    text = SITE.read_text(encoding="utf-8")
    fields = Settings.model_fields
    server = re.findall(r"^    client_max_body_size (\d+)m;", text, re.MULTILINE)
    assert [int(size) * MiB for size in server] == [fields["max_body_bytes"].default]
    uploads = re.findall(r"location = (\S+) \{\s+client_max_body_size (\d+)m;", text)
    assert {path for path, _ in uploads} == set(UPLOADS)
    assert {int(size) * MiB for _, size in uploads} == {fields["max_upload_bytes"].default}


def test_site_lets_document_uploads_through() -> None:
    """The document uploads' location: max_document_bytes and the form's room, on exactly the
    paths the application gives that limit (``app.DOCUMENT_UPLOADS``)."""
    text = SITE.read_text(encoding="utf-8")
    (pattern, size), *others = re.findall(
        r"location ~ (\S+) \{\s+client_max_body_size (\d+)m;", text
    )
    assert not others
    expected = Settings.model_fields["max_document_bytes"].default + FORM_ROOM_BYTES
    assert int(size) * MiB == expected
    paths = ["/clusters/7/documents", "/api/v1/clusters/7/documents", "/documents/12/files",
             "/api/v1/documents/12/files"]  # fmt: skip
    for path in paths:
        assert re.search(pattern, path)
        assert any(re.fullmatch(p, path) for p in DOCUMENT_UPLOADS)
    for path in ("/clusters/7/edit", "/documents/12", "/api/v1/documents/12/files/1"):
        assert not re.search(pattern, path)
        assert not any(re.fullmatch(p, path) for p in DOCUMENT_UPLOADS)


def test_unit_passes_systemd_check(tmp_path: Path) -> None:
    """``systemd-analyze verify`` (the program path replaced by one that exists here) prints
    nothing: no unknown key, no bad value."""
    analyze = tool("systemd-analyze")
    text = UNIT.read_text(encoding="utf-8")
    assert "/opt/promcluster/venv/bin/promcluster serve" in text
    unit = tmp_path / "promcluster.service"
    unit.write_text(text.replace("/opt/promcluster/venv/bin/promcluster", "/bin/true"))
    checked = subprocess.run(
        [analyze, "verify", str(unit)], capture_output=True, text=True, timeout=30
    )
    assert checked.returncode == 0 and not checked.stderr.strip(), checked.stderr
    unit.write_text(text.replace("NoNewPrivileges=", "NoNewPrivilege="))
    broken = subprocess.run([analyze, "verify", str(unit)], capture_output=True, text=True)
    assert "Unknown key" in broken.stderr


def test_env_example_names_every_setting() -> None:
    """Each PROMCLUSTER_* line is a setting (or a variable the unit uses), and every setting but
    host and port is there, set or commented out with its default."""
    named = set(re.findall(r"^#?(PROMCLUSTER_[A-Z0-9_]+)=", ENV_EXAMPLE.read_text(), re.MULTILINE))
    settings = {f"PROMCLUSTER_{name.upper()}" for name in Settings.model_fields}
    in_unit = set(re.findall(r"\$\{(PROMCLUSTER_[A-Z0-9_]+)\}", UNIT.read_text()))
    assert named - settings - in_unit == set()
    assert settings - named - NOT_IN_ENV_EXAMPLE == set()


# --- serving ----------------------------------------------------------------------------------


def test_home_page_through_nginx_with_headers_once(stack: Stack) -> None:
    with stack.client() as http:
        response = http.get("/")
    assert response.status_code == 200
    assert "text/html" in response.headers["content-type"]
    assert response.headers["server"] == "nginx"  # nginx answered, without its version
    assert response.headers["content-encoding"] == "gzip"
    expected = security_headers(Settings(secure_cookies=True, tile_url=TILE_URL))
    assert "Strict-Transport-Security" in expected
    for name, value in expected.items():
        assert response.headers.get_list(name) == [value], name


def test_static_files_served_by_nginx(stack: Stack) -> None:
    installed = STATIC / VENDOR_FILE.removeprefix("/static/")
    if not installed.exists():
        pytest.fail(f"{installed} is missing: run `make assets` first", pytrace=False)
    with stack.client() as http:
        vendor = http.get(VENDOR_FILE)
        own = http.get("/static/app.css")
        again = http.get("/static/app.css", headers={"If-None-Match": own.headers["etag"]})
    direct = httpx.get(stack.app.url + VENDOR_FILE)
    assert vendor.status_code == 200 and vendor.content == direct.content
    # nginx's caching headers and ETag ("mtime-size"); the application sends neither that
    # Cache-Control nor its security policy here, so the file did not come from it.
    assert vendor.headers["cache-control"] == "public, max-age=604800"
    assert re.fullmatch(r'(W/)?"[0-9a-f]+-[0-9a-f]+"', vendor.headers["etag"])
    assert "cache-control" not in direct.headers
    assert "content-security-policy" in direct.headers
    assert "content-security-policy" not in vendor.headers
    assert vendor.headers.get_list("x-content-type-options") == ["nosniff"]
    assert own.headers["cache-control"] == "no-cache"
    assert again.status_code == 304


def test_body_limits_through_nginx(stack: Stack) -> None:
    """Over max_body_bytes on an ordinary path, declared or streamed without a length: nginx's
    own 413 (the application's is JSON under /api); the same size to an import upload reaches
    the application (401: not logged in)."""
    body = b"x" * (2 * MiB + 1)
    with stack.client() as http:
        refused = http.post(
            "/api/v1/clusters", content=body, headers={"Content-Type": "text/plain"}
        )
        chunked = http.post("/api/v1/clusters", content=iter([body[:MiB]] * 3))
        at_limit = http.post(
            "/api/v1/clusters", content=body[:-1], headers={"Content-Type": "text/plain"}
        )
        upload = http.post(
            "/api/v1/imports",
            data={"kind": "enterprises"},
            files={"file": ("big.csv", b"inn;name\n" + body, "text/csv")},
        )
    assert refused.status_code == 413
    assert "413 Request Entity Too Large" in refused.text
    assert "application/json" not in refused.headers["content-type"]
    assert chunked.status_code == 413 and "413 Request Entity Too Large" in chunked.text
    assert at_limit.status_code != 413
    assert upload.status_code == 401
    assert upload.headers["content-type"] == "application/json"


def test_client_address_host_and_scheme_forwarded(stack: Stack) -> None:
    """The application sees the client's own address (not nginx's, not a forged header): a
    refused HTTP Basic login is counted against it. It sees the Host with its port and the
    scheme https, as its same-origin check of writes shows: an origin of this site passes (to
    the 401 of an anonymous write); with the Host on the default port, only the https origin
    passes, the http one is refused (403)."""
    with stack.client() as http:
        refused = http.post(
            "/api/v1/clusters",
            json={},
            auth=("deploy-test", "wrong"),
            headers={"X-Forwarded-For": FORGED},
        )
        same_site = http.post("/api/v1/clusters", json={}, headers={"Origin": stack.https})
        on_443 = {"Host": "127.0.0.1", "Origin": "https://127.0.0.1"}
        https_origin = http.post("/api/v1/clusters", json={}, headers=on_443)
        on_80 = {"Host": "127.0.0.1", "Origin": "http://127.0.0.1"}
        http_origin = http.post("/api/v1/clusters", json={}, headers=on_80)
    assert refused.status_code == 401
    clients = stack.app.sql("SELECT client FROM login_failures WHERE username = 'deploy-test'")
    assert [row.client for row in clients] == [CLIENT]
    assert same_site.status_code == 401
    assert https_origin.status_code == 401
    assert http_origin.status_code == 403


def test_http_redirects_to_https(stack: Stack) -> None:
    response = httpx.get(stack.http + "/clusters?region=72")
    assert response.status_code == 301
    assert response.headers["location"] == "https://127.0.0.1/clusters?region=72"


def test_metrics_only_from_loopback(stack: Stack) -> None:
    """/metrics: refused by nginx to any address but 127.0.0.1 and ::1, passed on from there."""
    with stack.client() as http:
        outside = http.get("/metrics")
    with stack.client("127.0.0.1") as http:
        local = http.get("/metrics")
    assert outside.status_code == 403 and "nginx" in outside.text
    assert local.status_code in (200, 404)
    assert "nginx" not in local.text
