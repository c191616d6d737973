"""Load benchmark (`make bench`): the production server under wrk, against the static-file ceiling.

    .venv/bin/python bench/load.py [--scales 1,3,10] [--seconds 4] [--sweep-seconds 2]
    .venv/bin/python bench/load.py --scales 1 --endpoints job,job_list --modes cached --keep-databases

For each scale (1x = the ONISEP 2024 export and ROME from ../shared/data, or the demo sheets grown
synthetically when it is absent; 3x and 10x = that catalogue grown by bench/synthetic.py):
1. a fresh PostgreSQL database (server: BENCH_DATABASE_URL, else POSTGRES_URL, else the local socket),
   migrated, loaded, ANALYZEd (3x and 10x are copies of the 1x database, grown);
2. one request per endpoint through Django's test client, outside any load, after a warm-up request on
   another address: queries per request, the page's size, and the lists of real addresses;
3. gunicorn with the settings and flags of `make serve` (ORIENTATION_ENV=production, LOOPBACK_HTTP=1,
   a generated SECRET_KEY, ALLOWED_HOSTS=127.0.0.1, REDIS_URL of a Redis the bench starts, one
   worker per core, SERVE_FLAGS), page caching off (PAGE_CACHE_SECONDS=0): wrk on 127.0.0.1 per
   endpoint, rotating through many real addresses, at several concurrencies (the peak is kept) and at
   8 connections (the p95 target); and the same wrk against a static file of the same size written
   into STATIC_ROOT and served by the same server (WhiteNoise) - the ceiling;
4. when the settings know PAGE_CACHE_SECONDS, gunicorn again with page caching on: the cache is warmed,
   then wrk rotates through a small set of addresses.
The slowest uncached endpoint at the largest scale (or --profile-endpoint) is profiled in-process.
Results: bench/results/load-<date>.json and .md (and latest.json / latest.md), printed too.
Everything runs on 127.0.0.1; servers, Redis, databases and temporary files are removed at the end
(the databases are kept with --keep-databases, and reused by the next run with it: to iterate quickly).
"""

import argparse
import contextlib
import cProfile
import datetime
import io
import json
import os
import platform
import pstats
import random
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
RESULTS = REPO / "bench" / "results"
QUERIES = REPO / "bench" / "search_queries.tsv"
DEFAULT_SERVER = "postgres://root@%2Fvar%2Frun%2Fpostgresql/postgres"
TYPO_CATEGORIES = {"typo1", "typo2"}
P95_CONNECTIONS = 8
UNCACHED_URLS = 300  # addresses per endpoint when measuring uncached pages: every request a different page
CACHED_URLS = 10  # a small set, warmed first
PROFILE_TIMING_URLS = 9  # requests timed without the profiler, for the profiled endpoint

ENDPOINTS = {
    "job_list": "job list, no filter (pages, sorts)",
    "job_list_filters": "job list, 1 to 3 filters",
    "search": "search, no typo",
    "search_typo": "search with typos",
    "job": "job page",
    "training": "training page",
    "suggestions": "suggestions (JSON)",
}
# Targets of issue 8: minimum ratio to the static-file ceiling at peak throughput.
UNCACHED_RATIO_TARGETS = {"job_list_filters": 0.15, "search": 0.15, "search_typo": 0.15, "job": 0.3}
CACHED_RATIO_TARGET = 0.8
P95_TARGET_MS = 50.0
GROWTH_TARGET = 1.5
# gunicorn's flags in `make serve` (the Makefile's GUNICORN_FLAGS, which `make bench` passes with --server-flags;
# tests/test_bench_load.py checks the two agree). The bench adds --bind and --workers (one per core).
SERVE_FLAGS = "--worker-class gthread --threads 2 --timeout 30 --graceful-timeout 30"
# Databases kept between runs by --keep-databases (to iterate without reloading the catalogue).
KEPT_PREFIX = "orientation_bench_kept"

