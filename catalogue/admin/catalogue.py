"""The catalogue in the counsellors' admin: job sheets, trainings and reference vocabularies.

Every write path keeps derived data right explicitly (no signals, no save() overrides): a job's
search column is rebuilt after its names or appellations change, an old job slug keeps
answering with a redirect, and every write moves the catalogue version on so that no cached
public page shows the old record (`CatalogueWriteMixin`, catalogue.services.workflow).
"""

from collections.abc import Iterable, Sequence
from functools import lru_cache

from django.contrib import admin, messages
from django.db import models
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import ngettext

from catalogue.admin.history import HistoryAdminMixin
from catalogue.admin.locking import ConcurrentEditMixin
from catalogue.admin.quality import JobQualityFilter, TrainingQualityFilter
from catalogue.admin.spreadsheets import InterestSpreadsheetMixin, JobSpreadsheetMixin, TrainingSpreadsheetMixin
from catalogue.admin.widgets import SafeAutocompleteMixin
from catalogue.forms import RelatedJobForm, SheetAdminForm
from catalogue.models import (
    AccessLevel,
    Appellation,
    Interest,
    Job,
    JobResource,
    JobSlugRedirect,
    PublicationStatus,
    RelatedJob,
    RomeCode,
    Sector,
    Source,
    Status,
    Training,
)
from catalogue.permissions import can_publish
from catalogue.services.cache import bump_catalogue_version
from catalogue.services.search import refresh_search_text
from catalogue.services.slugs import record_slug_change
from catalogue.services.workflow import StatusChange, allowed_statuses, change_status, check_transition, stamp
from catalogue.text import fold

# --- Search ---------------------------------------------------------------------------------------


def folded_words(search_term: str) -> list[str]:
    """The words of a query once case, accents and punctuation are set aside."""
    return fold(search_term).split()


def _fold_inverse() -> dict[str, frozenset[str]]:
    """What `fold` turns into each letter or digit inside a word: 'e' <- e, E, é, È..., 'oe' <- œ, Œ."""
    inverse: dict[str, set[str]] = {}
    for code in range(0x30, 0x250):  # digits and Latin letters (Latin-1, Extended-A and B)
        char = chr(code)
        folded = fold(f"x{char}x")
        if len(folded) > 2 and " " not in folded:
            inverse.setdefault(folded[1:-1], set()).add(char)
    return {key: frozenset(chars) for key, chars in inverse.items()}


FOLD_INVERSE = _fold_inverse()
LIGATURES = {key: chars for key, chars in FOLD_INVERSE.items() if len(key) > 1}  # oe: œ Œ, ae: æ Æ, ss: ß...
COMBINING_MARKS = "[\u0300-\u036f]*"  # text stored decomposed (e + U+0301) folds like é


def _char_class(chars: Iterable[str]) -> str:
    return "[" + "".join(sorted(chars)) + "]" + COMBINING_MARKS


@lru_cache(maxsize=1024)
def folded_regex(word: str) -> str:
    """A regular expression matching `word` in a text whose fold contains it, on any database.

    PostgreSQL and SQLite both run it (`__regex`) without the `unaccent` extension. Each letter
    becomes the class of the characters folding to it; a letter pair that a ligature folds to also
    accepts the ligature ('oe' -> oe or œ), and the first and last letters accept a ligature
    that ends or starts with them ('eur' is in 'cœur'). Only a word that splits a ligature between
    two pairs of its own letters is missed.
    """

    def letter(index: int) -> str:
        chars = set(FOLD_INVERSE.get(word[index], {word[index]}))
        for key, ligatures in LIGATURES.items():
            if (index == 0 and key.endswith(word[index])) or (index == len(word) - 1 and key.startswith(word[index])):
                chars |= ligatures
        return _char_class(chars)

    parts, index = [], 0
    while index < len(word):
        pair = word[index : index + 2]
        if len(pair) == 2 and pair in LIGATURES:
            parts.append(f"(?:{letter(index)}{letter(index + 1)}|{_char_class(LIGATURES[pair])})")
            index += 2
        else:
            parts.append(letter(index))
            index += 1
    return "".join(parts)


class FoldedSearchMixin:
    """Search that ignores case and accents on every database (no `unaccent` extension needed).

    Every folded word of the query must appear in one of `folded_search_fields`, as
    `folded_regex` matches it; the filtering stays in the database, so it pages like any search.
    """

    folded_search_fields: Sequence[str] = ("name",)

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str):
        for word in folded_words(search_term):
            pattern = folded_regex(word)
            in_any_field = Q()
            for field in self.folded_search_fields:
                in_any_field |= Q(**{f"{field}__regex": pattern})
            queryset = queryset.filter(in_any_field)
        return queryset, False


