"""The public lists' filters: one FilterSet per list, values in the query string as slugs.

A filtered list is shared by copying its address, so the query string is untrusted input. Unknown
slugs, malformed values and odd page numbers are ignored (and explained in French), never a 500:
- repeated filters (`interest`, `status`, `sector`) keep the known slugs and drop the others;
- single filters (`level`, `training`, `sort`) with an unknown value are left out and reported in
  `form.errors` (the views run the FilterSet with `strict = False`).

Several values of one filter widen the list (OR), different filters narrow it (AND).
"""

import re
from dataclasses import dataclass

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Lower
from django.http import QueryDict
from django.utils.text import Truncator
from django_filters.fields import ModelChoiceField, ModelMultipleChoiceField

from catalogue.facets import RESCUABLE, Facets, count_facets, load_vocabularies
from catalogue.models import AccessLevel, Interest, Job, Sector, Status, Training
from catalogue.search import SearchHit, query_words, search_jobs
from catalogue.text import fold

# Slugs are ASCII words and hyphens; anything else (NUL bytes, 10,000 characters...) never reaches the database.
_SLUG = re.compile(r"[-a-zA-Z0-9_]{1,255}")
# A search is a few words: more would only make the query slower (and SQLite's expression tree deeper).
MAX_SEARCH_WORDS = 8


def is_slug(value: object) -> bool:
    return isinstance(value, str) and _SLUG.fullmatch(value) is not None


def search_words(query: str) -> list[str]:
    """The distinct folded words of a query, as many as the search uses."""
    return list(dict.fromkeys(fold(query).split()))[:MAX_SEARCH_WORDS]


class SearchField(forms.CharField):
    """Free text: NUL bytes are dropped rather than refused (fold() drops punctuation anyway)."""

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\x00", "")


class SlugChoiceField(ModelChoiceField):
    """One record chosen by slug; a malformed slug is an unknown choice, not a database error.

    `preloaded` (slug -> record), when a FilterSet sets it, answers without a query.
    """

    preloaded: dict | None = None

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if not is_slug(value):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        if self.preloaded is not None:
            if value not in self.preloaded:
                raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
            return self.preloaded[value]
        return super().to_python(value)


class SlugMultipleChoiceField(ModelMultipleChoiceField):
    """Records chosen by slug (repeated parameter): unknown or malformed slugs are dropped."""

    preloaded: dict | None = None

    def _check_values(self, value):
        slugs = {slug for slug in value if is_slug(slug)}
        if self.preloaded is not None:
            return [record for slug, record in self.preloaded.items() if slug in slugs]
        return list(self.queryset.filter(slug__in=slugs)) if slugs else []

    def label_from_instance(self, obj) -> str:
        return getattr(obj, "display_name", str(obj))


class SearchFilter(django_filters.CharFilter):
    field_class = SearchField


class SlugChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = SlugChoiceField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("to_field_name", "slug")
        super().__init__(*args, **kwargs)


class RelatedSlugsFilter(django_filters.ModelMultipleChoiceFilter):
    """OR within the filter, through a subquery so that a job matching two values is listed once.

    `pk IN (SELECT job.id ... WHERE <relation> IN (...))` needs no `distinct()` on the outer query,
    which keeps its ORDER BY, COUNT and LIMIT simple on both databases.
    """

    field_class = SlugMultipleChoiceField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("to_field_name", "slug")
        kwargs.setdefault("widget", forms.CheckboxSelectMultiple)
        kwargs["distinct"] = False
        super().__init__(*args, **kwargs)

    def filter(self, qs: QuerySet, value) -> QuerySet:
        if not value:
            return qs
        matching = qs.model._default_manager.filter(**{f"{self.field_name}__in": value}).values("pk")
        return qs.filter(pk__in=matching)


@dataclass(frozen=True)
class RescueLink:
    """A way out of an empty list: drop one filter and get `count` jobs."""

    label: str
    count: int
    query: str


@dataclass(frozen=True)
class ActiveFilter:
    """One applied criterion, shown with a link that removes it (and keeps the others)."""

    label: str
    value: str
    remove_query: str


class CatalogueFilterForm(forms.Form):
    """Reports the values of repeated filters that were dropped because nobody knows them."""

    repeated_filters: tuple[str, ...] = ()

    def clean(self):
        cleaned_data = super().clean()
        for name in self.repeated_filters:
            asked = set(self.data.getlist(name)) - {""} if isinstance(self.data, QueryDict) else set()
            known = {record.slug for record in cleaned_data.get(name) or []}
            if asked - known:
                label = self.fields[name].label
                self.add_error(
                    None, f"Certaines valeurs du filtre « {label} » sont inconnues : elles ont été ignorées."
                )
        return cleaned_data


