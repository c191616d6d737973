"""The data-quality dashboard and the gendered-title helper (placeholder)."""

from django.contrib import admin
from django.http import HttpRequest, HttpResponse, JsonResponse


class JobQualityFilter(admin.SimpleListFilter):
    title = "à compléter"
    parameter_name = "qualite"

    def lookups(self, request, model_admin):
        return []

    def queryset(self, request, queryset):
        return queryset


class TrainingQualityFilter(JobQualityFilter):
    pass


def dashboard_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse("Tableau de bord")


def gender_proposal_view(request: HttpRequest) -> JsonResponse:
    return JsonResponse({})
