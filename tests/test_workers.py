"""``promcluster serve --workers 2``: a write through one worker process is seen by every read
through the other (search index and spelling vocabulary, discovery's location quotients kept in
memory, the OKPD2 classifier after a correction), on SQLite and on PostgreSQL.

The real server runs as a subprocess on a free loopback port. Which worker served a request is
read from the kernel, not from the application: each read uses a fresh connection, and while it
is still open (kept alive after the response) the test finds the server side of it in
``/proc/net/tcp`` and the worker process whose file descriptors hold that socket. Reads go on
until each worker has served several of them, and every one must see the write."""

import base64
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from factories import ADMIN, PASSWORD, TEST_SECRET_KEY

pytestmark = pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="needs Linux /proc")

WORKERS = 2
EACH = 3  # reads each worker must serve after a write
MAX_READS = 300
# Bounds, not expectations: on an idle machine the server answers in seconds; the first reads
# wait for a worker's warm-up (the first fits the models, the other loads them).
START_SECONDS = 120
READ_SECONDS = 150
NAME = "Ксилофонтех"  # a word no classifier or demo name holds
TYPO = "ксилофантех"
PLATE = "ксилофонтехническая плита"
BLOCKS = "23.61.11.140"  # Блоки стеновые из бетона
TYUMEN = (57.153, 65.534)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text() if entry.name.isdigit() else ""
        except OSError:
            continue
        if stat and int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            cmdline = (entry / "cmdline").read_bytes()
            if b"resource_tracker" not in cmdline:
                found.append(int(entry.name))
    return found


def _socket_inode(server_port: int, client_port: int) -> str | None:
    """The inode of the server side of the loopback connection from ``client_port``."""
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote, inode = fields[1], fields[2], fields[9]
        if int(local.split(":")[1], 16) == server_port and int(remote.split(":")[1], 16) == (
            client_port
        ):
            return inode
    return None


def _holder(pids: list[int], inode: str) -> int | None:
    wanted = f"socket:[{inode}]"
    for pid in pids:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                if os.readlink(fd) == wanted:
                    return pid
            except OSError:
                continue
    return None