# --- Shared behaviour -----------------------------------------------------------------------------


class CatalogueWriteMixin:
    """For every catalogue ModelAdmin: each save or delete invalidates the cached public pages."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        bump_catalogue_version()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        bump_catalogue_version()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        bump_catalogue_version()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        bump_catalogue_version()


class CatalogueAdmin(CatalogueWriteMixin, SafeAutocompleteMixin, ConcurrentEditMixin, HistoryAdminMixin):
    """Base of every catalogue ModelAdmin: cache invalidation, no lost edits, history with undo."""


class SafeDeleteMixin:
    """A training or a vocabulary entry that published jobs use cannot be deleted.

    Deleting it would silently drop a link from pages students read: the admin's confirmation page
    lists the published jobs concerned as protected and refuses, for one record and for the bulk
    action alike. Links from unpublished jobs are listed on the confirmation page before deleting.
    """

    def get_deleted_objects(self, objs, request):
        to_delete, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        pks = [obj.pk for obj in objs]
        jobs = Job.objects.published().filter(self.using_jobs(pks)).distinct().only("pk", "name").order_by("name")
        for job in jobs:
            url = reverse("admin:catalogue_job_change", args=[job.pk])
            protected.append(format_html('Métier publié : <a href="{}">{}</a>', url, job.name))
        return to_delete, model_count, perms_needed, protected

    def using_jobs(self, pks: list[int]) -> Q:
        """Jobs that link to the records `pks` being deleted."""
        return Q(**{f"{self.job_relation}__in": pks})


# --- Publication ----------------------------------------------------------------------------------
# Moving a record through draft -> review -> published goes through catalogue.services.workflow,
# from the change form and from the actions alike.


class WithdrawnFilter(admin.SimpleListFilter):
    title = "retirée par l’ONISEP"
    parameter_name = "retiree"

    def lookups(self, request, model_admin):
        return [("oui", "Oui"), ("non", "Non")]

    def queryset(self, request, queryset):
        if self.value() == "oui":
            return queryset.filter(withdrawn_at__isnull=False)
        if self.value() == "non":
            return queryset.filter(withdrawn_at__isnull=True)
        return queryset


PUBLICATION_FIELDS = ["publication_status", "published_at", "source", "source_export_date", "withdrawn_at"]
TRACKING_FIELDS = ["created_at", "updated_at"]


class PublishableAdmin(CatalogueAdmin):
    """Shared by jobs and trainings: provenance is read-only, the workflow is enforced, bulk actions."""

    form = SheetAdminForm
    readonly_fields = [
        "published_at",
        "published_by",
        "submitted_at",
        "submitted_by",
        "source",
        "source_export_date",
        "withdrawn_at",
        *TRACKING_FIELDS,
    ]
    actions = ["submit_for_review", "publish", "unpublish"]
    date_hierarchy = "updated_at"
    prepopulated_fields = {"slug": ("name",)}
    # (singular, plural) success messages, with the gender of the model's noun.
    submitted_message = ("%(count)d fiche soumise à validation.", "%(count)d fiches soumises à validation.")
    published_message = ("%(count)d fiche publiée.", "%(count)d fiches publiées.")
    drafted_message = ("%(count)d fiche repassée en brouillon.", "%(count)d fiches repassées en brouillon.")

    @admin.display(boolean=True, description="retirée", ordering="withdrawn_at")
    def is_withdrawn(self, obj) -> bool:
        return obj.withdrawn_at is not None

    def has_publish_permission(self, request) -> bool:
        return can_publish(request.user, self.model)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and allowed_statuses(request.user, self.model, obj.publication_status) == [
            obj.publication_status
        ]:
            readonly.append("publication_status")  # a Rédacteur on a published record
        return readonly

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        status = form.base_fields.get("publication_status")
        if status is not None:
            allowed = allowed_statuses(request.user, self.model, obj.publication_status if obj else None)
            status.choices = [choice for choice in PublicationStatus.choices if choice[0] in allowed]
        return form

    def stored_state(self, object_id) -> dict | None:
        return self.model._base_manager.filter(pk=object_id).values("publication_status", "slug").first()

    def check_revert(self, request, stored, version) -> None:
        previous_status = stored["publication_status"] if stored else None
        check_transition(request.user, self.model, previous_status, version.field_dict["publication_status"])

    def save_model(self, request, obj, form, change):
        if hasattr(request, "stored_before_revert"):  # a revert or a recovery: the database holds the old version
            previous = request.stored_before_revert
        else:
            previous = self.stored_state(obj.pk) if change else None
        previous_status = previous["publication_status"] if previous else None
        if not change:
            obj.source = Source.COUNSELLOR
        # The form only offers allowed statuses; this refuses a crafted request all the same.
        check_transition(request.user, self.model, previous_status, obj.publication_status)
        stamp(obj, obj.publication_status, request.user, previous=previous_status)
        super().save_model(request, obj, form, change)
        self.after_save(request, obj, previous)

    def after_save(self, request, obj, previous: dict | None) -> None:
        """Bookkeeping once `obj` is saved; `previous` holds its stored status and slug (None when added)."""

    @admin.action(description="Soumettre à validation", permissions=["change"])
    def submit_for_review(self, request, queryset):
        result = change_status(queryset, PublicationStatus.REVIEW, request.user)
        self._report(request, result, self.submitted_message, "Aucun changement : la sélection attendait déjà.")

    @admin.action(description="Publier", permissions=["publish"])
    def publish(self, request, queryset):
        result = change_status(queryset, PublicationStatus.PUBLISHED, request.user)
        self._report(request, result, self.published_message, "Aucun changement : la sélection était déjà publiée.")

    @admin.action(description="Repasser en brouillon", permissions=["change"])
    def unpublish(self, request, queryset):
        result = change_status(queryset, PublicationStatus.DRAFT, request.user)
        self._report(request, result, self.drafted_message, "Aucun changement : la sélection était déjà en brouillon.")

    def _report(self, request, result: StatusChange, message: tuple[str, str], nothing: str) -> None:
        if result.changed:
            self.message_user(request, ngettext(*message, result.changed) % {"count": result.changed}, messages.SUCCESS)
        elif not result.refused:
            self.message_user(request, nothing, messages.WARNING)
        if result.refused:
            self.message_user(
                request,
                ngettext(
                    "%(count)d fiche publiée laissée telle quelle : seul un Validateur peut la dépublier.",
                    "%(count)d fiches publiées laissées telles quelles : seul un Validateur peut les dépublier.",
                    result.refused,
                )
                % {"count": result.refused},
                messages.ERROR,
            )


# --- Jobs -----------------------------------------------------------------------------------------


class AppellationInline(admin.TabularInline):
    model = Appellation
    fields = ["name", "feminine_name", "masculine_name", "kind", "position"]
    extra = 0
    verbose_name_plural = "autres appellations"


class RelatedJobInline(SafeAutocompleteMixin, admin.TabularInline):
    model = RelatedJob
    fk_name = "job"
    form = RelatedJobForm
    fields = ["target", "target_name", "target_onisep_id", "position"]
    autocomplete_fields = ["target"]
    extra = 0


class JobResourceInline(admin.TabularInline):
    model = JobResource
    fields = ["kind", "title", "url", "comment", "position"]
    formfield_overrides = {models.TextField: {"widget": admin.widgets.AdminTextareaWidget(attrs={"rows": 2})}}
    extra = 0


IDENTITY = "Identité"
APPELLATIONS = "Appellations"
INTERESTS = "Centres d’intérêt, statuts et secteurs"


@admin.register(Job)
class JobAdmin(JobSpreadsheetMixin, PublishableAdmin):
    list_display = ["name", "onisep_id", "access_level", "publication_status", "source", "is_withdrawn", "updated_at"]
    list_filter = [
        "publication_status",
        JobQualityFilter,
        "source",
        WithdrawnFilter,
        "access_level",
        "is_cross_sector",
        "interests",
        "statuses",
        "sectors",
    ]
    list_select_related = ["access_level"]
    # The search box and the autocomplete of related jobs go through get_search_results below.
    search_fields = ["name"]
    search_help_text = "Nom ou appellation, avec ou sans accents, ou identifiant ONISEP (MET.8063)."
    autocomplete_fields = ["rome_codes", "trainings", "interests", "statuses", "sectors"]
    inlines = [AppellationInline, RelatedJobInline, JobResourceInline]
    fieldsets = [
        (IDENTITY, {"fields": ["name", "slug", "onisep_id", "rome_codes"]}),
        (APPELLATIONS, {"fields": [("feminine_name", "masculine_name")]}),
        (
            "Textes",
            {
                "fields": [
                    "presentation",
                    "summary",
                    "study_paths",
                    "nature_of_work",
                    "skills",
                    "working_conditions",
                    "access",
                    "career",
                    "starting_salary",
                    "other_information",
                ]
            },
        ),
        ("Niveau et formations", {"fields": ["access_level", "trainings"]}),
        (INTERESTS, {"fields": ["interests", "statuses", "sectors", "is_cross_sector"]}),
        ("Autres informations ONISEP", {"fields": ["details"], "classes": ["collapse"]}),
        ("Publication", {"fields": [*PUBLICATION_FIELDS, *TRACKING_FIELDS]}),
    ]
    # Inlines shown right after a fieldset, so that the form follows the order of the sheet
    # (see templates/admin/catalogue/job/change_form.html); the others come last.
    inlines_after_fieldset = {
        APPELLATIONS: (AppellationInline,),
        INTERESTS: (RelatedJobInline, JobResourceInline),
    }
    submitted_message = ("%(count)d métier soumis à validation.", "%(count)d métiers soumis à validation.")
    published_message = ("%(count)d métier publié.", "%(count)d métiers publiés.")

    class Media:
        # Proposes the other gendered form of a title (catalogue.admin.quality.gender_proposal_view).
        js = ["js/admin-gender.js"]

    drafted_message = ("%(count)d métier repassé en brouillon.", "%(count)d métiers repassés en brouillon.")

    def get_search_results(self, request, queryset, search_term):
        """Every folded word in one of the job's titles (search_text), or the exact ONISEP id."""
        words = folded_words(search_term)
        if not words:
            return queryset, False
        by_titles = Q()
        for word in words:
            by_titles &= Q(search_text__contains=word)
        return queryset.filter(by_titles | Q(onisep_id__iexact=search_term.strip())), False

    def after_save(self, request, obj, previous):
        if previous is not None:
            record_slug_change(obj, previous["slug"])

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Names and appellations (inline) are saved by now.
        refresh_search_text([form.instance])

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        remaining = list(context["inline_admin_formsets"])
        sections = []
        for fieldset in context["adminform"]:
            inline_classes = self.inlines_after_fieldset.get(fieldset.name, ())
            placed = [formset for formset in remaining if type(formset.opts) in inline_classes]
            remaining = [formset for formset in remaining if formset not in placed]
            sections.append((fieldset, placed))
        context["sheet_sections"] = sections
        context["remaining_inline_admin_formsets"] = remaining
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)


