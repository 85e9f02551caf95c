"""Load benchmark (issue 18): `promcluster serve` with 1 and with 2 workers on PostgreSQL behind
nginx, the demo plus 100,000 SYNTHETIC enterprises; readers driven by `wrk` at concurrency 16 on
a mix of pages and API calls, then 20 concurrent writers (PATCH with versions, POST needs).

    .venv/bin/python benchmarks/bench_load.py [--database-url URL] [--fresh] [--quick]

Everything runs on loopback and stops by itself: the database is prepared once (`db upgrade`,
`load reference`, `load demo`, `import enterprises` of a synthetic register; skipped when it is
there, redone with `--fresh`), each server and its nginx are stopped after their measurements,
each run is bounded by its duration (readers) or its count of iterations (writers). Needs `wrk`
and `nginx` (`apt-get install wrk nginx`). Figures in docs/BENCHMARKS.md, "Load (issue 18)".
"""

import argparse
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic import write_enterprises
from timing import CLI, free_port, stop

DEFAULT_URL = "postgresql://promcluster:promcluster@127.0.0.1:5432/promcluster_load"
REPO = Path(__file__).resolve().parents[1]
SITE = REPO / "deploy" / "nginx" / "promcluster.conf"
CACHE = Path("/tmp/promcluster-bench-cache")
SYSTEM_PATH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])
USERNAME = "bench-load"
SYNTHETIC_NAME = "Синтетическое предприятие №%"  # benchmarks/synthetic.py; the demo's end «(демо)»
SEARCH_WORDS = "трубы стальные"
# Targets of issue 18.
RATIO_BAR, PAGE_P95_BAR, WRITER_P95_BAR = 1.7, 300.0, 500.0


# Results of wrk, parsed from the line the Lua script's done() prints.

LUA = """\
local paths = {%(paths)s}
local n = 0
request = function()
  n = n %% #paths + 1
  return wrk.format("GET", paths[n], {["Accept-Encoding"] = "gzip"})
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %%d, "duration_us": %%d, "bytes": %%d, "connect": %%d, "read": %%d, ' ..
    '"write": %%d, "status": %%d, "timeout": %%d, "p50_us": %%d, "p95_us": %%d, ' ..
    '"p99_us": %%d, "max_us": %%d}\\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    latency.max))
end
"""


@dataclass
class ReadRun:
    """One wrk run: throughput, latency percentiles (ms) and errors."""

    requests: int
    seconds: float
    p50: float
    p95: float
    p99: float
    max: float
    bad_status: int  # answers other than 2xx/3xx
    socket_errors: int  # connect, read, write errors and timeouts
    app_cpu_ms: float = 0.0  # CPU time of the serve processes per request
    db_cpu_ms: float = 0.0  # CPU time of the PostgreSQL backends per request

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def lua_script(paths: list[str]) -> str:
    """The wrk script cycling over ``paths`` and printing its result as one JSON line."""
    return LUA % {"paths": ", ".join(json.dumps(p, ensure_ascii=False) for p in paths)}


def parse_wrk(output: str) -> ReadRun:
    """The ``RESULT {…}`` line of the script's done() as a ``ReadRun``; ValueError without it."""
    found = re.search(r"^RESULT (\{.*\})$", output, re.MULTILINE)
    if found is None:
        raise ValueError(f"no RESULT line in wrk's output:\n{output}")
    r = json.loads(found.group(1))
    return ReadRun(
        requests=r["requests"],
        seconds=r["duration_us"] / 1e6,
        p50=r["p50_us"] / 1000,
        p95=r["p95_us"] / 1000,
        p99=r["p99_us"] / 1000,
        max=r["max_us"] / 1000,
        bad_status=r["status"],
        socket_errors=r["connect"] + r["read"] + r["write"] + r["timeout"],
    )


