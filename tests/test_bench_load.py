"""The pure helpers of benchmarks/bench_load.py: wrk's result line, percentiles, the nginx site
without TLS. (The benchmark itself runs with ``make bench``, never in the suite.)"""

import sys
from pathlib import Path

import pytest

from promcluster.web.assets import STATIC

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import bench_load

WRK_OUTPUT = """\
Running 20s test @ http://127.0.0.1:18121
  2 threads and 16 connections
RESULT {"requests": 512, "duration_us": 20040000, "bytes": 9000000, "connect": 0, "read": 1, \
"write": 0, "status": 3, "timeout": 2, "p50_us": 412000, "p95_us": 1234567, "p99_us": 1500000, \
"max_us": 2000000}
"""


def test_the_result_line_of_wrk_gives_throughput_latencies_and_errors():
    run = bench_load.parse_wrk(WRK_OUTPUT)
    assert run.requests == 512
    assert run.per_second == pytest.approx(512 / 20.04)
    assert (run.p50, run.p95, run.p99, run.max) == (412.0, 1234.567, 1500.0, 2000.0)
    assert run.bad_status == 3
    assert run.socket_errors == 3  # a read error and two timeouts


def test_output_without_a_result_line_is_an_error():
    with pytest.raises(ValueError, match="no RESULT line"):
        bench_load.parse_wrk("unable to connect to 127.0.0.1:1 Connection refused\n")


def test_percentiles_are_nearest_rank():
    values = [float(v) for v in range(1, 101)]  # 1 … 100
    assert bench_load.percentile(values, 50) == 50.0
    assert bench_load.percentile(values, 95) == 95.0
    assert bench_load.percentile(list(reversed(values)), 100) == 100.0
    assert bench_load.percentile([7.0], 95) == 7.0
    assert bench_load.percentile([], 95) == 0.0


def test_the_lua_script_names_every_path_once():
    script = bench_load.lua_script(["/", "/search?q=труба"])
    assert 'local paths = {"/", "/search?q=труба"}' in script  # Lua takes UTF-8 as it is


def test_the_site_is_served_in_plain_http_on_loopback_with_its_proxy_settings():
    site = bench_load.render_site(18121, 18122, 18120)
    assert "listen 127.0.0.1:18121;" in site
    assert "server 127.0.0.1:18120;" in site
    assert not any(line.strip().startswith("ssl_") for line in site.splitlines())
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in site
    assert f"alias {STATIC}/;" in site  # static files straight from the package, by nginx