def refresh_jobs(job_ids: Iterable[int | None]) -> None:
    refresh_search_text([Job(pk=pk) for pk in set(job_ids) if pk is not None])


@admin.register(Appellation)
class AppellationAdmin(FoldedSearchMixin, CatalogueAdmin):
    class Media:
        js = ["js/admin-gender.js"]

    list_display = ["name", "feminine_name", "masculine_name", "kind", "job"]
    list_filter = ["kind"]
    list_select_related = ["job"]
    search_fields = ["name"]
    search_help_text = "Appellation, avec ou sans accents."
    folded_search_fields = ("name", "feminine_name", "masculine_name")
    autocomplete_fields = ["job"]
    fields = ["job", "name", "feminine_name", "masculine_name", "kind", "position"]

    def save_model(self, request, obj, form, change):
        old_job_id = Appellation.objects.filter(pk=obj.pk).values_list("job_id", flat=True).first() if change else None
        super().save_model(request, obj, form, change)
        refresh_jobs([obj.job_id, old_job_id])

    def delete_model(self, request, obj):
        job_id = obj.job_id
        super().delete_model(request, obj)
        refresh_jobs([job_id])

    def delete_queryset(self, request, queryset):
        job_ids = list(queryset.values_list("job_id", flat=True))
        super().delete_queryset(request, queryset)
        refresh_jobs(job_ids)