WRK_SCRIPT = r"""
-- Rotate through the paths of the file BENCH_URLS (one per line), each thread from its own offset;
-- print the figures as one JSON line (latencies in microseconds).
local counter = 0
function setup(thread)
  thread:set("offset", counter * 7919)
  counter = counter + 1
end
local paths = {}
for line in io.lines(os.getenv("BENCH_URLS")) do
  if line ~= "" then paths[#paths + 1] = line end
end
local index = 0
function init(args)
  index = (offset or 0) % #paths
end
function request()
  index = index % #paths + 1
  return wrk.format("GET", paths[index])
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "connect": %d, "read": %d, "write": %d, '
      .. '"status": %d, "timeout": %d, "p50": %d, "p95": %d, "p99": %d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


# --- pure helpers ---------------------------------------------------------------------------------


def database_url(server_url: str, name: str) -> str:
    """`server_url` with its database name replaced by `name` (socket directories and credentials kept)."""
    parts = urlsplit(server_url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + quote(name), parts.query, parts.fragment))


def parse_wrk(output: str, seconds_fallback: float) -> dict:
    """The figures of one wrk run from the JSON line the Lua script prints."""
    line = next((line for line in output.splitlines() if line.startswith("BENCH_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no figures:\n{output[-2000:]}")
    raw = json.loads(line.removeprefix("BENCH_JSON "))
    seconds = raw["duration_us"] / 1e6 or seconds_fallback
    return {
        "requests": raw["requests"],
        "rps": round(raw["requests"] / seconds, 1),
        "p50_ms": round(raw["p50"] / 1000, 2),
        "p95_ms": round(raw["p95"] / 1000, 2),
        "p99_ms": round(raw["p99"] / 1000, 2),
        # wrk counts answers of status > 399 and socket errors (connect, read, write, timeout)
        "errors": raw["status"] + raw["connect"] + raw["read"] + raw["write"] + raw["timeout"],
    }


def targets_for(endpoint: str, mode: str) -> float | None:
    """The minimum ratio to the ceiling the issue sets for this endpoint and mode (None: none)."""
    if mode == "cached":
        return CACHED_RATIO_TARGET
    return UNCACHED_RATIO_TARGETS.get(endpoint)


# --- the child side: runs inside Django with DATABASE_URL set ------------------------------------


def child_prepare(args: argparse.Namespace) -> None:
    """Migrate and load (fresh) or grow (copy), ANALYZE, then the addresses and queries per request."""
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from bench import synthetic

    started = time.perf_counter()
    if args.kept:
        call_command("migrate", "--noinput", verbosity=0)
        source = f"kept database of an earlier run ({args.scale}x)"
    elif args.fresh:
        call_command("migrate", "--noinput", verbosity=0)
        if (Path(args.data) / "onisep").exists():
            synthetic.load_real_data(Path(args.data))
            source = "ONISEP 2024 export + ROME 4.60"
        else:
            synthetic.load_demo_base(args.base_jobs)
            source = "synthetic (demo sheets grown from the real vocabulary; ../shared/data absent)"
    else:
        source = f"{args.scale}x synthetic growth of the 1x catalogue"
        synthetic.add_synthetic_jobs(args.scale, trainings=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    load_seconds = time.perf_counter() - started
    info = {
        "source": source,
        "load_seconds": round(load_seconds, 1),
        "page_cache_setting": getattr(settings, "PAGE_CACHE_SECONDS", None),
        **catalogue_size(),
        "endpoints": {},
    }
    urls = endpoint_urls(random.Random(args.scale))
    for name, (uncached, cached) in urls.items():
        figures = measure_in_process(uncached)
        info["endpoints"][name] = {"uncached_urls": uncached, "cached_urls": cached, **figures}
    Path(args.out).write_text(json.dumps(info))


def catalogue_size() -> dict:
    from catalogue.models import Appellation, Job, Training

    return {
        "jobs": Job.objects.published().count(),
        "trainings": Training.objects.published().count(),
        "appellations": Appellation.objects.count(),
    }


def endpoint_urls(rng: random.Random) -> dict[str, tuple[list[str], list[str]]]:
    """Real addresses per endpoint: many (uncached runs) and a small set (cached runs)."""
    from django.db.models import Count, Q
    from django.urls import reverse

    from catalogue.models import AccessLevel, Interest, Job, Sector, Status, Training
    from catalogue.services.search_quality import read_cases

    def sample(values: list[str], count: int) -> list[str]:
        values = list(dict.fromkeys(values))
        rng.shuffle(values)
        return values[:count]

    job_list = reverse("catalogue:job-list")
    jobs = list(Job.objects.published().values_list("slug", flat=True))
    trainings = list(Training.objects.published().values_list("slug", flat=True))
    pages = max(1, len(jobs) // 20)
    lists = [job_list] + [f"{job_list}?page={n}" for n in range(2, min(pages, 60) + 1)]
    lists += [f"{job_list}?sort={sort}&page={n}" for sort in ("name", "updated") for n in range(1, min(pages, 30) + 1)]

    used = Q(jobs__publication_status="published")
    vocab = {
        "interest": list(
            Interest.objects.annotate(n=Count("jobs", filter=used)).filter(n__gt=0).values_list("slug", flat=True)
        ),
        "sector": list(
            Sector.objects.annotate(n=Count("jobs", filter=used)).filter(n__gt=0).values_list("slug", flat=True)
        ),
        "status": list(
            Status.objects.annotate(n=Count("jobs", filter=used)).filter(n__gt=0).values_list("slug", flat=True)
        ),
        "level": list(AccessLevel.objects.exclude(rank=None).values_list("slug", flat=True)),
    }
    vocab = {name: values for name, values in vocab.items() if values}
    filtered = []
    for _ in range(UNCACHED_URLS * 2):
        names = rng.sample(sorted(vocab), min(len(vocab), rng.randint(1, 3)))
        filtered.append(job_list + "?" + "&".join(f"{name}={rng.choice(vocab[name])}" for name in names))

    cases = read_cases(QUERIES)
    plain = [case.query for case in cases if case.category not in TYPO_CATEGORIES]
    typos = [case.query for case in cases if case.category in TYPO_CATEGORIES]
    suggest = reverse("catalogue:job-suggestions")
    prefixes = [case.query[:length] for case in cases for length in (3, 5, 8) if len(case.query) >= length]

    def search(queries: list[str]) -> list[str]:
        return [f"{job_list}?q={quote(query)}" for query in queries]

    everything = {
        "job_list": lists,
        "job_list_filters": filtered,
        "search": search(plain),
        "search_typo": search(typos),
        "job": [reverse("catalogue:job-detail", args=[slug]) for slug in jobs],
        "training": [reverse("catalogue:training-detail", args=[slug]) for slug in trainings],
        "suggestions": [f"{suggest}?q={quote(prefix)}" for prefix in prefixes],
    }
    result = {}
    for name, values in everything.items():
        uncached = sample(values, UNCACHED_URLS)
        result[name] = (uncached, uncached[:CACHED_URLS])
    return result


def measure_in_process(urls: list[str]) -> dict:
    """Queries of one request and of a repeat; size of the median page; sample body.

    As the server runs them (page cache off, the bench's Redis): after a warm-up request on another
    address of the endpoint, which does the per-process work and fills the catalogue cache (the facet
    index and vocabularies of the current catalogue version), as any earlier request would have.
    """
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings

    client = Client(HTTP_HOST="127.0.0.1")
    client.get(urls[-1])  # warm-up on another address: per-process work, connections, catalogue cache
    cold, repeat = [], []
    with connection.execute_wrapper(counter(cold)):
        response = client.get(urls[0])
    with override_settings(PAGE_CACHE_SECONDS=300):  # a cached page: the second request of two
        client.get(urls[0])
        with connection.execute_wrapper(counter(repeat)):
            client.get(urls[0])
    if response.status_code != 200:
        raise RuntimeError(f"{urls[0]} answered {response.status_code}")
    sizes = []
    bodies = {}
    for url in urls[:15]:
        body = client.get(url).content
        sizes.append(len(body))
        bodies[len(body)] = body
    median = sorted(sizes)[len(sizes) // 2]
    return {
        "queries": len(cold),
        "queries_repeat": len(repeat),
        "page_bytes": median,
        "sample_body": bodies[median].decode("utf-8", errors="replace"),
    }


def counter(calls: list[str]):
    """A database execute wrapper that records every statement (CaptureQueriesContext misses the
    statements of a test-client request when the connection's query log was already full)."""

    def wrapper(execute, sql, params, many, context):
        calls.append(sql)
        return execute(sql, params, many, context)

    return wrapper


def child_profile(args: argparse.Namespace) -> None:
    """cProfile of one request and its time in SQL; the median time of a few others, without profiler.

    As in the uncached runs: page cache off, and a warm-up request on another address of the endpoint
    first (per-process work, connections, data cached under the catalogue version).
    """
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    others = args.timing_urls.split("\n") if args.timing_urls else []
    client.get(args.warm_up or args.profile)
    plain = []
    for url in others:
        started = time.perf_counter()
        client.get(url)
        plain.append((time.perf_counter() - started) * 1000)
    profiler = cProfile.Profile()
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        profiler.enable()
        client.get(args.profile)
        profiler.disable()
        total_ms = (time.perf_counter() - started) * 1000
    sql_ms = sum(float(query["time"]) for query in queries.captured_queries) * 1000
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(35)
    Path(args.out).write_text(
        json.dumps(
            {
                "url": args.profile,
                "total_ms": round(total_ms, 1),
                "plain_median_ms": round(sorted(plain)[len(plain) // 2], 1) if plain else None,
                "plain_requests": len(plain),
                "sql_ms": round(sql_ms, 1),
                "queries": len(queries.captured_queries),
                "slowest_queries": sorted(
                    (
                        {"ms": round(float(q["time"]) * 1000, 1), "sql": q["sql"][:300]}
                        for q in queries.captured_queries
                    ),
                    key=lambda q: -q["ms"],
                )[:5],
                "profile": text.getvalue(),
            }
        )
    )


# --- the parent side ------------------------------------------------------------------------------


def ensure_tools() -> None:
    missing = [tool for tool in ("wrk", "redis-server") if shutil.which(tool) is None]
    if missing and os.geteuid() == 0 and shutil.which("apt-get"):
        print(f"Installing {' '.join(missing)} from Debian's packages...", flush=True)
        subprocess.run(["apt-get", "install", "-y", "-q", *missing], check=False, stdout=subprocess.DEVNULL)
    missing = [tool for tool in ("wrk", "redis-server") if shutil.which(tool) is None]
    if missing:
        sys.exit(f"The benchmark needs {' and '.join(missing)}: sudo apt-get install -y {' '.join(missing)}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_exists(server_url: str, name: str) -> bool:
    import psycopg

    with psycopg.connect(server_url, autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def admin_sql(server_url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(statement)


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.server_url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("POSTGRES_URL") or DEFAULT_SERVER
        self.tmp = Path(tempfile.mkdtemp(prefix="orientation-bench-"))
        self.static_root = self.tmp / "static"
        self.workers = os.cpu_count() or 2
        self.redis_port = free_port()
        self.redis: subprocess.Popen | None = None
        self.server: subprocess.Popen | None = None
        self.databases: list[str] = []
        self.lua = self.tmp / "rotate.lua"
        self.lua.write_text(WRK_SCRIPT)
        self.env = {
            **{key: value for key, value in os.environ.items() if key not in {"CACHE_URL", "DEBUG", "STATIC_PLAIN"}},
            "DJANGO_SETTINGS_MODULE": "orientation.settings",
            "ORIENTATION_ENV": "production",
            "LOOPBACK_HTTP": "1",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "STATIC_ROOT": str(self.static_root),
            "REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "PYTHONPATH": str(REPO),
        }

    # processes

    def start_redis(self) -> None:
        command = ["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1", "--save", ""]
        command += ["--appendonly", "no", "--dir", str(self.tmp), "--loglevel", "warning"]
        self.redis = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                self.redis_client().ping()
                return
            except Exception:
                time.sleep(0.1)
        raise RuntimeError("redis-server did not start")

    def redis_client(self):
        import redis

        return redis.Redis(host="127.0.0.1", port=self.redis_port)

    def start_server(self, database: str, *, cached: bool) -> str:
        port = free_port()
        env = {**self.env, "DATABASE_URL": database_url(self.server_url, database)}
        if not cached:
            env["PAGE_CACHE_SECONDS"] = "0"
        # The flags of the Makefile's `serve` target.
        command = [sys.executable, "-m", "gunicorn", "orientation.wsgi:application", "--bind", f"127.0.0.1:{port}"]
        command += ["--workers", str(self.workers), *shlex.split(self.args.server_flags)]
        log = open(self.tmp / f"gunicorn-{port}.log", "wb")  # noqa: SIM115 - closed with the process
        self.server = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=log)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.server.poll() is not None:
                raise RuntimeError(f"gunicorn stopped: {(self.tmp / f'gunicorn-{port}.log').read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return base
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer /healthz within 60 s")

    def stop_server(self) -> None:
        if self.server is not None and self.server.poll() is None:
            self.server.send_signal(signal.SIGTERM)
            try:
                self.server.wait(timeout=35)
            except subprocess.TimeoutExpired:
                self.server.kill()
                self.server.wait()
        self.server = None

    def child(self, database: str, *extra: str) -> dict:
        out = self.tmp / f"child-{secrets.token_hex(4)}.json"
        # The bench's Redis, as the server: the catalogue cache is on, the page cache off.
        env = {**self.env, "DATABASE_URL": database_url(self.server_url, database), "PAGE_CACHE_SECONDS": "0"}
        env["LOG_LEVEL"] = "WARNING"  # no request log lines from the test client
        command = [sys.executable, __file__, *extra, "--out", str(out)]
        subprocess.run(command, cwd=REPO, env=env, check=True, timeout=1800)
        return json.loads(out.read_text())

    # measures

    def wrk(self, base: str, urls: list[str], connections: int, seconds: float) -> dict:
        url_file = self.tmp / "urls.txt"
        url_file.write_text("\n".join(urls) + "\n")
        command = [
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{max(1, round(seconds))}s",
            "--timeout",
            "5s",
            "-s",
            str(self.lua),
            base,
        ]
        result = subprocess.run(
            command,
            env={**os.environ, "BENCH_URLS": str(url_file)},
            capture_output=True,
            text=True,
            timeout=seconds + 60,
        )
        if "BENCH_JSON " not in result.stdout:
            raise RuntimeError(
                f"wrk ({' '.join(command)}) exited with {result.returncode} and printed no figures:\n"
                f"{result.stdout[-1500:]}\n{result.stderr[-1500:]}"
            )
        figures = parse_wrk(result.stdout, seconds)
        figures["connections"] = connections
        return figures

    def sweep(self, base: str, urls: list[str]) -> dict:
        """Runs at each concurrency; the peak of throughput, and the run at 8 connections."""
        runs = []
        for connections in self.args.concurrency:
            seconds = self.args.seconds if connections == P95_CONNECTIONS else self.args.sweep_seconds
            runs.append(self.wrk(base, urls, connections, seconds))
        if not any(run["connections"] == P95_CONNECTIONS for run in runs):
            runs.append(self.wrk(base, urls, P95_CONNECTIONS, self.args.seconds))
        peak = max(runs, key=lambda run: run["rps"])
        at8 = next(run for run in runs if run["connections"] == P95_CONNECTIONS)
        return {
            "peak_connections": peak["connections"],
            "rps": peak["rps"],
            "p50_ms": peak["p50_ms"],
            "p95_ms": peak["p95_ms"],
            "p99_ms": peak["p99_ms"],
            "errors": sum(run["errors"] for run in runs),
            "p95_ms_at_8": at8["p95_ms"],
            "rps_at_8": at8["rps"],
            "runs": runs,
        }

    def warm(self, base: str, urls: list[str]) -> None:
        for _ in range(2):
            for url in urls:
                with urllib.request.urlopen(base + url, timeout=30) as response:
                    response.read()

    def run_scale(self, scale: int, database: str, info: dict, *, cached: bool) -> dict:
        results = {}
        ceiling_dir = self.static_root / "bench-ceiling"
        ceiling_dir.mkdir(parents=True, exist_ok=True)
        # files of the pages' sizes, before the server starts (WhiteNoise scans at start)
        for name, endpoint in info["endpoints"].items():
            (ceiling_dir / f"{scale}x-{name}.html").write_text(endpoint["sample_body"], encoding="utf-8")
        mode = "cached" if cached else "uncached"
        base = self.start_server(database, cached=cached)
        try:
            for name, endpoint in info["endpoints"].items():
                if name not in self.args.endpoints:
                    continue
                self.redis_client().flushall()
                urls = endpoint["cached_urls"] if cached else endpoint["uncached_urls"]
                if cached:
                    self.warm(base, urls)
                figures = self.sweep(base, urls)
                # Right after the pages, by the same server: the machine's load drifts within a run.
                ceiling = self.sweep(base, [f"/static/bench-ceiling/{scale}x-{name}.html"])
                figures.update(
                    endpoint=name,
                    mode=mode,
                    scale=scale,
                    queries=endpoint["queries"] if not cached else endpoint["queries_repeat"],
                    page_bytes=endpoint["page_bytes"],
                    ceiling_rps=ceiling["rps"],
                    ceiling_p95_ms_at_8=ceiling["p95_ms_at_8"],
                    ceiling_errors=ceiling["errors"],
                    ratio=round(figures["rps"] / ceiling["rps"], 3) if ceiling["rps"] else None,
                    target_ratio=targets_for(name, mode),
                )
                results[name] = figures
                print(
                    f"  {scale:>2}x {mode:8} {name:17} {figures['rps']:8.1f} req/s (c={figures['peak_connections']})"
                    f"  p95@8 {figures['p95_ms_at_8']:7.1f} ms  errors {figures['errors']}"
                    f"  queries {figures['queries']}"
                    f"  ceiling {ceiling['rps']:8.1f} req/s  ratio {figures['ratio']}",
                    flush=True,
                )
        finally:
            self.stop_server()
        return results

    def run(self) -> dict:
        ensure_tools()
        started = time.monotonic()
        rows: list[dict] = []
        scales_info: dict = {}
        profile = None
        prefix = KEPT_PREFIX if self.args.keep_databases else f"orientation_bench_{os.getpid()}"
        try:
            self.start_redis()
            subprocess.run(
                [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
                cwd=REPO,
                env=self.env,
                check=True,
            )
            base_db = None
            for scale in self.args.scales:
                database = f"{prefix}_{scale}x"
                print(f"\n== {scale}x: database {database}", flush=True)
                if self.args.keep_databases and database_exists(self.server_url, database):
                    extra = ["--kept"]
                    base_db = base_db or database
                elif base_db is None:
                    admin_sql(self.server_url, f'CREATE DATABASE "{database}"')
                    self.databases.append(database)
                    extra = ["--fresh"]
                    base_db = database
                else:
                    admin_sql(self.server_url, f'CREATE DATABASE "{database}" TEMPLATE "{base_db}"')
                    self.databases.append(database)
                    extra = []
                info = self.child(
                    database,
                    "--prepare",
                    "--scale",
                    str(scale),
                    "--data",
                    str(self.args.data),
                    "--base-jobs",
                    str(self.args.base_jobs),
                    *extra,
                )
                caching = info["page_cache_setting"] is not None
                print(
                    f"  {info['source']}: {info['jobs']} jobs, {info['trainings']} trainings,"
                    f" {info['appellations']} appellations, prepared in {info['load_seconds']} s;"
                    f" page caching in the settings: {'yes' if caching else 'no (uncached only)'}",
                    flush=True,
                )
                scales_info[scale] = {
                    key: info[key] for key in ("source", "load_seconds", "jobs", "trainings", "appellations")
                }
                scales_info[scale]["page_caching"] = caching
                uncached = {}
                if "uncached" in self.args.modes:
                    uncached = self.run_scale(scale, database, info, cached=False)
                    rows += uncached.values()
                if caching and "cached" in self.args.modes:
                    rows += self.run_scale(scale, database, info, cached=True).values()
                if scale == self.args.scales[-1] and (uncached or self.args.profile_endpoint):
                    name = self.args.profile_endpoint or min(uncached.values(), key=lambda row: row["rps"])["endpoint"]
                    urls = info["endpoints"][name]["uncached_urls"]
                    timing = "\n".join(urls[1 : PROFILE_TIMING_URLS + 1])
                    profile = self.child(database, "--profile", urls[0], "--warm-up", urls[-1], "--timing-urls", timing)
                    profile["endpoint"] = name
                if database != base_db and not self.args.keep_databases:
                    self.drop(database)
        finally:
            self.stop_server()
            if self.redis is not None:
                self.redis.terminate()
                self.redis.wait(timeout=10)
            if not self.args.keep_databases:
                for database in list(self.databases):
                    self.drop(database)
            shutil.rmtree(self.tmp, ignore_errors=True)
        return {
            "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "machine": machine(),
            "workers": self.workers,
            "seconds": round(time.monotonic() - started),
            "settings": {
                "server_flags": self.args.server_flags,
                "concurrency": self.args.concurrency,
                "sweep_seconds": self.args.sweep_seconds,
                "seconds_at_8": self.args.seconds,
            },
            "scales": scales_info,
            "rows": [{key: value for key, value in row.items()} for row in rows],
            "profile": profile,
        }

    def drop(self, database: str) -> None:
        try:
            admin_sql(self.server_url, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        finally:
            if database in self.databases:
                self.databases.remove(database)


def machine() -> str:
    model = ""
    with contextlib.suppress(OSError, StopIteration):
        model = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    system = f"Linux {platform.release()}, Python {platform.python_version()}"
    return f"{platform.node()}, {os.cpu_count()} CPU {model}, {system}"


# --- report ---------------------------------------------------------------------------------------


def growth(rows: list[dict]) -> list[dict]:
    """p95 at 8 connections, smallest to largest scale, per endpoint and mode."""
    scales = sorted({row["scale"] for row in rows})
    if len(scales) < 2:
        return []
    index = {(row["endpoint"], row["mode"], row["scale"]): row for row in rows}
    result = []
    for (endpoint, mode, scale), row in index.items():
        if scale != scales[0] or (endpoint, mode, scales[-1]) not in index:
            continue
        last = index[(endpoint, mode, scales[-1])]
        factor = last["p95_ms_at_8"] / row["p95_ms_at_8"] if row["p95_ms_at_8"] else None
        result.append(
            {
                "endpoint": endpoint,
                "mode": mode,
                "from": scales[0],
                "to": scales[-1],
                "p95_ms_from": row["p95_ms_at_8"],
                "p95_ms_to": last["p95_ms_at_8"],
                "growth": round(factor, 2) if factor else None,
            }
        )
    return result


def verdicts(row: dict) -> list[str]:
    """The targets this row misses, each with the gap."""
    missed = []
    if row["errors"]:
        missed.append(f"{row['errors']} errors")
    if row["target_ratio"] is not None and row["ratio"] is not None and row["ratio"] < row["target_ratio"]:
        missed.append(
            f"ratio {row['ratio']:.2f} < {row['target_ratio']} ({row['ratio'] / row['target_ratio']:.0%} of it)"
        )
    if row["p95_ms_at_8"] >= P95_TARGET_MS:
        missed.append(
            f"p95@8 {row['p95_ms_at_8']:.0f} ms ≥ {P95_TARGET_MS:.0f} ({row['p95_ms_at_8'] / P95_TARGET_MS:.1f}×)"
        )
    return missed


def markdown(report: dict) -> str:
    lines = [
        f"Load benchmark of {report['date']} on {report['machine']}; gunicorn {report['workers']} workers"
        f" ({report['settings'].get('server_flags', '')});"
        f" wrk 1 thread, concurrency {report['settings']['concurrency']} for {report['settings']['sweep_seconds']} s"
        f" each, 8 connections for {report['settings']['seconds_at_8']} s; whole run {report['seconds']} s.",
        "",
    ]
    for scale, info in report["scales"].items():
        lines.append(
            f"- {scale}x: {info['source']}: {info['jobs']} published jobs, {info['trainings']} trainings,"
            f" {info['appellations']} appellations"
            + ("" if info["page_caching"] else "; page caching absent: uncached only")
        )
    lines += [
        "",
        "| scale | endpoint | mode | req/s (conns) | p50 ms | p95 ms | p99 ms | p95 ms @8 | errors | queries"
        " | page KB | ceiling req/s | ratio | target | missed |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in report["rows"]:
        target = f"≥ {row['target_ratio']}" if row["target_ratio"] is not None else "–"
        lines.append(
            f"| {row['scale']}x | {row['endpoint']} | {row['mode']} | {row['rps']:.0f} ({row['peak_connections']})"
            f" | {row['p50_ms']:.1f} | {row['p95_ms']:.1f} | {row['p99_ms']:.1f} | {row['p95_ms_at_8']:.1f}"
            f" | {row['errors']} | {row['queries']} | {row['page_bytes'] / 1024:.1f} | {row['ceiling_rps']:.0f}"
            f" | {row['ratio']:.2f} | {target} | {'; '.join(verdicts(row)) or 'met'} |"
        )
    changes = growth(report["rows"])
    if changes:
        lines += [
            "",
            f"p95 at 8 connections, {changes[0]['from']}x → {changes[0]['to']}x (target: grows < {GROWTH_TARGET}×):",
            "",
            "| endpoint | mode | p95 ms from | p95 ms to | growth | target met |",
            "|---|---|---|---|---|---|",
        ]
        for change in changes:
            met = change["growth"] is not None and change["growth"] < GROWTH_TARGET
            lines.append(
                f"| {change['endpoint']} | {change['mode']} | {change['p95_ms_from']:.1f} | {change['p95_ms_to']:.1f}"
                f" | {change['growth']}× | {'yes' if met else 'no'} |"
            )
    profile = report.get("profile")
    if profile:
        lines += [
            "",
            f"Profile of the slowest uncached endpoint (lowest req/s; {profile['endpoint']},"
            f" `{profile['url']}`, one request"
            f" in-process after a warm-up on another address, page cache off): {profile['total_ms']} ms under the"
            f" profiler, of which {profile['sql_ms']} ms in {profile['queries']} SQL queries; median of"
            f" {profile.get('plain_requests')} other addresses without the profiler:"
            f" {profile.get('plain_median_ms')} ms.",
        ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,3,10", type=lambda value: [int(part) for part in value.split(",")])
    parser.add_argument("--concurrency", default="4,8,16", type=lambda value: [int(part) for part in value.split(",")])
    parser.add_argument("--seconds", type=float, default=4, help="wrk run at 8 connections (the p95 target)")
    parser.add_argument("--sweep-seconds", type=float, default=2, help="wrk runs at the other concurrencies")
    parser.add_argument(
        "--server-flags", default=SERVE_FLAGS, help="gunicorn's flags besides --bind and --workers (make serve's)"
    )
    parser.add_argument(
        "--endpoints",
        default=",".join(ENDPOINTS),
        type=lambda value: [part for part in value.split(",") if part in ENDPOINTS],
        help="measure only these (comma-separated)",
    )
    parser.add_argument(
        "--modes", default="uncached,cached", type=lambda value: value.split(","), help="uncached, cached or both"
    )
    parser.add_argument(
        "--profile-endpoint", choices=list(ENDPOINTS), help="profile this endpoint (default: the slowest uncached)"
    )
    parser.add_argument(
        "--keep-databases",
        action="store_true",
        help=f"keep the databases ({KEPT_PREFIX}_<scale>x) and reuse them in the next run: iterate without reloading",
    )
    parser.add_argument("--data", default=str(REPO.parent / "shared" / "data"))
    parser.add_argument("--base-jobs", type=int, default=1100, help="size of a synthetic 1x (no ../shared/data)")
    parser.add_argument("--results", default=str(RESULTS))
    parser.add_argument("--prepare", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--fresh", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--kept", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--warm-up", help=argparse.SUPPRESS)
    parser.add_argument("--timing-urls", help=argparse.SUPPRESS)
    parser.add_argument("--scale", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--profile", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare:
        return child_prepare(args)
    if args.profile:
        return child_profile(args)

    report = Bench(args).run()
    results = Path(args.results)
    results.mkdir(parents=True, exist_ok=True)
    stamp = report["date"][:16].replace(":", "")  # 2026-11-27T2150: runs of one day kept apart
    text = markdown(report)
    for name in (f"load-{stamp}", "latest"):
        (results / f"{name}.json").write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n")
        (results / f"{name}.md").write_text(text)
    if report.get("profile"):
        (results / "latest-profile.txt").write_text(
            json.dumps(report["profile"]["slowest_queries"], indent=1, ensure_ascii=False)
            + "\n\n"
            + report["profile"]["profile"]
        )
    print("\n" + text)
    print(f"Written to {results}/load-{stamp}.json and .md")


if __name__ == "__main__":
    main()
