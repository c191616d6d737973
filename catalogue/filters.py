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
from django.db.models import QuerySet
from django.db.models.functions import Lower
from django.http import QueryDict
from django.utils.text import Truncator
from django_filters.fields import ModelChoiceField, ModelMultipleChoiceField

from catalogue.models import AccessLevel, Interest, Job, Sector, Status, Training
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
    """One record chosen by slug; a malformed slug is an unknown choice, not a database error."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if not is_slug(value):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class SlugMultipleChoiceField(ModelMultipleChoiceField):
    """Records chosen by slug (repeated parameter): unknown or malformed slugs are dropped."""

    def _check_values(self, value):
        slugs = {slug for slug in value if is_slug(slug)}
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
        choices=[("name", "Nom (de A à Z)"), ("updated", "Mises à jour récentes")],
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

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        """Every word of the query, folded, must appear in the job's folded titles.

        The one place of the title search: a later issue replaces it with ranked full-text search.
        """
        for word in search_words(value):
            queryset = queryset.filter(search_text__contains=word)
        return queryset

    def filter_level(self, queryset: QuerySet, name: str, value: AccessLevel) -> QuerySet:
        """Jobs open at the student's level: minimum level ranked at or below it.

        Jobs without a ranked level (none, or "autre formation") drop out: NULL <= n is never true.
        """
        return queryset.filter(access_level__rank__lte=value.rank)

    def sort_by(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == "updated":
            return queryset.order_by("-updated_at", "-pk")
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