def percentile(values: list[float], q: float) -> float:
    """The nearest-rank ``q``-th percentile (0 < q ≤ 100) of ``values``; 0 when empty."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))  # ceil(n q / 100), at least the first
    return ordered[int(rank) - 1]


def run_wrk(
    folder: Path, server: "Served", paths: list[str], seconds: float, connections: int
) -> ReadRun:
    """wrk on ``paths`` (cycled) for ``seconds`` with ``connections`` open connections, and the
    CPU time the application and the database spent per request meanwhile."""
    script = folder / "load.lua"
    script.write_text(lua_script(paths), encoding="utf-8")
    command = [
        shutil.which("wrk") or "wrk",
        *("-t", "2", "-c", str(connections), "-d", f"{max(1, round(seconds))}s"),
        *("--timeout", "30s", "-s", str(script), server.base),
    ]
    app_before, db_before = server.cpu()
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 90)
    app_after, db_after = server.cpu()
    run = parse_wrk(done.stdout + done.stderr)
    if run.requests:
        run.app_cpu_ms = (sum(app_after.values()) - sum(app_before.values())) / run.requests * 1000
        db = sum(t - db_before.get(p, 0.0) for p, t in db_after.items())
        run.db_cpu_ms = db / run.requests * 1000
    return run


# CPU time of process trees, from /proc.

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_of(pids: list[int]) -> dict[int, float]:
    """User + system CPU seconds of each of ``pids`` still alive."""
    found = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        found[pid] = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    return found


def process_tree(root: int) -> list[int]:
    """``root`` and its descendants."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            parents.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += parents.get(pid, [])
    return found


# The database.


def engine(url: str):
    from promcluster.db import make_engine

    return make_engine(url)


def scalar(url: str, sql: str, **params) -> object:
    from sqlalchemy import text

    e = engine(url)
    try:
        with e.connect() as connection:
            return connection.execute(text(sql), params).scalar()
    finally:
        e.dispose()


def scalar_list(url: str, sql: str) -> list:
    from sqlalchemy import text

    e = engine(url)
    try:
        with e.connect() as connection:
            return list(connection.execute(text(sql)).scalars())
    finally:
        e.dispose()


def cli(url: str, *args: str, env: dict[str, str] | None = None) -> None:
    """A ``promcluster`` command on ``url``; exits with its output when it fails."""
    done = subprocess.run([*CLI, *args, "--database", url], capture_output=True, text=True, env=env)
    if done.returncode != 0:
        sys.exit(f"promcluster {' '.join(args)} failed ({done.returncode}):\n{done.stderr}")


def synthetic_count(url: str) -> int:
    """The benchmark's synthetic enterprises in the database (0 without a schema)."""
    try:
        return int(
            scalar(
                url,
                "SELECT count(*) FROM enterprises WHERE name LIKE :p AND name NOT LIKE '%(демо)'",
                p=SYNTHETIC_NAME,
            )
        )
    except Exception:  # no schema yet
        return 0


def prepare_database(url: str, enterprises: int, fresh: bool) -> None:
    """Schema, reference, demo and ``enterprises`` synthetic enterprises, once; ``fresh`` wipes
    the ``public`` schema first. Always ``db upgrade`` (the server's /readyz checks it)."""
    try:
        scalar(url, "SELECT 1")
    except Exception as exc:
        from sqlalchemy import make_url

        shown = make_url(url).render_as_string(hide_password=True)
        sys.exit(f"PostgreSQL at {shown} is not reachable: {str(exc).splitlines()[0]}")
    if not fresh and synthetic_count(url) >= enterprises:
        log(f"database holds {enterprises:,} synthetic enterprises: set-up skipped")
        cli(url, "db", "upgrade")
        return
    from sqlalchemy import text

    e = engine(url)
    with e.begin() as connection:
        connection.execute(text('DROP SCHEMA IF EXISTS "public" CASCADE'))
        connection.execute(text('CREATE SCHEMA "public"'))
    e.dispose()
    started = time.perf_counter()
    for step in (("db", "upgrade"), ("load", "reference"), ("load", "demo")):
        log(f"promcluster {' '.join(step)} …")
        cli(url, *step)
    CACHE.mkdir(parents=True, exist_ok=True)
    register = CACHE / f"load-enterprises-{enterprises}.csv"
    if not register.exists():
        write_enterprises(register, enterprises)
    log(f"promcluster import enterprises ({enterprises:,} synthetic) …")
    cli(url, "import", "enterprises", str(register))
    log(f"database ready in {time.perf_counter() - started:.0f} s")


