"""The job search column: folded titles, kept up to date by every write path."""

from collections.abc import Iterable

from catalogue.models import Appellation, Job
from catalogue.text import fold


def build_search_text(job: Job, appellations: Iterable[Appellation]) -> str:
    """Every title of the job, folded, one per line (generic name, both forms, each appellation)."""
    titles = [job.name, job.feminine_name, job.masculine_name]
    for appellation in appellations:
        titles += [appellation.name, appellation.feminine_name, appellation.masculine_name]
    seen: dict[str, None] = {}
    for title in titles:
        folded = fold(title)
        if folded:
            seen.setdefault(folded, None)
    return "\n".join(seen)


def refresh_search_text(jobs: Iterable[Job] | None = None) -> int:
    """Rebuild `Job.search_text` for `jobs` (all jobs when None) in two queries plus one bulk update.

    Call it after any write that changes a job's names or appellations (admin, imports, spreadsheets).
    Returns the number of jobs whose column changed.
    """
    queryset = Job.objects.all() if jobs is None else Job.objects.filter(pk__in=[job.pk for job in jobs])
    by_job: dict[int, list[Appellation]] = {}
    records = list(queryset.only("pk", "name", "feminine_name", "masculine_name", "search_text"))
    for appellation in Appellation.objects.filter(job__in=[job.pk for job in records]).order_by(
        "job_id", "position", "pk"
    ):
        by_job.setdefault(appellation.job_id, []).append(appellation)
    changed = []
    for job in records:
        text = build_search_text(job, by_job.get(job.pk, []))
        if text != job.search_text:
            job.search_text = text
            changed.append(job)
    Job.objects.bulk_update(changed, ["search_text"], batch_size=500)
    return len(changed)
