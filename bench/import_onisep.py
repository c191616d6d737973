"""Benchmark of the ONISEP import: a first load, then a second identical run.

    DATABASE_URL=... .venv/bin/python bench/import_onisep.py [--data ../shared/data/onisep] [--tracemalloc]

A fresh database is created next to the one DATABASE_URL names (Django's test database: a temporary
file for SQLite, `test_<name>` for PostgreSQL), migrated, and dropped at the end. Each run is measured
in its own process, so that its peak resident memory (ru_maxrss) is its own; the figures printed are
wall time of `import_onisep(...)`, peak RSS of the process (Django and the data included) and, with
--tracemalloc, the peak of Python allocations during the import (tracemalloc slows the run down: its
times are not the reference ones).
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orientation.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

JOBS = "Onisep_Ideo_Fiches_metiers_25062024.zip"
TRAININGS = "Onisep_Ideo_Fiches_Formations_25062024.zip"


def measure(data: Path, use_tracemalloc: bool) -> dict:
    """One import in this process (the child side)."""
    from catalogue.importers.onisep import import_onisep

    if use_tracemalloc:
        tracemalloc.start()
    started = time.perf_counter()
    report = import_onisep(jobs_path=data / JOBS, trainings_path=data / TRAININGS)
    elapsed = time.perf_counter() - started
    traced = tracemalloc.get_traced_memory()[1] if use_tracemalloc else None
    return {
        "seconds": round(elapsed, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "peak_traced_mb": round(traced / 2**20) if traced is not None else None,
        "summary": report.summary(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data" / "onisep")
    parser.add_argument("--tracemalloc", action="store_true")
    parser.add_argument("--child-db", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child_db:  # measure one run on the database prepared by the parent
        connection.settings_dict["NAME"] = args.child_db
        print(json.dumps(measure(args.data, args.tracemalloc)))
        return

    vendor = connection.vendor
    if vendor == "sqlite":
        connection.settings_dict["TEST"]["NAME"] = str(Path(tempfile.mkdtemp()) / "bench.sqlite3")
    old_name = connection.settings_dict["NAME"]
    test_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    connection.close()
    try:
        print(f"ONISEP import benchmark – {vendor}, {os.cpu_count()} CPU, data: {args.data}")
        for label in ("first load", "second identical run"):
            command = [sys.executable, __file__, "--data", str(args.data), "--child-db", str(test_name)]
            if args.tracemalloc:
                command.append("--tracemalloc")
            output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
            figures = json.loads(output.strip().splitlines()[-1])
            traced = f", peak Python allocations {figures['peak_traced_mb']} MB" if args.tracemalloc else ""
            print(
                f"{label:>21}: {figures['seconds']:5.2f} s, peak RSS {figures['peak_rss_mb']} MB{traced}"
                f" – {figures['summary']}"
            )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
