"""The benchmarks' catalogues: the real ONISEP export, grown to N times its size with synthetic records.

Used by bench/search_latency.py and bench/load.py, inside a process where Django is set up and the
database is migrated:

- `load_real_data(data)`: the ONISEP 2024 export and the ROME referential from ../shared/data;
- `load_demo_base(target_jobs)`: when ../shared/data is absent, the demo sheets (real ONISEP job
  sheets) grown to about the size of the export with `add_synthetic_jobs`;
- `add_synthetic_jobs(scale)`: each real job again, `scale - 1` times, under a title whose last word is
  swapped for another real title word, with its appellations, ROME codes, interests, statuses and
  sectors; with `trainings=True`, each training is copied too and each job copy links to the copies of
  its original's trainings, so that a training page keeps the number of jobs it shows.
"""

import random
import time
from pathlib import Path

from django.db import connection

REPO = Path(__file__).resolve().parent.parent
DATA = REPO.parent / "shared" / "data"
DEMO_SHEETS = REPO / "demo" / "sheets"
# Jobs in the ONISEP export of 25/06/2024: the size a synthetic "1x" catalogue aims at.
ONISEP_2024_JOBS = 1100


def load_real_data(data: Path = DATA) -> None:
    from catalogue.importers.onisep import import_onisep
    from catalogue.importers.rome import import_rome

    started = time.perf_counter()
    import_rome(data / "rome")
    import_onisep(
        jobs_path=data / "onisep" / "Onisep_Ideo_Fiches_metiers_25062024.zip",
        trainings_path=data / "onisep" / "Onisep_Ideo_Fiches_Formations_25062024.zip",
    )
    print(f"Loaded the ONISEP 2024 export and ROME 4.60 in {time.perf_counter() - started:.1f} s", flush=True)


def load_demo_base(target_jobs: int = ONISEP_2024_JOBS) -> None:
    """The demo sheets, grown to about `target_jobs` jobs (no ../shared/data)."""
    from catalogue.importers.sheets import import_sheets
    from catalogue.models import Job

    import_sheets([DEMO_SHEETS])
    count = Job.objects.count()
    print(f"../shared/data is absent: {count} demo sheets, grown synthetically to ~{target_jobs} jobs", flush=True)
    add_synthetic_jobs(max(1, round(target_jobs / max(count, 1))), trainings=True, seed=1, suffix="d")


def _training_copy(original, copy: int, suffix: str):
    from catalogue.models import Training

    fields = {
        field.attname: getattr(original, field.attname)
        for field in Training._meta.concrete_fields
        if not field.primary_key and field.attname not in {"onisep_id", "slug"}
    }
    # the pk keeps copies of two slugs that share their first 170 characters apart
    return Training(**fields, slug=f"{original.slug[:170]}-{suffix}{copy}-{original.pk}", onisep_id=None)


def add_synthetic_jobs(scale: int, seed: int = 2024, *, trainings: bool = False, suffix: str = "x") -> None:
    """Grow the catalogue to `scale` times its size with jobs whose titles reuse real title words.

    Copies' slugs end in `-<suffix><copy number>`: a second growth needs another suffix.
    """
    from django.utils import timezone

    from catalogue.models import Appellation, Job, PublicationStatus, Training
    from catalogue.services.search import refresh_search_text

    rng = random.Random(seed)
    originals = list(
        Job.objects.prefetch_related("appellations", "rome_codes", "interests", "statuses", "sectors", "trainings")
    )
    original_trainings = list(Training.objects.all()) if trainings else []
    vocabulary = sorted({word for job in originals for word in job.name.replace("/", " ").split() if len(word) > 3})
    started = time.perf_counter()
    now = timezone.now()
    through = {name: getattr(Job, name).through for name in ("rome_codes", "interests", "statuses", "sectors")}
    for copy in range(1, scale):
        training_of: dict[int, int] = {}
        if trainings:
            copies = [_training_copy(training, copy, suffix) for training in original_trainings]
            Training.objects.bulk_create(copies, batch_size=1000)
            training_of = {old.pk: new.pk for old, new in zip(original_trainings, copies, strict=True)}
        jobs, appellations, links = [], [], {name: [] for name in [*through, "trainings"]}
        for original in originals:
            swap = rng.choice(vocabulary)

            def variant(title: str, swap=swap) -> str:
                words = title.split()
                if len(words) > 1:
                    words[-1] = swap
                return " ".join(words)

            job = Job(
                # a copy keeps its original's words but one, so that it competes for the same queries
                name=variant(original.name),
                slug=f"{original.slug[:180]}-{suffix}{copy}",
                feminine_name=variant(original.feminine_name),
                masculine_name=variant(original.masculine_name),
                presentation=original.presentation,
                summary=original.summary,
                access_level_id=original.access_level_id,
                publication_status=PublicationStatus.PUBLISHED,
                published_at=now,
            )
            job.variant = variant
            jobs.append(job)
        Job.objects.bulk_create(jobs, batch_size=1000)
        for original, job in zip(originals, jobs, strict=True):
            appellations += [
                Appellation(
                    job=job,
                    name=job.variant(appellation.name),
                    feminine_name=job.variant(appellation.feminine_name),
                    masculine_name=job.variant(appellation.masculine_name),
                    position=appellation.position,
                )
                for appellation in original.appellations.all()
            ]
            links["rome_codes"] += [through["rome_codes"](job=job, romecode=code) for code in original.rome_codes.all()]
            links["interests"] += [through["interests"](job=job, interest=item) for item in original.interests.all()]
            links["statuses"] += [through["statuses"](job=job, status=item) for item in original.statuses.all()]
            links["sectors"] += [through["sectors"](job=job, sector=item) for item in original.sectors.all()]
            if trainings:
                links["trainings"] += [
                    Job.trainings.through(job=job, training_id=training_of[item.pk])
                    for item in original.trainings.all()
                ]
        Appellation.objects.bulk_create(appellations, batch_size=1000, ignore_conflicts=True)
        for rows in links.values():
            if rows:
                rows[0].__class__.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
        refresh_search_text(jobs)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE")
    print(
        f"Added synthetic records up to {Job.objects.count()} jobs and {Training.objects.count()} trainings"
        f" in {time.perf_counter() - started:.1f} s",
        flush=True,
    )