def bench_user(url: str, password: str) -> None:
    """An administrator for the writers, created once, its password set for this run."""
    env = {**os.environ, "PROMCLUSTER_NEW_PASSWORD": password}
    exists = scalar(url, "SELECT count(*) FROM users WHERE username = :u", u=USERNAME)
    if exists:
        cli(url, "user", "set-password", USERNAME, env=env)
    else:
        cli(url, "user", "add", USERNAME, "--role", "admin", env=env)


@dataclass
class Targets:
    """Real ids of the database the readers and the writers use."""

    cluster: int  # the cluster with the most members
    enterprise: int  # a synthetic enterprise of region 72, the needs' customer
    patched: list[int]  # synthetic enterprises the writers change (few: they collide)
    okpd2: str
    niche: str = ""  # a niche group of region 72, asked of the API once served


def find_targets(url: str) -> Targets:
    from sqlalchemy import text

    e = engine(url)
    with e.connect() as c:
        cluster = c.execute(
            text(
                "SELECT c.id FROM clusters c LEFT JOIN memberships m ON m.cluster_id = c.id "
                "GROUP BY c.id ORDER BY count(m.id) DESC, c.id LIMIT 1"
            )
        ).scalar_one()
        synthetic = (
            "SELECT id FROM enterprises WHERE name LIKE :p AND name NOT LIKE '%(демо)' "
            "AND region_code = '72' ORDER BY id LIMIT 5"
        )
        ids = list(c.execute(text(synthetic), {"p": SYNTHETIC_NAME}).scalars())
        demo_need = "SELECT okpd2_code FROM needs WHERE okpd2_code IS NOT NULL ORDER BY id LIMIT 1"
        code = c.execute(text(demo_need)).scalar_one()
    e.dispose()
    return Targets(cluster=cluster, enterprise=ids[0], patched=ids[1:], okpd2=code)


def read_paths(t: Targets) -> dict[str, str]:
    """The mix: four pages and four API reads, named by kind."""
    q = quote(SEARCH_WORDS)
    return {
        "home page": "/",
        "cluster page": f"/clusters/{t.cluster}",
        "niche page": f"/niches/72/{t.niche}",
        "search page": f"/search?q={q}",
        "API: cluster": f"/api/v1/clusters/{t.cluster}",
        "API: enterprise": f"/api/v1/enterprises/{t.enterprise}",
        "API: enterprises of region 72": "/api/v1/enterprises?region=72",
        "API: search": f"/api/v1/search?q={q}",
    }


# The servers: promcluster serve behind nginx.

MAIN_CONF = """\
{user}worker_processes auto;
error_log {tmp}/error.log;
pid {tmp}/nginx.pid;
events {{ worker_connections 1024; }}
http {{
    sendfile on;
    tcp_nopush on;
    types_hash_max_size 2048;
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    include {tmp}/promcluster.conf;
}}
"""


def render_site(http_port: int, redirect_port: int, app_port: int) -> str:
    """deploy/nginx/promcluster.conf on loopback without TLS: the HTTPS server listens in plain
    HTTP on ``http_port`` (its ``ssl_*`` lines dropped; every proxy, gzip, limit and static
    setting kept), the redirect server on ``redirect_port``, the static directory and upstream
    replaced as tests/test_deploy.py replaces them, no IPv6 listens."""
    from promcluster.web.assets import STATIC

    text = SITE.read_text(encoding="utf-8")
    replacements = [
        (
            "/opt/promcluster/venv/lib/python3.11/site-packages/promcluster/web/static/",
            f"{STATIC}/",
        ),
        ("server 127.0.0.1:8000;", f"server 127.0.0.1:{app_port};"),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{http_port};"),
        ("listen 80;", f"listen 127.0.0.1:{redirect_port};"),
    ]
    for old, new in replacements:
        if old not in text:
            sys.exit(f"{old!r} is no longer in {SITE}: update render_site")
        text = text.replace(old, new)
    kept = (
        line
        for line in text.splitlines(True)
        if "listen [::]" not in line and not line.strip().startswith("ssl_")
    )
    return "".join(kept)


