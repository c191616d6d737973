"""Search data of jobs, kept up to date by every write path.

`refresh_search_text(jobs)` is the one function the admin, the imports and the spreadsheets call
after they change a job's names, appellations, ROME codes or texts. It rebuilds, for those jobs:
- `Job.search_text`: folded titles, one per line (admin search, simple filters);
- `SearchTitle`: every title with its kind (name, gendered forms, appellations, ROME appellations);
- `SearchDocument`: the folded présentation and en bref;
- `SearchWord`: the vocabulary used for typo correction (words are added, never removed: a stale
  word only costs a useless correction candidate).
"""

from collections.abc import Iterable

from django.contrib.postgres.search import SearchVector
from django.db import connection
from django.db.models import Q
from django.utils.html import strip_tags

from catalogue.models import Appellation, AppellationKind, Job
from catalogue.models.search import RomeAppellation, SearchDocument, SearchTitle, SearchWord, TitleKind
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


def _titles(job: Job, appellations: list[Appellation], rome_labels: list[str]) -> list[SearchTitle]:
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
    pairs += [(TitleKind.ROME, label) for label in rome_labels]
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
    rome_labels: dict[int, list[str]] = {}
    rome_codes = Job.rome_codes.through.objects.filter(job_id__in=job_ids).values_list("job_id", "romecode_id")
    codes_by_job: dict[int, list[int]] = {}
    for job_id, code_id in rome_codes:
        codes_by_job.setdefault(job_id, []).append(code_id)
    labels_by_code: dict[int, list[str]] = {}
    all_codes = {code for codes in codes_by_job.values() for code in codes}
    rome_appellations = RomeAppellation.objects.filter(
        Q(rome_code_id__in=all_codes) | Q(parent_code_id__in=all_codes)
    ).values_list("rome_code_id", "parent_code_id", "label")
    for code_id, parent_id, label in rome_appellations:
        for code in {code_id, parent_id} & all_codes:
            labels_by_code.setdefault(code, []).append(label)
    for job_id, codes in codes_by_job.items():
        rome_labels[job_id] = list(dict.fromkeys(label for code in codes for label in labels_by_code.get(code, [])))

    changed = []
    titles: list[SearchTitle] = []
    documents: list[SearchDocument] = []
    for job in records:
        job_appellations = appellations.get(job.pk, [])
        text = build_search_text(job, job_appellations)
        if text != job.search_text:
            job.search_text = text
            changed.append(job)
        titles += _titles(job, job_appellations, rome_labels.get(job.pk, []))
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