class Server:
    """The platform served by ``promcluster serve --workers 2`` in its own process group."""

    def __init__(self, database_url: str, home: Path, artefacts: Path) -> None:
        self.port = _free_port()
        env = {
            **os.environ,
            "PROMCLUSTER_DATABASE_URL": database_url,
            "PROMCLUSTER_SECRET_KEY": TEST_SECRET_KEY,
            "PROMCLUSTER_CACHE_DIR": str(artefacts),
            "PROMCLUSTER_ANONYMOUS_EXPENSIVE_PER_MINUTE": "0",  # reads come from one address
            "PYTHONPATH": os.pathsep.join(p for p in sys.path if p),
        }
        command = [sys.executable, "-m", "promcluster.cli", "serve"]
        self.log = open(home / "server.log", "wb")  # noqa: SIM115  (closed in stop)
        self.process = subprocess.Popen(
            [*command, "--workers", str(WORKERS), "--port", str(self.port)],
            cwd=home,  # no .env of the working tree
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.workers: list[int] = []

    def wait_ready(self) -> None:
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.output()
            self.workers = _children(self.process.pid)
            if len(self.workers) == WORKERS:
                try:
                    if self.request("GET", "/")[1] == 200:
                        return
                except OSError:
                    pass
            time.sleep(0.3)
        raise AssertionError(f"no answer in {START_SECONDS} s:\n{self.output()}")

    def output(self) -> str:
        self.log.flush()
        return Path(self.log.name).read_text(errors="replace")[-3000:]

    def request(
        self, method: str, path: str, body: dict | None = None, auth: bool = False
    ) -> tuple[int | None, int, object]:
        """(the worker that served it, status, JSON body or None) over a fresh connection."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Content-Type": "application/json"} if body is not None else {}
        if auth:
            token = base64.b64encode(f"{ADMIN}:{PASSWORD}".encode()).decode()
            headers["Authorization"] = f"Basic {token}"
        try:
            connection.request(method, path, json.dumps(body) if body else None, headers)
            response = connection.getresponse()
            data = response.read()
            client_port = connection.sock.getsockname()[1]
            inode = _socket_inode(self.port, client_port)
            worker = _holder(self.workers, inode) if inode else None
        finally:
            connection.close()
        is_json = response.getheader("content-type", "").startswith("application/json")
        return worker, response.status, json.loads(data) if is_json else None

    def reads(self, path: str, params: dict, sees: Callable[[object], bool]) -> dict[int, int]:
        """GET ``path`` on fresh connections until each worker served ``EACH`` reads; every
        answer must satisfy ``sees``. Returns the reads per worker."""
        served = {pid: 0 for pid in self.workers}
        deadline = time.monotonic() + READ_SECONDS
        for _ in range(MAX_READS):
            if min(served.values()) >= EACH or time.monotonic() > deadline:
                break
            worker, status, body = self.request("GET", f"{path}?{urlencode(params)}")
            assert status == 200, body
            assert sees(body), (worker, body)
            assert worker in served, (worker, self.workers)
            served[worker] += 1
        assert min(served.values()) >= EACH, f"one worker served no reads: {served}"
        return served

    def stop(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(15)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(5)
        finally:
            self.log.close()


@pytest.fixture(scope="session")
def artefacts(tmp_path_factory) -> Path:
    """One directory of fitted models for the session: both backends hold the same reference
    data, so the second server loads what the first one's worker fitted."""
    return tmp_path_factory.mktemp("artefacts")


@pytest.fixture
def server(db, database_url: str, tmp_path: Path, artefacts: Path) -> Iterator[Server]:
    """Twelve concrete-products firms in region 72 and trade elsewhere (for the quotients),
    then the server with two workers over that database."""
    for i in range(12):
        db.add_enterprise(
            okved_main="23.61", employees=100 + i, lat=TYUMEN[0] + 0.01 * i, lon=TYUMEN[1]
        )
    for _ in range(6):
        db.add_enterprise(okved_main="47.11", region_code="66", employees=50)
    running = Server(database_url, tmp_path, artefacts)
    try:
        running.wait_ready()
        yield running
    finally:
        running.stop()


def _found(body, enterprise: int) -> bool:
    return any(h["kind"] == "enterprise" and h["ref_id"] == enterprise for h in body["hits"])


def test_a_write_through_one_worker_is_read_through_the_other(server: Server):
    # Every worker has loaded its vocabulary, quotients and classifier before the writes.
    server.reads("/api/v1/search", {"q": TYPO}, lambda b: not b["hits"] and not b["corrected"])
    server.reads("/api/v1/discover/72", {"level": 4}, lambda b: b["firms"] == 12)
    server.reads("/api/v1/okpd2/suggest", {"name": PLATE}, lambda b: b[0]["code"] != BLOCKS)

    fields = {"name": NAME, "region_code": "72", "okved_main": "23.61", "employees": 300}
    writer, status, created = server.request("POST", "/api/v1/enterprises", fields, True)
    assert status == 201, created
    assert writer in server.workers
    enterprise = created["id"]

    # The search index (in the database) and each worker's spelling vocabulary (in memory).
    served = server.reads("/api/v1/search", {"q": NAME}, lambda b: _found(b, enterprise))
    assert set(served) - {writer}, "the other worker served none"
    server.reads(
        "/api/v1/search",
        {"q": TYPO},
        lambda b: b["corrected"] == {TYPO: NAME.lower()} and _found(b, enterprise),
    )
    # Discovery's quotients, kept in each worker's memory until a write to the firms.
    server.reads("/api/v1/discover/72", {"level": 4}, lambda b: b["firms"] == 13)

    correction = {"name": PLATE, "okpd2_code": BLOCKS}
    _, status, body = server.request("POST", "/api/v1/okpd2/corrections", correction, True)
    assert status == 201, body
    server.reads("/api/v1/okpd2/suggest", {"name": PLATE}, lambda b: b[0]["code"] == BLOCKS)

    # A renamed enterprise: its old name's word is still known, its new one is found everywhere.
    patch = {"name": "Ксилофонпром", "version": created["version"]}
    path = f"/api/v1/enterprises/{enterprise}"
    _, status, body = server.request("PATCH", path, patch, True)
    assert status == 200, body
    server.reads("/api/v1/search", {"q": "ксилофонпрон"}, lambda b: _found(b, enterprise))
