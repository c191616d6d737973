"""Facet counts and zero-result rescue for the job list, in one query.

Next to each filter option, the number of jobs it would give: counted against the results filtered by
all the *other* filters (so ticking a second interest shows how many jobs it brings, not zero). When the
filters give nothing, the number of jobs each single filter hides ("Sans le filtre Bac + 2 : 14 métiers").

Every count is one member of a single UNION ALL query, so the page's query count stays constant
whatever the number of filters.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, IntegerField, QuerySet, Value

from catalogue.models import AccessLevel, Interest, Job, Sector, Status

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
) -> Facets:
    """Count every option of every facet, and (when `rescue`) the jobs each active filter hides.

    `base_except(name)` gives the result queryset filtered by every filter but `name` (None: none left
    out; "*all*": no filter but the search... see callers). `vocabularies` holds the options of each
    facet (records with `pk`, `slug`, `name`, and `rank` for levels), already loaded.
    """
    members = []
    for name, (relation, model) in M2M_FACETS.items():
        through = Job._meta.get_field(relation).remote_field.through
        column = f"{model._meta.model_name}_id"
        members.append(
            through.objects.filter(job_id__in=base_except(name).values("pk"))
            .order_by()
            .values(column)
            .annotate(kind=Value(FACET_CODES[name], output_field=IntegerField()), n=Count("pk"))
            .values_list("kind", column, "n")
        )
    members.append(
        base_except("level")
        .order_by()
        .values("access_level__rank")
        .annotate(kind=Value(FACET_CODES["level"], output_field=IntegerField()), n=Count("pk"))
        .values_list("kind", "access_level__rank", "n")
    )
    if rescue:
        for index, name in enumerate(RESCUABLE):
            if name in active:
                members.append(
                    base_except(name)
                    .order_by()
                    .annotate(
                        kind=Value(RESCUE_CODE, output_field=IntegerField()),
                        key=Value(index, output_field=IntegerField()),
                    )
                    .values("kind", "key")
                    .annotate(n=Count("pk"))
                    .values_list("kind", "key", "n")
                )
    query = members[0].union(*members[1:], all=True)
    counts: dict[int, dict] = {}
    for kind, key, n in query:
        counts.setdefault(kind, {})[key] = n

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
    for index, name in enumerate(RESCUABLE):
        n = counts.get(RESCUE_CODE, {}).get(index)
        if n:
            facets.without[name] = n
    return facets


VOCABULARY_MODELS: dict[str, type] = {"interest": Interest, "status": Status, "sector": Sector, "level": AccessLevel}


def load_vocabularies() -> dict[str, list]:
    """The options of every facet in one UNION ALL query: interests, statuses and sectors in
    alphabetical order whatever their case, ranked levels in educational order.

    Records carry their pk, slug, name (and rank): what filtering, validation and display use.
    """
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
