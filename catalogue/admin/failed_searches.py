"""Searches that found nothing, most frequent first, and the page that adds one to a job.

The list is read-only (the counts are written by the public search only). Each row links to
« Ajouter à un métier »: choose a job (autocomplete) and the term becomes a search-only
appellation of it (catalogue.services.failed_searches.add_as_search_appellation), so that the same
search finds the job from now on. Rédacteurs and Validateurs may do it; nobody else.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import ngettext

from catalogue.admin.catalogue import CatalogueWriteMixin
from catalogue.admin.widgets import SafeAutocompleteSelect
from catalogue.models import FailedSearch, Job
from catalogue.services.failed_searches import add_as_search_appellation
from catalogue.text import fold

# What adding a term to a job writes: the appellation, the job's search data, the search's state.
ADD_TO_JOB_PERMISSIONS = ("catalogue.change_failedsearch", "catalogue.add_appellation", "catalogue.change_job")


class HandledFilter(admin.SimpleListFilter):
    title = "traitée"
    parameter_name = "traitee"

    def lookups(self, request, model_admin):
        return [("non", "Non (à traiter)"), ("oui", "Oui")]

    def queryset(self, request, queryset):
        if self.value() == "non":
            return queryset.filter(handled_at__isnull=True)
        if self.value() == "oui":
            return queryset.filter(handled_at__isnull=False)
        return queryset


class AddToJobForm(forms.Form):
    job = forms.ModelChoiceField(
        queryset=Job.objects.all(),
        label="Métier",
        help_text="Le métier que cette recherche doit trouver désormais (tapez quelques lettres de son nom).",
        error_messages={
            "required": "Choisissez le métier que cette recherche doit trouver.",
            "invalid_choice": "Ce métier n’existe pas ou plus : choisissez-en un dans la liste.",
        },
    )
    name = forms.CharField(
        label="Appellation de recherche",
        max_length=255,
        help_text=(
            "La recherche telle qu’elle a été comptée, sans accents ni majuscules. Vous pouvez les rétablir "
            "(elle s’affiche sous le résultat : « Trouvé via … »), mais pas changer les mots."
        ),
        error_messages={"required": "Indiquez l’appellation.", "max_length": "255 caractères au plus."},
    )

    def __init__(self, *args, failed: FailedSearch, admin_site: admin.AdminSite, **kwargs):
        kwargs.setdefault("initial", {"name": failed.term})
        super().__init__(*args, **kwargs)
        self.failed = failed
        # The autocomplete of the search's own `added_to` field: Django's view lists jobs through
        # JobAdmin's search (any spelling) and checks that the counsellor may view jobs.
        job_field = self.fields["job"]
        job_field.widget = SafeAutocompleteSelect(FailedSearch._meta.get_field("added_to"), admin_site)
        job_field.widget.choices = job_field.choices  # what the field does for its own widget

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if fold(name) != self.failed.term:
            raise ValidationError(
                f"L’appellation doit rester la recherche « {self.failed.term} », "
                "aux accents, majuscules et signes de ponctuation près."
            )
        return name


@admin.register(FailedSearch)
class FailedSearchAdmin(CatalogueWriteMixin, admin.ModelAdmin):
    """Read-only list; the only writes are « Ajouter à un métier », marking handled, and deleting.

    CatalogueWriteMixin: a deletion bumps the catalogue version although no public page shows
    these rows; harmless (deletions are rare) and every catalogue ModelAdmin then behaves alike.
    """

    list_display = ["term", "count", "last_searched_on", "first_searched_on", "added_to", "add_to_job_link"]
    list_filter = [HandledFilter]
    list_select_related = ["added_to"]
    search_fields = ["term"]
    search_help_text = "Mots de la recherche, avec ou sans accents."
    ordering = ["-count", "term"]
    actions = ["mark_handled"]
    list_per_page = 100

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_add_to_job_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perms(ADD_TO_JOB_PERMISSIONS)

    def has_handle_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("catalogue.change_failedsearch")

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str):
        """Terms are stored folded: the words typed are folded too, each must appear."""
        for word in fold(search_term).split():
            queryset = queryset.filter(term__contains=word)
        return queryset, False

    @admin.display(description="Ajouter")
    def add_to_job_link(self, obj: FailedSearch) -> str:
        url = reverse("admin:catalogue_failedsearch_add_to_job", args=[obj.pk])
        return format_html('<a href="{}">Ajouter à un métier</a>', url)

    @admin.action(description="Marquer comme traitées (sans ajout)", permissions=["handle"])
    def mark_handled(self, request: HttpRequest, queryset: QuerySet[FailedSearch]) -> None:
        count = queryset.filter(handled_at__isnull=True).update(handled_at=timezone.now())
        message = ngettext(
            "%(count)d recherche marquée comme traitée.", "%(count)d recherches marquées comme traitées.", count
        )
        self.message_user(request, message % {"count": count}, messages.SUCCESS)

    def get_urls(self):
        own = [
            path(
                "<path:object_id>/ajouter-a-un-metier/",
                self.admin_site.admin_view(self.add_to_job_view),
                name="catalogue_failedsearch_add_to_job",
            )
        ]
        return own + super().get_urls()

    def add_to_job_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if not self.has_add_to_job_permission(request):
            raise PermissionDenied
        failed = self.get_object(request, unquote(object_id))
        if failed is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        data = request.POST if request.method == "POST" else None
        form = AddToJobForm(data, failed=failed, admin_site=self.admin_site)
        if form.is_bound and form.is_valid():
            job = form.cleaned_data["job"]
            result = add_as_search_appellation(failed, job, request.user, name=form.cleaned_data["name"])
            if result.created:
                messages.success(
                    request,
                    f"La recherche « {failed.term} » trouve désormais le métier « {job} » "
                    f"(appellation de recherche « {result.appellation} » ajoutée).",
                )
            else:
                messages.info(
                    request,
                    f"Le métier « {job} » porte déjà ce nom : rien n’a été ajouté, "
                    f"la recherche « {failed.term} » est marquée comme traitée.",
                )
            return HttpResponseRedirect(reverse("admin:catalogue_failedsearch_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Ajouter « {failed.term} » à un métier",
            "failed": failed,
            "form": form,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/catalogue/failedsearch/add_to_job.html", context)
