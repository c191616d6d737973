"""Search latency and relevance on the real catalogue, then on ten times as many jobs.

    DATABASE_URL=postgres://... .venv/bin/python bench/search_latency.py [--scale 10] [--repeat 3]

A fresh database is created next to the one DATABASE_URL names (Django's test database), migrated,
loaded with the ONISEP 2024 export and the ROME referential from ../shared/data, and dropped at the end.
For each query of bench/search_queries.tsv it times `search_jobs` (every query the engine sends, and
its ranking in Python) and the whole job list page through Django's test client; it prints p50/p95 for
all queries and for the typo queries, and the relevance figures (top-1, top-3, MRR@10). Then it adds
synthetic jobs built from the real vocabulary (each real job again under a title whose words are
swapped for other real title words, with its appellations and ROME codes) up to --scale times the
catalogue, and measures again.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orientation.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("STATIC_PLAIN", "1")  # pages without collectstatic

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from bench.synthetic import DATA, add_synthetic_jobs, load_real_data  # noqa: E402

QUERIES = REPO / "bench" / "search_queries.tsv"
TYPO_CATEGORIES = {"typo1", "typo2"}


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def measure(repeat: int) -> dict:
    from django.test import Client
    from django.urls import reverse

    from catalogue.search import search_jobs
    from catalogue.services.search_quality import engine_ranking, evaluate, read_cases

    cases = read_cases(QUERIES)
    client = Client()
    url = reverse("catalogue:job-list")
    engine, page = {"all": [], "typo": []}, {"all": [], "typo": []}
    for case in cases:  # warm-up: connections, caches of the process
        search_jobs(case.query)
    for _ in range(repeat):
        for case in cases:
            started = time.perf_counter()
            search_jobs(case.query)
            elapsed = (time.perf_counter() - started) * 1000
            started = time.perf_counter()
            response = client.get(url, {"q": case.query})
            page_elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == 200, (case.query, response.status_code)
            for key in ("all", "typo") if case.category in TYPO_CATEGORIES else ("all",):
                engine[key].append(elapsed)
                page[key].append(page_elapsed)
    quality = evaluate(cases, engine_ranking, "search")
    return {"engine": engine, "page": page, "quality": quality, "queries": len(cases)}


def report(label: str, figures: dict) -> None:
    from catalogue.models import Job

    quality = figures["quality"]
    print(f"\n{label}: {Job.objects.count()} jobs, {figures['queries']} queries")
    print(f"  relevance: top-1 {quality.top1_rate:.1%}, top-3 {quality.top3_rate:.1%}, MRR@10 {quality.mrr:.3f}")
    print(f"  {'':24} {'p50 ms':>8} {'p95 ms':>8} {'n':>6}")
    for name in ("engine", "page"):
        for key in ("all", "typo"):
            values = figures[name][key]
            title = f"{'search_jobs' if name == 'engine' else 'job list page'} ({key})"
            print(f"  {title:24} {statistics.median(values):8.1f} {percentile(values, 0.95):8.1f} {len(values):6}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if not (DATA / "onisep").exists():
        sys.exit(f"{DATA} is missing: the benchmark needs the ONISEP export and the ROME referential.")

    vendor = connection.vendor
    if vendor == "sqlite":
        connection.settings_dict["TEST"]["NAME"] = str(Path(tempfile.mkdtemp()) / "bench.sqlite3")
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        print(f"Search benchmark – {vendor}, {os.cpu_count()} CPU")
        load_real_data()
        if vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        baseline = measure(args.repeat)
        report("1x (ONISEP 2024)", baseline)
        if args.scale > 1:
            add_synthetic_jobs(args.scale)
            scaled = measure(args.repeat)
            report(f"{args.scale}x (synthetic)", scaled)
            ratio = percentile(scaled["engine"]["typo"], 0.95) / percentile(baseline["engine"]["typo"], 0.95)
            print(f"\np95 of typo searches grows {ratio:.2f}x from 1x to {args.scale}x")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
