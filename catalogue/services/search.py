"""Search data of jobs, kept up to date by every write path.

`refresh_search_text(jobs)` is the one function the admin, the imports and the spreadsheets call
after they change a job's names, appellations, ROME codes or texts. It rebuilds, for those jobs:
- `Job.search_text`: folded titles, one per line (admin search, simple filters);
- `SearchTitle`: every title with its kind (name, gendered forms, appellations); ROME appellations
  are matched in their own table (`RomeAppellation.folded`), joined to jobs by ROME code;
- `SearchDocument`: the folded présentation and en bref;
- `SearchWord`: the vocabulary used for typo correction (words are added, never removed: a stale
  word only costs a useless correction candidate).
"""

from collections.abc import Iterable

from django.contrib.postgres.search import SearchVector
from django.db import connection
from django.utils.html import strip_tags

from catalogue.models import Appellation, AppellationKind, Job
from catalogue.models.search import SearchDocument, SearchTitle, SearchWord, TitleKind
from catalogue.text import fold

BATCH_SIZE = 1000


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


def _titles(job: Job, appellations: list[Appellation]) -> list[SearchTitle]:
    pairs: list[tuple[str, str]] = [
        (TitleKind.NAME, job.name),
        (TitleKind.FEMININE, job.feminine_name),
        (TitleKind.MASCULINE, job.masculine_name),
    ]
    for appellation in appellations:
        if appellation.kind == AppellationKind.SEARCH_ONLY:
            pairs += [(TitleKind.SEARCH_ONLY, appellation.name)]
        else:
            pairs += [
                (TitleKind.APPELLATION, appellation.name),
                (TitleKind.APPELLATION_FEMININE, appellation.feminine_name),
                (TitleKind.APPELLATION_MASCULINE, appellation.masculine_name),
            ]
    titles: list[SearchTitle] = []
    seen: set[tuple[str, str]] = set()
    for kind, label in pairs:
        folded = fold(label)[:255]
        if folded and (kind, folded) not in seen:
            seen.add((kind, folded))
            titles.append(SearchTitle(job_id=job.pk, kind=kind, label=label[:255], folded=folded))
    return titles


def document_body(job: Job) -> str:
    return fold(" ".join(strip_tags(text) for text in (job.presentation, job.summary)))


def refresh_search_text(jobs: Iterable[Job] | None = None) -> int:
    """Rebuild the search data of `jobs` (every job when None) in a fixed number of queries.

    Returns the number of jobs whose `search_text` column changed.
    """
    queryset = Job.objects.all() if jobs is None else Job.objects.filter(pk__in=[job.pk for job in jobs])
    records = list(
        queryset.only("pk", "name", "feminine_name", "masculine_name", "presentation", "summary", "search_text")
    )
    job_ids = [job.pk for job in records]
    appellations: dict[int, list[Appellation]] = {}
    for appellation in Appellation.objects.filter(job__in=job_ids).order_by("job_id", "position", "pk"):
        appellations.setdefault(appellation.job_id, []).append(appellation)
    changed = []
    titles: list[SearchTitle] = []
    documents: list[SearchDocument] = []
    for job in records:
        job_appellations = appellations.get(job.pk, [])
        text = build_search_text(job, job_appellations)
        if text != job.search_text:
            job.search_text = text
            changed.append(job)
        titles += _titles(job, job_appellations)
        documents.append(SearchDocument(job_id=job.pk, body=document_body(job)))
    Job.objects.bulk_update(changed, ["search_text"], batch_size=BATCH_SIZE)

    title_filter = SearchTitle.objects.all() if jobs is None else SearchTitle.objects.filter(job_id__in=job_ids)
    title_filter.delete()
    SearchTitle.objects.bulk_create(titles, batch_size=BATCH_SIZE)
    document_filter = (
        SearchDocument.objects.all() if jobs is None else SearchDocument.objects.filter(job_id__in=job_ids)
    )
    document_filter.delete()
    SearchDocument.objects.bulk_create(documents, batch_size=BATCH_SIZE)
    if connection.vendor == "postgresql":
        vectors = SearchDocument.objects.all() if jobs is None else SearchDocument.objects.filter(job_id__in=job_ids)
        vectors.update(vector=SearchVector("body", config="orientation_fr"))
    words = {word[:64] for title in titles for word in title.folded.split()}
    SearchWord.objects.bulk_create(
        [SearchWord(word=word, length=len(word)) for word in sorted(words)],
        batch_size=BATCH_SIZE,
        ignore_conflicts=True,
    )
    return len(changed)