def wait_for(url: str, limit: float, times: int = 1) -> None:
    """Until ``url`` answers 200 ``times`` in a row (several workers: each of them, likely)."""
    started, good = time.perf_counter(), 0
    while good < times:
        try:
            good = good + 1 if httpx.get(url, timeout=10).status_code == 200 else 0
        except httpx.TransportError:
            good = 0
        if time.perf_counter() - started > limit:
            sys.exit(f"{url} did not answer 200 within {limit:.0f} s")
        time.sleep(0.1 if good else 0.5)


@dataclass
class Served:
    """A running server: its address through nginx, its process, its database."""

    base: str
    pid: int
    url: str

    def cpu(self) -> tuple[dict[int, float], dict[int, float]]:
        """CPU seconds of the serve processes and of this database's PostgreSQL backends."""
        backends = scalar_list(
            self.url,
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()",
        )
        return cpu_of(process_tree(self.pid)), cpu_of(backends)


@contextmanager
def served(
    url: str, workers: int, folder: Path, app_port: int, web_port: int
) -> Iterator["Served"]:
    """``promcluster serve --workers N`` and nginx in front of it; the base URL through nginx
    once /readyz answers 200 (warm-up done)."""
    env = {
        **os.environ,
        "PROMCLUSTER_DATABASE_URL": url,
        "PROMCLUSTER_SECRET_KEY": secrets.token_urlsafe(48),
        "PROMCLUSTER_DEV_MODE": "false",
        "PROMCLUSTER_CACHE_DIR": str(CACHE / "artefacts"),
        "PROMCLUSTER_JOBS_FILE": str(folder / "jobs.db"),
        # Every client of the benchmark has the one address 127.0.0.1, where real visitors have
        # many: the per-address limit of anonymous searches and niche pages would refuse them.
        "PROMCLUSTER_ANONYMOUS_EXPENSIVE_PER_MINUTE": "0",
    }
    app_log = (folder / f"serve-{workers}.log").open("w")
    app = subprocess.Popen(
        [*CLI, "serve", "--workers", str(workers), "--host", "127.0.0.1", "--port", str(app_port)],
        env=env,
        cwd=folder,
        start_new_session=True,
        stdout=app_log,
        stderr=subprocess.STDOUT,
    )
    tmp = folder / "nginx"
    tmp.mkdir(exist_ok=True)
    (tmp / "promcluster.conf").write_text(
        render_site(web_port, free_port(), app_port), encoding="utf-8"
    )
    user = "user root;\n" if os.geteuid() == 0 else ""
    (tmp / "nginx.conf").write_text(MAIN_CONF.format(user=user, tmp=tmp), encoding="utf-8")
    nginx = subprocess.Popen(
        [nginx_binary(), "-e", str(tmp / "error.log"), "-p", str(tmp),
         "-c", str(tmp / "nginx.conf"), "-g", "daemon off;"],
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{web_port}"
    try:
        started = time.perf_counter()
        wait_for(f"{base}/readyz", limit=600, times=5 * workers)
        log(f"{workers} worker(s) ready behind nginx in {time.perf_counter() - started:.0f} s")
        yield Served(base, app.pid, url)
    except SystemExit:
        app_log.flush()
        log((folder / f"serve-{workers}.log").read_text()[-3000:])
        raise
    finally:
        stop(nginx)
        stop(app)
        app_log.close()


def nginx_binary() -> str:
    return shutil.which("nginx", path=SYSTEM_PATH) or "nginx"


# Writers.


@dataclass
class WriteRun:
    """Latencies (ms) of the writes, 409 answers (retried, not errors) and errors."""

    latencies: list[float] = field(default_factory=list)
    conflicts: int = 0
    server_errors: int = 0  # 5xx
    other_errors: list[str] = field(default_factory=list)  # other 4xx, refused connections
    seconds: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, started: float, status: int | None, what: str) -> None:
        with self.lock:
            self.latencies.append((time.perf_counter() - started) * 1000)
            if status == 409:
                self.conflicts += 1
            elif status is not None and status >= 500:
                self.server_errors += 1
            elif status is None or status >= 400:
                self.other_errors.append(f"{what}: {status or 'no answer'}")


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def signed_in(base: str, password: str) -> httpx.Client:
    """A client logged in through the login form, sending the session's CSRF token."""
    client = httpx.Client(base_url=base, timeout=60)
    form = client.get("/login")
    token = CSRF.search(form.text)
    answer = client.post(
        "/login",
        data={"username": USERNAME, "password": password, "next": "/", "csrf_token": token[1]},
    )
    if answer.status_code != 303:
        sys.exit(f"login of {USERNAME} failed: {answer.status_code} {answer.text[:300]}")
    client.headers["X-CSRF-Token"] = CSRF.search(client.get("/").text)[1]
    return client