class JobFilterForm(CatalogueFilterForm):
    repeated_filters = ("interest", "status", "sector")


class CatalogueFilterSet(django_filters.FilterSet):
    """Shared by the public lists: canonical query strings and the list of active filters."""

    # Filters listed as active filters, with the label shown before the value.
    active_labels: dict[str, str] = {}

    def cleaned_params(self) -> list[tuple[str, str, str]]:
        """(parameter, value, shown value) of every valid criterion, in the filters' order."""
        if not self.is_bound:
            return []
        self.errors  # noqa: B018 -- cleans the form
        params = []
        for name in self.filters:
            value = self.form.cleaned_data.get(name)
            if not value:
                continue
            if isinstance(value, str):
                params.append((name, value, value))
            elif isinstance(value, list):
                params += [(name, record.slug, getattr(record, "display_name", str(record))) for record in value]
            else:
                params.append((name, value.slug, str(value)))
        return params

    def active_filters(self) -> list[ActiveFilter]:
        params = self.cleaned_params()
        active = []
        for index, (name, _value, shown) in enumerate(params):
            if name not in self.active_labels:
                continue
            others = QueryDict(mutable=True)
            for other_index, (other_name, other_value, _shown) in enumerate(params):
                if other_index != index:
                    others.appendlist(other_name, other_value)
            if name == "q":
                shown = f"« {Truncator(shown).chars(60)} »"
            active.append(ActiveFilter(self.active_labels[name], shown, f"?{others.urlencode()}"))
        return active


def by_label(queryset: QuerySet) -> QuerySet:
    """Choices in alphabetical order whatever their case (ONISEP capitalises some labels only)."""
    return queryset.order_by(Lower("name"), "pk")


