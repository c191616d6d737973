"""Searches that found nothing: counted anonymously, turned into search-only appellations by counsellors.

- `record_failed_search(term)`: one more search for the folded term, today. Called by the public job
  list when its search found no job, and by the page cache when it serves such a page again (so a
  cached page counts like a rendered one). Best effort: a database error is logged, never raised,
  since a page, perhaps served from the cache, must not fail because of a counter.
- `add_as_search_appellation(failed, job, user)`: the term becomes a search-only appellation of the
  job, so that the same search finds it from now on; the usual bookkeeping of a catalogue write
  follows (search data, page cache, history).

Nothing but the folded term, a count and two dates (days, not times) is kept: no address, session,
user or time of day.
"""

import logging
from dataclasses import dataclass
from datetime import date

import reversion
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone

from catalogue.models import Appellation, AppellationKind, FailedSearch, Job
from catalogue.services.cache import bump_catalogue_version
from catalogue.services.search import refresh_search_text
from catalogue.text import fold

logger = logging.getLogger(__name__)

MAX_TERM_LENGTH = 200  # FailedSearch.term
# fold() never shortens a text by much (accents go, ligatures grow): folding more than this is wasted work.
MAX_RAW_LENGTH = 4 * MAX_TERM_LENGTH


def normalise_search(query: str | None) -> str:
    """The term a search is counted under: folded, single spaces, at most 200 characters.

    "" (not counted) for an empty query, a single character or punctuation only.

    >>> normalise_search("  Électricien·ne   AUTO ! ")
    'electricien ne auto'
    """
    if not query:
        return ""
    term = fold(str(query)[:MAX_RAW_LENGTH].replace("\x00", " "))[:MAX_TERM_LENGTH].strip()
    if len(term.replace(" ", "")) < 2:
        return ""
    return term


def _increment(term: str, today: date) -> int:
    return FailedSearch.objects.filter(term=term).update(count=F("count") + 1, last_searched_on=today)


def record_failed_search(term: str | None) -> bool:
    """Count one more search of `term` (normalised here); False when it is not counted.

    One UPDATE for a term already known. A new term is inserted in a savepoint: when another
    request inserted it in the meantime (two first searches at once), the unique constraint
    refuses the second insert, the savepoint rolls it back alone, and the count is incremented
    instead. The same on SQLite and PostgreSQL.
    """
    term = normalise_search(term)
    if not term:
        return False
    today = timezone.localdate()
    try:
        with transaction.atomic():
            if _increment(term, today):
                return True
            try:
                with transaction.atomic():
                    FailedSearch.objects.create(term=term, count=1, first_searched_on=today, last_searched_on=today)
            except IntegrityError:
                _increment(term, today)
    except DatabaseError:
        logger.warning("Recherche sans résultat non comptée (base de données indisponible).", exc_info=True)
        return False
    return True


@dataclass(frozen=True)
class AddedAppellation:
    """What `add_as_search_appellation` did: the appellation, and whether it is new."""

    appellation: Appellation | None
    created: bool


def job_has_title(job: Job, term: str) -> bool:
    """Whether one of the job's titles (names, appellations in every form) folds to `term`."""
    if term in job.search_text.split("\n"):
        return True
    titles = Appellation.objects.filter(job=job).values_list("name", "feminine_name", "masculine_name")
    return any(fold(title) == term for row in titles for title in row)


def add_as_search_appellation(failed: FailedSearch, job: Job, user, *, name: str | None = None) -> AddedAppellation:
    """Make the search `failed` find `job`: a search-only appellation, then the usual bookkeeping.

    The appellation is the folded term (all that is kept of what was typed), or `name` when the
    counsellor spelled it properly (accents, capitals, apostrophes): it is shown under the result
    as "Trouvé via", and must fold to the term, so that it answers that very search. Nothing is
    added when one of the job's titles already folds to the term. Either way the search is marked
    handled, with the job.
    """
    name = " ".join((name or failed.term).split())
    if fold(name) != failed.term:
        raise ValueError(f"« {name} » ne correspond pas à la recherche « {failed.term} ».")
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job.pk)
        appellation = None
        created = not job_has_title(job, failed.term)
        if created:
            with reversion.create_revision():
                position = job.appellations.aggregate(last=Max("position"))["last"]
                appellation = Appellation.objects.create(
                    job=job,
                    name=name,
                    kind=AppellationKind.SEARCH_ONLY,
                    position=0 if position is None else position + 1,
                )
                reversion.set_user(user)
                reversion.set_comment(
                    f"Appellation de recherche « {name} » ajoutée depuis les recherches sans résultat."
                )
                reversion.add_to_revision(job)
            refresh_search_text([job])
            bump_catalogue_version()
        failed.added_to = job
        failed.handled_at = timezone.now()
        failed.save(update_fields=["added_to", "handled_at"])
    return AddedAppellation(appellation=appellation, created=created)
