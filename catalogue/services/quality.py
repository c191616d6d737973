"""Data-quality checks of the catalogue: which records a counsellor should complete or review.

Each check is one condition, used both by the admin's dashboard (a count) and by the admin's
changelist filter (the records), so that a count and the list behind its link always agree.
Records withdrawn by ONISEP are left out of the checks of what to complete: nobody completes
them any more (they have their own count).

The conditions are expressions (`Q`, `Exists`): the dashboard counts every check of a model in
one aggregate query. The gendered-pair check is the exception: French rules are Python
(catalogue.services.gender), so it reads the names of the jobs and their appellations (two
queries) and filters on the ids it finds.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from catalogue.models import Appellation, ConflictState, ImportConflict, Job, PublicationStatus, Training
from catalogue.services.gender import looks_consistent

DRAFT_AGE = timedelta(days=30)

JobTraining = Job.trainings.through
JobInterest = Job.interests.through


def _current() -> Q:
    return Q(withdrawn_at__isnull=True)


# --- Conditions -----------------------------------------------------------------------------------


def without_feminine() -> Q:
    return _current() & Q(feminine_name="")


def without_masculine() -> Q:
    return _current() & Q(masculine_name="")


def without_training() -> Q:
    return _current() & ~Exists(JobTraining.objects.filter(job=OuterRef("pk")))


def without_interest() -> Q:
    return _current() & ~Exists(JobInterest.objects.filter(job=OuterRef("pk")))


def without_salary() -> Q:
    return _current() & Q(starting_salary="")


def without_level() -> Q:
    return _current() & Q(access_level__isnull=True)


def old_draft() -> Q:
    """Drafts nobody has changed for DRAFT_AGE (jobs or trainings): started, then forgotten."""
    return _current() & Q(publication_status=PublicationStatus.DRAFT, updated_at__lt=timezone.now() - DRAFT_AGE)


def leading_to_no_job() -> Q:
    return _current() & ~Exists(JobTraining.objects.filter(training=OuterRef("pk")))


def is_withdrawn() -> Q:
    """The admin's `retiree=oui` filter (catalogue.admin.catalogue.WithdrawnFilter)."""
    return Q(withdrawn_at__isnull=False)


@dataclass(frozen=True)
class Check:
    """One data-quality check: its slug in the changelist's query string and its French label."""

    slug: str
    label: str
    condition: Callable[[], Q]  # called each time: a condition may depend on the time

    def apply(self, queryset: QuerySet) -> QuerySet:
        return queryset.filter(self.condition())


JOB_CHECKS = [
    Check("sans-feminin", "Métiers sans appellation au féminin", without_feminine),
    Check("sans-masculin", "Métiers sans appellation au masculin", without_masculine),
    Check("sans-formation", "Métiers sans formation recommandée", without_training),
    Check("sans-interet", "Métiers sans centre d’intérêt", without_interest),
    Check("sans-salaire", "Métiers sans salaire du débutant", without_salary),
    Check("sans-niveau", "Métiers sans niveau d’accès minimum", without_level),
    Check("brouillon-ancien", "Métiers en brouillon, non modifiés depuis plus de 30 jours", old_draft),
]

TRAINING_CHECKS = [
    Check("sans-metier", "Formations qui ne mènent à aucun métier", leading_to_no_job),
    Check("brouillon-ancien", "Formations en brouillon, non modifiées depuis plus de 30 jours", old_draft),
]

# The filter value and label of the gendered-pair check (a Python check, see below).
INCONSISTENT_GENDER = "genre-incoherent"
INCONSISTENT_GENDER_LABEL = "Métiers dont les formes féminine et masculine semblent incohérentes"


def check_by_slug(checks: Iterable[Check], slug: str | None) -> Check | None:
    return next((check for check in checks if check.slug == slug), None)


# --- The checks on a queryset ---------------------------------------------------------------------


def jobs_without_feminine(queryset: QuerySet[Job]) -> QuerySet[Job]:
    return queryset.filter(without_feminine())


