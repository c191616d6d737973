"""Facet counts and zero-result rescue for the job list.

Next to each filter option, the number of jobs it would give: counted against the results filtered by
all the *other* filters (so ticking a second interest shows how many jobs it brings, not zero). When the
filters give nothing, the number of jobs each single filter hides ("Sans le filtre Bac + 2 : 14 métiers").

Two ways to count, the same answers (tests/test_facets.py compares them):

- **From a facet index**, when the `catalogue` cache of settings.CACHES is on (production, with the
  shared Redis): which published jobs carry each option, as bitmaps, built by one query once per
  catalogue version and per process (`catalogue.services.cache`: every write moves the version on, so
  the index is never stale). The unfiltered list and lists filtered by interests, statuses, sectors and
  level are then counted in memory, without any query; with a search or a training, one query fetches
  the ids matching the filters and the counts are taken from them.
- **In SQL**, when that cache is off (development and tests, where the version is not shared between
  processes or writes do not move it on): every count is one member of a single UNION ALL query.

Either way the page's query count stays constant whatever the number of filters and of jobs.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.dummy import DummyCache
from django.db import connection
from django.db.models import Count, IntegerField, QuerySet, Value

from catalogue.models import AccessLevel, Interest, Job, Sector, Status
from catalogue.services.cache import catalogue_version

# The repeated filters counted from a through table, and their model.
M2M_FACETS: dict[str, tuple[str, type]] = {
    "interest": ("interests", Interest),
    "status": ("statuses", Status),
    "sector": ("sectors", Sector),
}
FACET_CODES = {"interest": 1, "status": 2, "sector": 3, "level": 4}
RESCUE_CODE = 9
# Filters a student can drop, in the order the rescue suggestions are listed.
RESCUABLE = ["q", "level", "interest", "status", "sector", "training"]
# Filters the facet index cannot apply by itself: their matching ids come from the database.
OPAQUE = ("q", "training")
# The cache (an alias of settings.CACHES) for data derived from the catalogue once per version.
CATALOGUE_CACHE = "catalogue"


@dataclass
class FacetOption:
    slug: str
    label: str
    count: int
    selected: bool

    @property
    def disabled(self) -> bool:
        """Options that would give nothing stay visible but cannot be chosen (unless already chosen)."""
        return self.count == 0 and not self.selected


@dataclass
class Facets:
    options: dict[str, list[FacetOption]] = field(default_factory=dict)
    # filter name -> number of jobs without that filter (filled only when there is no result)
    without: dict[str, int] = field(default_factory=dict)


def count_facets(
    *,
    base_except: Callable[[str | None], QuerySet[Job]],
    active: set[str],
    selected: dict[str, set[str]],
    vocabularies: dict[str, list],
    rescue: bool,
    search_ids: list[int] | None = None,
) -> Facets:
    """Count every option of every facet, and (when `rescue`) the jobs each active filter hides.

    `base_except(name)` gives the published jobs filtered by every filter but `name` (None: none left
    out); `active` names the filters applied (among RESCUABLE), `selected` the slugs chosen in each
    facet. `vocabularies` holds the options of each facet (records with `pk`, `slug`, `name`, and `rank`
    for levels), already loaded. `search_ids`, when given, are the published jobs the search found (the
    search filter's own ids). At most one query (none from a warm facet index, but with a training, or
    with a search whose `search_ids` are not given).
    """
    index = facet_index()
    counts = None
    if index is not None:
        counts = index.count(
            base_except=base_except,
            active=active,
            selected=selected,
            vocabularies=vocabularies,
            rescue=rescue,
            search_ids=search_ids,
        )
    if counts is None:  # no index, or it does not know a job the database returned
        counts = count_in_sql(base_except=base_except, active=active, rescue=rescue)
    return facets_from_counts(counts, selected=selected, vocabularies=vocabularies, rescue=rescue)


def facets_from_counts(
    counts: dict[int, dict], *, selected: dict[str, set[str]], vocabularies: dict[str, list], rescue: bool
) -> Facets:
    """`counts`: facet code -> option pk (level rank) -> jobs; RESCUE_CODE -> RESCUABLE index -> jobs."""
    facets = Facets()
    for name, code in FACET_CODES.items():
        by_key = counts.get(code, {})
        if name == "level":
            options = []
            for level in vocabularies["level"]:
                # Jobs open at this level: every job whose minimum level is ranked at or below it.
                total = sum(n for rank, n in by_key.items() if rank is not None and rank <= level.rank)
                options.append(FacetOption(level.slug, level.name, total, level.slug in selected.get(name, set())))
        else:
            options = [
                FacetOption(
                    record.slug,
                    getattr(record, "display_name", record.name),
                    by_key.get(record.pk, 0),
                    record.slug in selected.get(name, set()),
                )
                for record in vocabularies[name]
            ]
        facets.options[name] = options
    if rescue:
        for index, name in enumerate(RESCUABLE):
            n = counts.get(RESCUE_CODE, {}).get(index)
            if n:
                facets.without[name] = n
    return facets


def count_in_sql(
    *, base_except: Callable[[str | None], QuerySet[Job]], active: set[str], rescue: bool
) -> dict[int, dict]:
    """Every count in one UNION ALL query (it reads every job–option link of the jobs it counts)."""
    members = []
    for name, (relation, model) in M2M_FACETS.items():
        through = Job._meta.get_field(relation).remote_field.through
        column = f"{model._meta.model_name}_id"
        members.append(
            through.objects.filter(job_id__in=base_except(name).values("pk"))
            .order_by()
            .values(column)
            .annotate(kind=code(FACET_CODES[name]), n=Count("pk"))
            .values_list("kind", column, "n")
        )
    members.append(
        base_except("level")
        .order_by()
        .values("access_level__rank")
        .annotate(kind=code(FACET_CODES["level"]), n=Count("pk"))
        .values_list("kind", "access_level__rank", "n")
    )
    if rescue:
        members += [rescue_count(base_except(name), RESCUABLE.index(name)) for name in RESCUABLE if name in active]
    counts: dict[int, dict] = {}
    for kind, key, n in members[0].union(*members[1:], all=True).order_by():
        counts.setdefault(kind, {})[key] = n
    return counts


def code(value: int) -> Value:
    """A constant integer column, telling the members of a UNION ALL apart."""
    return Value(value, output_field=IntegerField())


def rescue_count(queryset: QuerySet[Job], index: int) -> QuerySet:
    """(RESCUE_CODE, index, number of jobs of `queryset`): a member of a UNION ALL."""
    return (
        queryset.order_by()
        .annotate(kind=Value(RESCUE_CODE, output_field=IntegerField()), key=Value(index, output_field=IntegerField()))
        .values("kind", "key")
        .annotate(n=Count("pk"))
        .values_list("kind", "key", "n")
    )


# --- the facet index -------------------------------------------------------------------------------


def catalogue_cache() -> BaseCache | None:
    """The cache of data derived once per catalogue version, or None when it is off (a DummyCache)."""
    cache = caches[CATALOGUE_CACHE] if CATALOGUE_CACHE in caches.settings else None
    return None if cache is None or isinstance(cache, DummyCache) else cache


def facet_index() -> FacetIndex | None:
    """The index of the current catalogue version (built on first use in this process), or None."""
    cache = catalogue_cache()
    if cache is None:
        return None
    key = f"facet-index:{catalogue_version()}"  # read first: the index is at least as new as the version
    index = cache.get(key)
    if index is None:
        index = FacetIndex.build()
        cache.set(key, index)
    return index


def bitmap(positions: Iterable[int], size: int) -> int:
    """A set of positions (0 to size - 1) as an int whose bit i says whether position i is in."""
    bits = bytearray((size + 7) // 8)
    for position in positions:
        bits[position >> 3] |= 1 << (position & 7)
    return int.from_bytes(bits, "little")


@dataclass
class FacetIndex:
    """Published jobs as bit positions (bit i: the job `ids[i]`) and the jobs carrying each option.

    Counting is then a bitwise AND and a population count per option: no query, whatever the size
    of the catalogue. One build reads every published job and its links once (one query).
    """

    ids: array  # published jobs' ids, ascending
    everyone: int
    # facet -> option pk (levels: access level rank, None for jobs without a ranked level) -> jobs
    options: dict[str, dict[int | None, int]]

    @classmethod
    def build(cls) -> FacetIndex:
        published = Job.objects.published()
        members = [published.order_by().annotate(kind=code(0)).values_list("kind", "pk", "access_level__rank")]
        for name, (relation, model) in M2M_FACETS.items():
            through = Job._meta.get_field(relation).remote_field.through
            column = f"{model._meta.model_name}_id"
            members.append(
                through.objects.filter(job_id__in=published.values("pk"))
                .order_by()
                .annotate(kind=code(FACET_CODES[name]))
                .values_list("kind", "job_id", column)
            )
        rows = list(members[0].union(*members[1:], all=True).order_by())
        jobs = sorted((job_id, rank) for kind, job_id, rank in rows if kind == 0)
        ids = array("q", (job_id for job_id, _rank in jobs))
        position = {job_id: n for n, job_id in enumerate(ids)}
        size = len(ids)
        names = {facet_code: name for name, facet_code in FACET_CODES.items()}
        by_option: dict[str, dict] = {name: {} for name in FACET_CODES}
        for job_id, rank in jobs:
            by_option["level"].setdefault(rank, []).append(position[job_id])
        for kind, job_id, option in rows:
            if kind != 0:
                by_option[names[kind]].setdefault(option, []).append(position[job_id])
        return cls(
            ids=ids,
            everyone=(1 << size) - 1,
            options={
                name: {key: bitmap(positions, size) for key, positions in options.items()}
                for name, options in by_option.items()
            },
        )

    def chosen(self, name: str, slugs: set[str], vocabularies: dict[str, list]) -> int:
        """The jobs a facet filter keeps: any chosen option (levels: a minimum level at or below it)."""
        records = [record for record in vocabularies[name] if record.slug in slugs]
        if name == "level":
            highest = max((record.rank for record in records), default=None)
            keys: Iterable = [
                rank for rank in self.options[name] if highest is not None and rank is not None and rank <= highest
            ]
        else:
            keys = [record.pk for record in records]
        jobs = 0
        for key in keys:
            jobs |= self.options[name].get(key, 0)
        return jobs

    def count(
        self,
        *,
        base_except: Callable[[str | None], QuerySet[Job]],
        active: set[str],
        selected: dict[str, set[str]],
        vocabularies: dict[str, list],
        rescue: bool,
        search_ids: list[int] | None = None,
    ) -> dict[int, dict] | None:
        """The counts of `count_in_sql`, from the bitmaps; None if a job the search or the database
        returns is unknown to the index (then the caller counts in SQL).

        Facet `name` is counted among S(name), the jobs kept by every filter but its own. Facet filters
        are bitmaps (F); the jobs kept by the search and the training filter (O, "opaque") are not: with
        neither, O is every published job; with the search only and its `search_ids`, O is those. Else
        one query returns S(name) for each active facet (O itself when no facet is active): each S(name)
        is O and the other F's, and the result S(None) is any S(name) and its own F.
        """
        # `selected`, not `active`: a repeated filter left empty is "active" but keeps every job.
        filters = {name: self.chosen(name, selected[name], vocabularies) for name in FACET_CODES if selected.get(name)}
        opaque = [name for name in OPAQUE if name in active]
        rescued: dict[int, int] = {}
        known = None
        if not opaque:
            known = self.everyone
        elif opaque == ["q"] and search_ids is not None:
            known = self.from_ids(search_ids)
            if known is None:
                return None
        if known is not None:
            partial = {name: self.narrow(known, filters, leave_out=name) for name in filters}
            result = self.narrow(known, filters)
        else:
            # With two opaque filters, the rescue counts without each one need the database too.
            rescue_opaque = opaque if rescue and len(opaque) > 1 else []
            fetched = self.fetch(base_except, list(filters) or [None], rescue_opaque, rescued)
            if fetched is None:
                return None
            if filters:
                partial = fetched
                some = next(iter(filters))
                result = partial[some] & filters[some]
            else:
                partial = {}
                result = fetched[None]
        counts: dict[int, dict] = {}
        for name, code in FACET_CODES.items():
            jobs = partial.get(name, result)
            counts[code] = {key: (jobs & option).bit_count() for key, option in self.options[name].items()}
        if rescue:
            for name in filters:
                rescued[RESCUABLE.index(name)] = partial[name].bit_count()
            if len(opaque) == 1:  # without the only opaque filter, the facet filters alone
                rescued[RESCUABLE.index(opaque[0])] = self.narrow(self.everyone, filters).bit_count()
            counts[RESCUE_CODE] = rescued
        return counts

    def positions(self) -> dict[int, int]:
        """Job id -> bit."""
        return dict(zip(self.ids, range(len(self.ids)), strict=True))

    def from_ids(self, ids: Iterable[int]) -> int | None:
        """The bitmap of these jobs; None if one is unknown to the index."""
        position = self.positions()
        try:
            return bitmap((position[job_id] for job_id in ids), len(self.ids))
        except KeyError:
            return None

    @staticmethod
    def narrow(jobs: int, filters: dict[str, int], *, leave_out: str | None = None) -> int:
        """`jobs` kept by every facet filter but `leave_out`."""
        for name, kept in filters.items():
            if name != leave_out:
                jobs &= kept
        return jobs

    def fetch(
        self,
        base_except: Callable[[str | None], QuerySet[Job]],
        names: list[str | None],
        rescue_opaque: list[str],
        rescued: dict[int, int],
    ) -> dict[str | None, int] | None:
        """The bitmap of base_except(name) for each of `names`, and the rescue count without each of
        `rescue_opaque` (into `rescued`): one query. None if a job is unknown to the index."""
        members = [
            base_except(name).order_by().annotate(kind=code(n), key=code(0)).values_list("kind", "pk", "key")
            for n, name in enumerate(names)
        ]
        members += [rescue_count(base_except(name), RESCUABLE.index(name)) for name in rescue_opaque]
        position = self.positions()
        found: list[list[int]] = [[] for _name in names]
        for kind, key, n in members[0].union(*members[1:], all=True).order_by():
            if kind == RESCUE_CODE:
                rescued[key] = n
            elif key in position:
                found[kind].append(position[key])
            else:
                return None
        return {name: bitmap(found[n], len(self.ids)) for n, name in enumerate(names)}


VOCABULARY_MODELS: dict[str, type] = {"interest": Interest, "status": Status, "sector": Sector, "level": AccessLevel}


def load_vocabularies() -> dict[str, list]:
    """The options of every facet: interests, statuses and sectors in alphabetical order whatever their
    case, ranked levels in educational order.

    Records carry their pk, slug, name (and rank): what filtering, validation and display use. One
    UNION ALL query, or none when the catalogue cache holds them for the current version (each call
    gets its own records, unpickled from the cache).
    """
    cache = catalogue_cache()
    if cache is None:
        return query_vocabularies()
    key = f"vocabularies:{catalogue_version()}"
    vocabularies = cache.get(key)
    if vocabularies is None:
        vocabularies = query_vocabularies()
        cache.set(key, vocabularies)
    return vocabularies


def query_vocabularies() -> dict[str, list]:
    members = []
    for code, (name, model) in enumerate(VOCABULARY_MODELS.items()):
        table = connection.ops.quote_name(model._meta.db_table)
        if name == "level":
            members.append(f"SELECT {code}, id, slug, name, CAST(rank AS integer) FROM {table} WHERE rank IS NOT NULL")
        else:
            members.append(f"SELECT {code}, id, slug, name, CAST(NULL AS integer) FROM {table}")
    models = list(VOCABULARY_MODELS.items())
    vocabularies: dict[str, list] = {name: [] for name in VOCABULARY_MODELS}
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(members))
        rows = cursor.fetchall()
    for code, pk, slug, label, rank in rows:
        name, model = models[code]
        record = model(pk=pk, slug=slug, name=label)
        if name == "level":
            record.rank = rank
        vocabularies[name].append(record)
    for name, records in vocabularies.items():
        if name == "level":
            records.sort(key=lambda record: record.rank)
        else:
            records.sort(key=lambda record: (record.name.lower(), record.pk))
    return vocabularies
