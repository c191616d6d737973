"""The pure helpers of the load benchmark (bench/load.py); the benchmark itself is `make bench`."""

import importlib.util
from pathlib import Path

spec = importlib.util.spec_from_file_location(
    "bench_load", Path(__file__).resolve().parent.parent / "bench" / "load.py"
)
load = importlib.util.module_from_spec(spec)
spec.loader.exec_module(load)


def test_database_url_replaces_only_the_database_name():
    url = load.database_url("postgres://root@%2Fvar%2Frun%2Fpostgresql/postgres", "orientation_bench_1x")
    assert url == "postgres://root@%2Fvar%2Frun%2Fpostgresql/orientation_bench_1x"


def test_parse_wrk_counts_status_and_socket_errors_and_converts_to_milliseconds():
    output = (
        "Running 2s test\nBENCH_JSON "
        '{"requests": 500, "duration_us": 2000000, "connect": 1, "read": 2, "write": 0, "status": 3, '
        '"timeout": 4, "p50": 1500, "p95": 12000, "p99": 30000}\n'
    )
    figures = load.parse_wrk(output, 2)
    assert figures == {"requests": 500, "rps": 250.0, "p50_ms": 1.5, "p95_ms": 12.0, "p99_ms": 30.0, "errors": 10}


def test_growth_compares_p95_at_8_connections_from_the_smallest_to_the_largest_scale():
    rows = [
        {"endpoint": "job", "mode": "uncached", "scale": 1, "p95_ms_at_8": 20.0},
        {"endpoint": "job", "mode": "uncached", "scale": 3, "p95_ms_at_8": 25.0},
        {"endpoint": "job", "mode": "uncached", "scale": 10, "p95_ms_at_8": 40.0},
    ]
    assert load.growth(rows) == [
        {
            "endpoint": "job",
            "mode": "uncached",
            "from": 1,
            "to": 10,
            "p95_ms_from": 20.0,
            "p95_ms_to": 40.0,
            "growth": 2.0,
        }
    ]


def test_the_bench_runs_gunicorn_with_the_flags_of_make_serve():
    """`make bench` passes GUNICORN_FLAGS; bench/load.py run by hand must measure the same server."""
    makefile = (Path(__file__).resolve().parent.parent / "Makefile").read_text()
    flags = next(line for line in makefile.splitlines() if line.startswith("GUNICORN_FLAGS ?="))
    assert flags.removeprefix("GUNICORN_FLAGS ?=").strip() == load.SERVE_FLAGS
    assert "$(GUNICORN_FLAGS)" in makefile.split("\nserve:")[1].split("\n\n")[0]
    assert '--server-flags="$(GUNICORN_FLAGS)"' in makefile.split("\nbench:")[1].split("\n\n")[0]