class JobFilter(CatalogueFilterSet):
    q = SearchFilter(
        method="filter_search",
        label="Nom du métier",
        widget=forms.TextInput(attrs={"type": "search", "maxlength": 100, "autocomplete": "off"}),
    )
    interest = RelatedSlugsFilter(
        field_name="interests",
        queryset=by_label(Interest.objects.all()),
        label="Centres d’intérêt",
    )
    level = SlugChoiceFilter(
        queryset=AccessLevel.objects.exclude(rank=None),
        method="filter_level",
        widget=forms.Select(attrs={"aria-describedby": "aide-niveau"}),
        label="Mon niveau d’études (actuel ou visé)",
        empty_label="Tous les niveaux",
        error_messages={"invalid_choice": "Niveau d’études inconnu : ce critère a été ignoré."},
    )
    training = SlugChoiceFilter(
        field_name="trainings",
        queryset=Training.objects.published(),
        label="Formation",
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": "Formation inconnue : ce critère a été ignoré."},
    )
    status = RelatedSlugsFilter(field_name="statuses", queryset=by_label(Status.objects.all()), label="Statuts")
    sector = RelatedSlugsFilter(
        field_name="sectors", queryset=by_label(Sector.objects.all()), label="Secteurs d’activité"
    )
    sort = django_filters.ChoiceFilter(
        method="sort_by",
        choices=[("relevance", "Pertinence"), ("name", "Nom (de A à Z)"), ("updated", "Mises à jour récentes")],
        empty_label=None,
        label="Trier par",
        error_messages={"invalid_choice": "Ordre de tri inconnu : les métiers sont triés par nom."},
    )

    active_labels = {
        "q": "Recherche",
        "interest": "Centre d’intérêt",
        "level": "Niveau d’études",
        "training": "Formation",
        "status": "Statut",
        "sector": "Secteur",
    }

    class Meta:
        model = Job
        fields: list[str] = []
        form = JobFilterForm

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Every vocabulary in one query, for validation, rendering and facet counts alike.
        self.vocabularies = load_vocabularies()
        for name, records in self.vocabularies.items():
            self.form.fields[name].preloaded = {record.slug: record for record in records}
        self.hits: list[SearchHit] | None = None
        self.hit_ids: list[int] | None = None
        self.base = self.queryset

    @property
    def cleaned(self) -> dict:
        """The valid criteria ({} for an address without any)."""
        return getattr(self.form, "cleaned_data", {}) if self.is_bound else {}

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        """No-op here: `filter_queryset` runs the ranked search once, after the other filters."""
        return queryset

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        self.base = queryset
        query = self.cleaned.get("q") or ""
        self.hits = search_jobs(query, queryset) if query_words(query) else None
        self.hit_ids = [hit.job_id for hit in self.hits] if self.hits is not None else None
        result = self.apply_filters(queryset)
        sort = self.cleaned.get("sort") or ""
        if len(self.selected_interests) > 1:
            result = result.annotate(
                matched_interests=Count("interests", filter=Q(interests__in=self.selected_interests))
            )
        if self.hits is not None and sort in ("", "relevance"):
            return result  # ordered by the view, from self.hits
        return self.sort_by(result, "sort", sort)

    def apply_filters(self, queryset: QuerySet, *, leave_out: str | None = None) -> QuerySet:
        """The queryset filtered by every valid criterion but `leave_out` (the search included)."""
        for name, value in self.cleaned.items():
            if name in {leave_out, "q", "sort"} or value in (None, "", []):
                continue
            queryset = self.filters[name].filter(queryset, value)
        if self.hit_ids is not None and leave_out != "q":
            queryset = queryset.filter(pk__in=self.hit_ids)
        return queryset

    @property
    def selected_interests(self) -> list[Interest]:
        return list(self.cleaned.get("interest") or [])

    def facets(self, *, result_count: int) -> Facets:
        """Counts of every option, and the rescue counts when nothing matched (one query)."""
        cleaned = self.cleaned
        active = {name for name in RESCUABLE if cleaned.get(name) not in (None, "", [])}
        if "q" in active and self.hits is None:
            active.discard("q")  # a query of punctuation only searched nothing
        selected = {
            "interest": {record.slug for record in cleaned.get("interest") or []},
            "status": {record.slug for record in cleaned.get("status") or []},
            "sector": {record.slug for record in cleaned.get("sector") or []},
            "level": {cleaned["level"].slug} if cleaned.get("level") else set(),
        }
        return count_facets(
            base_except=lambda name: self.apply_filters(self.base, leave_out=name),
            active=active,
            selected=selected,
            vocabularies=self.vocabularies,
            rescue=result_count == 0,
            search_ids=self.hit_ids,
        )

    def rescue_links(self, facets: Facets) -> list[RescueLink]:
        """'Sans le filtre Bac + 2 : 14 métiers', each a link to the list without that filter."""
        params = self.cleaned_params()
        links = []
        for name, count in facets.without.items():
            kept = QueryDict(mutable=True)
            for other_name, other_value, _shown in params:
                if other_name != name:
                    kept.appendlist(other_name, other_value)
            shown = [value for param, _value, value in params if param == name]
            if name == "q":
                label = f"Sans la recherche « {Truncator(shown[0]).chars(40)} »"
            else:
                label = f"Sans le filtre {', '.join(shown)}"
            links.append(RescueLink(label=label, count=count, query=f"?{kept.urlencode()}"))
        return links

    def filter_level(self, queryset: QuerySet, name: str, value: AccessLevel) -> QuerySet:
        """Jobs open at the student's level: minimum level ranked at or below it.

        Jobs without a ranked level (none, or "autre formation") drop out: NULL <= n is never true.
        """
        return queryset.filter(access_level__rank__lte=value.rank)

    def sort_by(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        """Name or last update; "relevance" without words: jobs matching more chosen interests first."""
        if value == "updated":
            return queryset.order_by("-updated_at", "-pk")
        if value in ("", "relevance") and len(self.selected_interests) > 1:
            return queryset.order_by("-matched_interests", "name", "pk")
        return queryset.order_by("name", "pk")


class TrainingFilter(CatalogueFilterSet):
    q = SearchFilter(
        method="filter_search",
        label="Nom de la formation",
        widget=forms.TextInput(attrs={"type": "search", "maxlength": 100, "autocomplete": "off"}),
    )
    level = SlugChoiceFilter(
        field_name="level",
        queryset=AccessLevel.objects.all(),
        label="Niveau de la formation",
        empty_label="Tous les niveaux",
        error_messages={"invalid_choice": "Niveau inconnu : ce critère a été ignoré."},
    )

    active_labels = {"q": "Recherche", "level": "Niveau"}

    class Meta:
        model = Training
        fields: list[str] = []
        form = CatalogueFilterForm

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        """Words of the query matched on the slug, which is the folded name (case and accents aside).

        Trainings have no search column yet; the slug is the name lower-cased, without accents, with
        hyphens between words (truncated after 200 characters).
        """
        for word in search_words(value):
            queryset = queryset.filter(slug__contains=word)
        return queryset