@admin.register(RelatedJob)
class RelatedJobAdmin(FoldedSearchMixin, CatalogueAdmin):
    form = RelatedJobForm
    list_display = ["job", "target_name", "target", "target_onisep_id"]
    list_select_related = ["job", "target"]
    list_filter = [("target", admin.EmptyFieldListFilter)]
    search_fields = ["target_name"]
    folded_search_fields = ("target_name", "target_onisep_id", "job__name")
    autocomplete_fields = ["job", "target"]
    fields = ["job", "target", "target_name", "target_onisep_id", "position"]


@admin.register(JobResource)
class JobResourceAdmin(FoldedSearchMixin, CatalogueAdmin):
    list_display = ["title", "kind", "url", "job"]
    list_select_related = ["job"]
    list_filter = ["kind"]
    search_fields = ["title"]
    folded_search_fields = ("title", "url", "job__name")
    autocomplete_fields = ["job"]
    fields = ["job", "kind", "title", "url", "comment", "position"]


@admin.register(JobSlugRedirect)
class JobSlugRedirectAdmin(CatalogueWriteMixin, admin.ModelAdmin):
    """Old addresses, recorded when a job's slug changes; they can be removed, not written."""

    list_display = ["old_slug", "job", "created_at"]
    list_select_related = ["job"]
    search_fields = ["old_slug", "job__slug"]
    fields = ["old_slug", "job", "created_at"]
    readonly_fields = ["old_slug", "job", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# --- Trainings ------------------------------------------------------------------------------------


@admin.register(Training)
class TrainingAdmin(TrainingSpreadsheetMixin, SafeDeleteMixin, FoldedSearchMixin, PublishableAdmin):
    job_relation = "trainings"
    list_display = [
        "name",
        "onisep_id",
        "type_acronym",
        "level",
        "has_sheet",
        "publication_status",
        "is_withdrawn",
        "updated_at",
    ]
    list_filter = [
        "publication_status",
        TrainingQualityFilter,
        "source",
        WithdrawnFilter,
        "has_sheet",
        "level",
        "type_acronym",
    ]
    list_select_related = ["level"]
    search_fields = ["name"]
    search_help_text = "Intitulé ou sigle, avec ou sans accents, ou identifiant ONISEP (FOR.9970)."
    folded_search_fields = ("name", "acronym", "onisep_id")
    fieldsets = [
        (
            IDENTITY,
            {
                "fields": [
                    "name",
                    "slug",
                    "onisep_id",
                    "has_sheet",
                    ("acronym", "code_scolarite"),
                    ("generic_label", "specific_label"),
                    "option_type",
                ]
            },
        ),
        (
            "Type, durée et niveau",
            {
                "fields": [
                    ("type_acronym", "type_short_label"),
                    "type_label",
                    "duration",
                    "level",
                    ("certification_level", "certificate_nature"),
                ]
            },
        ),
        ("Textes", {"fields": ["description", "access", "expectations", "further_studies", "further_study_options"]}),
        (
            "Références",
            {
                "fields": [
                    "url",
                    "ministry",
                    ("nsf_discipline_code", "nsf_discipline_label"),
                    ("nsf_function_code", "nsf_function_label"),
                    "details",
                ],
                "classes": ["collapse"],
            },
        ),
        ("Publication", {"fields": [*PUBLICATION_FIELDS, *TRACKING_FIELDS]}),
    ]
    submitted_message = ("%(count)d formation soumise à validation.", "%(count)d formations soumises à validation.")
    published_message = ("%(count)d formation publiée.", "%(count)d formations publiées.")
    drafted_message = (
        "%(count)d formation repassée en brouillon.",
        "%(count)d formations repassées en brouillon.",
    )


# --- Reference vocabularies -----------------------------------------------------------------------


class ReferenceAdmin(FoldedSearchMixin, CatalogueAdmin):
    list_display = ["name", "onisep_id"]
    search_fields = ["name"]
    search_help_text = "Libellé, avec ou sans accents, ou identifiant ONISEP."
    folded_search_fields = ("name", "onisep_id")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(AccessLevel)
class AccessLevelAdmin(SafeDeleteMixin, ReferenceAdmin):
    job_relation = "access_level"

    list_display = ["name", "rank", "onisep_id"]
    fields = ["name", "slug", "onisep_id", "rank"]


@admin.register(Status)
class StatusAdmin(SafeDeleteMixin, ReferenceAdmin):
    job_relation = "statuses"

    fields = ["name", "slug", "onisep_id"]


@admin.register(Sector)
class SectorAdmin(SafeDeleteMixin, ReferenceAdmin):
    job_relation = "sectors"

    fields = ["name", "slug", "onisep_id"]


@admin.register(Interest)
class InterestAdmin(InterestSpreadsheetMixin, SafeDeleteMixin, ReferenceAdmin):
    job_relation = "interests"

    fields = ["name", "slug", "onisep_id", "description"]


@admin.register(RomeCode)
class RomeCodeAdmin(FoldedSearchMixin, CatalogueAdmin):
    list_display = ["code", "label"]
    search_fields = ["code", "label"]
    search_help_text = "Code (M1805) ou libellé, avec ou sans accents."
    folded_search_fields = ("code", "label")
