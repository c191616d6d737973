"""Pages of the site itself rather than of the catalogue: health, legal pages, refusals.

- `healthz`: for load balancers and monitoring, 200 when the database answers, 503 when not.
- "Mentions légales", "Sources et licences" and "Déclaration d’accessibilité", linked from every footer.
- `csrf_failure` and `lockout`: the French pages for a refused form and a locked admin login.
"""

import logging
from datetime import date

from axes.helpers import get_cool_off
from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Max
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.views.generic import TemplateView

from catalogue.models import Job, Source, Training

logger = logging.getLogger(__name__)

# The export the catalogue was built from, when the database holds no later ONISEP import.
ONISEP_DEFAULT_EXPORT_DATE = date(2024, 6, 25)
ROME_ATTRIBUTION = "Source : France Travail, ROME 4.0 (v4.60)"


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """One `SELECT 1`: the process runs and reaches its database. Exempt from the HTTPS redirect."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        logger.error("Health check: the database does not answer (%s).", error.__class__.__name__)
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def onisep_attribution() -> str:
    """The ODbL attribution, with the date of the latest ONISEP export loaded (two aggregate queries)."""
    dates = [
        model.objects.filter(source=Source.ONISEP).aggregate(latest=Max("source_export_date"))["latest"]
        for model in (Job, Training)
    ]
    export_date = max((value for value in dates if value is not None), default=ONISEP_DEFAULT_EXPORT_DATE)
    return f"Source : Onisep, Idéo-Fiches métiers / Idéo-Fiches formations, export du {export_date:%d/%m/%Y}"


class LegalNoticeView(TemplateView):
    template_name = "pages/mentions_legales.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            publisher=settings.LEGAL_PUBLISHER,
            host=settings.LEGAL_HOST,
            contact_email=settings.LEGAL_CONTACT_EMAIL,
            **kwargs,
        )


class SourcesView(TemplateView):
    template_name = "pages/sources.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            onisep_attribution=onisep_attribution(), rome_attribution=ROME_ATTRIBUTION, **kwargs
        )


class AccessibilityView(TemplateView):
    template_name = "pages/accessibilite.html"


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """Django's CSRF_FAILURE_VIEW: a form sent without a valid token (expired page, cookies off)."""
    return TemplateResponse(request, "pages/csrf_failure.html", status=403).render()


def lockout(request: HttpRequest, original_response: HttpResponse | None = None, credentials=None) -> HttpResponse:
    """django-axes' AXES_LOCKOUT_CALLABLE: the French page of a locked admin login (429)."""
    cool_off = get_cool_off(request)
    minutes = round(cool_off.total_seconds() / 60) if cool_off else 0
    response = TemplateResponse(
        request,
        "axes/lockout.html",
        {"failure_limit": settings.AXES_FAILURE_LIMIT, "cooloff_minutes": minutes},
        status=429,
    ).render()
    if minutes:
        response["Retry-After"] = str(minutes * 60)
    return response