def versioned_patch(client: httpx.Client, path: str, body: dict, run: WriteRun) -> None:
    """Read the version, PATCH with it; on 409 read it again (at most 20 tries)."""
    for _ in range(20):
        version = client.get(path).json()["version"]
        started = time.perf_counter()
        try:
            status = client.patch(path, json={**body, "version": version}).status_code
        except httpx.TransportError:
            status = None
        run.record(started, status, f"PATCH {path}")
        if status != 409:
            return


def writer(client: httpx.Client, number: int, iterations: int, t: Targets, run: WriteRun) -> None:
    """``iterations`` writes in turn: an enterprise's staff, a cluster's note, a new need."""
    for i in range(iterations):
        kind = (number + i) % 3
        if kind == 0:
            path = f"/api/v1/enterprises/{t.patched[(number + i) % len(t.patched)]}"
            versioned_patch(client, path, {"employees": 10 + number * 100 + i}, run)
        elif kind == 1:
            note = f"Нагрузочный тест: писатель {number}, шаг {i} (синтетические данные)"
            versioned_patch(client, f"/api/v1/clusters/{t.cluster}", {"status_note": note}, run)
        else:
            need = {
                "product_name": f"Потребность нагрузочного теста {number}-{i} (синтетика)",
                "customer_id": t.enterprise,
                "okpd2_code": t.okpd2,
                "volume": 10 + i,
                "unit": "т",
            }
            started = time.perf_counter()
            try:
                status = client.post("/api/v1/needs", json=need).status_code
            except httpx.TransportError:
                status = None
            run.record(started, status, "POST /api/v1/needs")