def jobs_without_masculine(queryset: QuerySet[Job]) -> QuerySet[Job]:
    return queryset.filter(without_masculine())


def jobs_without_training(queryset: QuerySet[Job]) -> QuerySet[Job]:
    return queryset.filter(without_training())


def jobs_without_interest(queryset: QuerySet[Job]) -> QuerySet[Job]:
    return queryset.filter(without_interest())


def jobs_without_salary(queryset: QuerySet[Job]) -> QuerySet[Job]:
    return queryset.filter(without_salary())


def jobs_without_level(queryset: QuerySet[Job]) -> QuerySet[Job]:
    return queryset.filter(without_level())


def old_drafts(queryset: QuerySet) -> QuerySet:
    """Jobs or trainings in draft, unchanged for more than 30 days."""
    return queryset.filter(old_draft())


def trainings_without_job(queryset: QuerySet[Training]) -> QuerySet[Training]:
    return queryset.filter(leading_to_no_job())


def withdrawn(queryset: QuerySet) -> QuerySet:
    """Jobs or trainings withdrawn by ONISEP."""
    return queryset.filter(is_withdrawn())


def pending_conflicts(queryset: QuerySet[ImportConflict]) -> QuerySet[ImportConflict]:
    """Import conflicts waiting for a counsellor's decision."""
    return queryset.filter(state=ConflictState.PENDING)


@dataclass(frozen=True)
class GenderedPair:
    """A masculine / feminine pair that does not look like one title in both genders."""

    job_id: int
    job_name: str
    appellation: str  # "" for the job's own pair
    masculine: str
    feminine: str

    @property
    def where(self) -> str:
        """Which pair of the job this is, as the dashboard says it."""
        return f"Autre appellation « {self.appellation} »" if self.appellation else "Appellations de la fiche"


def inconsistent_gendered_pairs(queryset: QuerySet[Job]) -> list[GenderedPair]:
    """The pairs of the jobs of `queryset` and of their appellations that look inconsistent.

    Two queries, whatever the number of jobs: the jobs' names, then their appellations'.
    """
    jobs = _current_jobs(queryset)
    pairs = [
        GenderedPair(pk, name, "", masculine, feminine)
        for pk, name, masculine, feminine in jobs.values_list("pk", "name", "masculine_name", "feminine_name")
    ]
    appellations = (
        Appellation.objects.filter(job__in=jobs.values("pk"))
        .exclude(masculine_name="")
        .exclude(feminine_name="")
        .order_by("job__name", "job_id", "position", "pk")
        .values_list("job_id", "job__name", "name", "masculine_name", "feminine_name")
    )
    pairs += [GenderedPair(*row) for row in appellations]
    found = [pair for pair in pairs if not looks_consistent(pair.masculine, pair.feminine)]
    return sorted(found, key=lambda pair: (pair.job_name.lower(), pair.job_id, pair.appellation != ""))


def jobs_with_inconsistent_gender(queryset: QuerySet[Job]) -> QuerySet[Job]:
    """Jobs whose own pair or one of whose appellations' pairs looks inconsistent."""
    ids = {pair.job_id for pair in inconsistent_gendered_pairs(queryset)}
    return queryset.filter(pk__in=ids)


def _current_jobs(queryset: QuerySet[Job]) -> QuerySet[Job]:
    # The ordering of a changelist (and its select_related) are of no use to these reads.
    return queryset.filter(_current()).order_by().select_related(None)


# --- Counts for the dashboard -------------------------------------------------------------------


def count_checks(model_queryset: QuerySet, checks: Iterable[Check], *, extra: dict | None = None) -> dict[str, int]:
    """Every check's count over `model_queryset`, in one aggregate query: {slug: count}.

    `extra` adds aggregates of the same query ({name: condition}), such as the withdrawn records.
    """
    aggregates = {check.slug: Count("pk", filter=check.condition()) for check in checks}
    for name, condition in (extra or {}).items():
        aggregates[name] = Count("pk", filter=condition)
    return model_queryset.order_by().aggregate(**aggregates)
