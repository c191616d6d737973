"""The data-quality dashboard (placeholder until built)."""

from django.http import HttpRequest, HttpResponse


def dashboard_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse("Tableau de bord")