def run_writers(base: str, password: str, count: int, iterations: int, t: Targets) -> WriteRun:
    """``count`` writer threads, each signed in, started together."""
    clients = [signed_in(base, password) for _ in range(count)]
    run = WriteRun()
    threads = [
        threading.Thread(target=writer, args=(c, n, iterations, t, run))
        for n, c in enumerate(clients)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    run.seconds = time.perf_counter() - started
    for c in clients:
        c.close()
    return run


# The measurement and its report.


def measure(args: argparse.Namespace, t: Targets, password: str, folder: Path) -> dict:
    """Per count of workers: the mix, each URL alone, the writers."""
    results: dict = {}
    for workers in args.workers:
        app_port = args.port or free_port()
        web_port = args.port + 1 if args.port else free_port()
        with served(args.database_url, workers, folder, app_port, web_port) as server:
            base = server.base
            if not t.niche:
                niches = httpx.get(f"{base}/api/v1/niches", params={"region": "72", "top": 1})
                t.niche = niches.json()["items"][0]["group"]
            paths = read_paths(t)
            c = args.connections
            log(f"{workers} worker(s): warm-up {args.warmup:.0f} s …")
            run_wrk(folder, server, list(paths.values()), args.warmup, c)
            log(f"{workers} worker(s): mix {args.duration:.0f} s …")
            mix = run_wrk(folder, server, list(paths.values()), args.duration, c)
            single = {}
            for name, path in paths.items():
                if args.per_url > 0:
                    single[name] = run_wrk(folder, server, [path], args.per_url, c)
            log(f"{workers} worker(s): {args.writers} writers × {args.iterations} …")
            writes = run_writers(base, password, args.writers, args.iterations, t)
        results[workers] = {"mix": mix, "single": single, "writers": writes, "paths": paths}
    return results


def ms(value: float) -> str:
    return f"{value:.0f}"


def report(results: dict, args: argparse.Namespace) -> tuple[str, dict[str, bool]]:
    """The markdown tables and the verdict on each target."""
    urls = len(next(iter(results.values()))["paths"])
    lines = [
        f"Readers: wrk, {args.connections} connections, mix of {urls} URLs for "
        f"{args.duration:.0f} s (after {args.warmup:.0f} s of warm-up).",
        "",
        "| workers | requests/s | p50 ms | p95 ms | p99 ms | max ms | non-2xx/3xx "
        "| socket errors | app CPU ms/req | PG CPU ms/req |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for workers, r in results.items():
        m = r["mix"]
        lines.append(
            f"| {workers} | {m.per_second:.1f} | {ms(m.p50)} | {ms(m.p95)} | {ms(m.p99)} | "
            f"{ms(m.max)} | {m.bad_status} | {m.socket_errors} | {m.app_cpu_ms:.1f} | "
            f"{m.db_cpu_ms:.1f} |"
        )
    verdict: dict[str, bool] = {}
    if 1 in results and 2 in results:
        ratio = results[2]["mix"].per_second / max(results[1]["mix"].per_second, 1e-9)
        lines.append(f"\nThroughput with 2 workers / 1 worker: **{ratio:.2f}×**")
        verdict[f"2 workers ≥ {RATIO_BAR}× one"] = ratio >= RATIO_BAR
    if args.per_url > 0:
        counts = list(results)
        lines += [
            f"\nEach URL alone, {args.connections} connections, {args.per_url:.0f} s:",
            "",
            "| URL | "
            + " | ".join(f"{w}w req/s | {w}w p95 ms | {w}w CPU ms/req" for w in counts)
            + " |",
            "| --- |" + " ---: | ---: | ---: |" * len(counts),
        ]
        for name, path in results[counts[0]]["paths"].items():
            cells = []
            for w in counts:
                s = results[w]["single"][name]
                cpu = f"{s.app_cpu_ms:.0f} + {s.db_cpu_ms:.0f}"
                cells.append(f"{s.per_second:.1f} | {ms(s.p95)} | {cpu}")
            lines.append(f"| {name} (`{path}`) | " + " | ".join(cells) + " |")
    lines += [
        f"\nWriters: {args.writers} threads × {args.iterations} writes (PATCH enterprise "
        "with version, PATCH cluster with version, POST need, in turn):",
        "",
        "| workers | writes | writes/s | p50 ms | p95 ms | max ms | 409 (retried) | 5xx "
        "| other errors |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for workers, r in results.items():
        w = r["writers"]
        lines.append(
            f"| {workers} | {len(w.latencies)} | {len(w.latencies) / max(w.seconds, 1e-9):.1f} | "
            f"{ms(percentile(w.latencies, 50))} | {ms(percentile(w.latencies, 95))} | "
            f"{ms(max(w.latencies, default=0))} | {w.conflicts} | {w.server_errors} | "
            f"{len(w.other_errors)} |"
        )
    top = max(results)
    pages = [v for k, v in results[top]["single"].items() if not k.startswith("API")]
    page_p95 = max([results[top]["mix"].p95, *(p.p95 for p in pages)])
    verdict[f"page p95 < {PAGE_P95_BAR:.0f} ms ({top} workers, mix and each page)"] = (
        page_p95 < PAGE_P95_BAR
    )
    errors = sum(
        run.bad_status + run.socket_errors
        for r in results.values()
        for run in [r["mix"], *r["single"].values()]
    )
    verdict["zero reader errors"] = errors == 0
    w = results[top]["writers"]
    verdict[f"writers p95 < {WRITER_P95_BAR:.0f} ms ({top} workers)"] = (
        percentile(w.latencies, 95) < WRITER_P95_BAR
    )
    verdict["writers: zero 5xx"] = all(r["writers"].server_errors == 0 for r in results.values())
    lines.append("")
    lines += [f"- {name}: {'PASS' if ok else 'FAIL'}" for name, ok in verdict.items()]
    return "\n".join(lines), verdict


def as_json(results: dict, machine: dict, verdict: dict) -> dict:
    out = {"machine": machine, "verdict": verdict, "workers": {}}
    for workers, r in results.items():
        w = r["writers"]
        out["workers"][workers] = {
            "mix": r["mix"].__dict__ | {"per_second": r["mix"].per_second},
            "single": {
                k: v.__dict__ | {"per_second": v.per_second} for k, v in r["single"].items()
            },
            "paths": r["paths"],
            "writers": {
                "writes": len(w.latencies),
                "seconds": w.seconds,
                "p50": percentile(w.latencies, 50),
                "p95": percentile(w.latencies, 95),
                "max": max(w.latencies, default=0),
                "conflicts": w.conflicts,
                "server_errors": w.server_errors,
                "other_errors": w.other_errors[:20],
            },
        }
    return out


def machine(url: str) -> dict:
    """Cores, CPU model, RAM, versions, and the load average now."""
    model = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")),
        "?",
    )  # fmt: skip
    ram = int(Path("/proc/meminfo").read_text().split()[1]) / 1024**2
    nginx = subprocess.run([nginx_binary(), "-v"], capture_output=True, text=True).stderr.strip()
    wrk = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split("\n")[0]
    return {
        "cores": os.cpu_count(),
        "cpu": model,
        "ram_gib": round(ram, 1),
        "python": sys.version.split()[0],
        "postgresql": scalar(url, "SHOW server_version"),
        "nginx": nginx.removeprefix("nginx version: "),
        "wrk": wrk.strip(),
    }


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL, help=f"default {DEFAULT_URL}")
    parser.add_argument("--fresh", action="store_true", help="wipe and rebuild the database")
    parser.add_argument("--enterprises", type=int, default=100_000, help="synthetic enterprises")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--connections", type=int, default=16, help="wrk's concurrency")
    parser.add_argument("--duration", type=float, default=20, help="seconds of the mix")
    parser.add_argument("--warmup", type=float, default=5, help="seconds before the mix")
    parser.add_argument("--per-url", type=float, default=5, help="seconds per URL (0: none)")
    parser.add_argument("--writers", type=int, default=20)
    parser.add_argument("--iterations", type=int, default=15, help="writes per writer")
    parser.add_argument("--port", type=int, default=0, help="the app's port (nginx: +1)")
    parser.add_argument("--quick", action="store_true", help="short runs (make bench)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    if args.quick:
        args.duration, args.warmup, args.per_url, args.iterations = 5, 2, 2, 5
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; 1 when a target of issue 18 is missed, 2 when a tool is missing."""
    args = parse_args(argv)
    for tool, package in (("wrk", "wrk"), ("nginx", "nginx")):
        if shutil.which(tool, path=SYSTEM_PATH) is None:
            log(f"bench_load: `{tool}` is not installed; `apt-get install {package}` first")
            return 2
    prepare_database(args.database_url, args.enterprises, args.fresh)
    password = secrets.token_urlsafe(24)
    bench_user(args.database_url, password)
    targets = find_targets(args.database_url)
    about = machine(args.database_url)
    about["load_before"] = load_average()
    with tempfile.TemporaryDirectory(prefix="promcluster-load-") as tmp:
        results = measure(args, targets, password, Path(tmp))
    about["load_after"] = load_average()
    text, verdict = report(results, args)
    print(
        f"Machine: {about['cores']} cores ({about['cpu']}), {about['ram_gib']} GiB RAM, "
        f"Python {about['python']}, PostgreSQL {about['postgresql']}, nginx {about['nginx']}, "
        f"{about['wrk']}; load average before {about['load_before']}, after "
        f"{about['load_after']}\n"
    )
    print(text)
    if args.json:
        args.json.write_text(
            json.dumps(as_json(results, about, verdict), indent=2, ensure_ascii=False)
        )
    return 0 if all(verdict.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
