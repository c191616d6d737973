"""The review queue: what waits for a Validateur, oldest submission first, with one-click decisions."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from catalogue.models import Job, PublicationStatus, Training
from catalogue.permissions import can_publish
from catalogue.services.workflow import change_status

QUEUE_MODELS = {"job": Job, "training": Training}
DECISIONS = {
    "publish": (PublicationStatus.PUBLISHED, "« {name} » est publiée."),
    "draft": (PublicationStatus.DRAFT, "« {name} » est renvoyée en brouillon."),
}


def review_queue_size() -> int:
    return Job.objects.in_review().count() + Training.objects.in_review().count()


def review_queue_view(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("catalogue.view_job"):
        raise PermissionDenied
    if request.method == "POST":
        return decide(request)
    now = timezone.now()
    rows = []
    for kind, model in QUEUE_MODELS.items():
        for record in (
            model.objects.in_review()
            .select_related("submitted_by")
            .only("name", "slug", "submitted_at", "submitted_by__username", "publication_status", "withdrawn_at")
        ):
            rows.append(
                {
                    "kind": kind,
                    "record": record,
                    "noun": model._meta.verbose_name,
                    "change_url": reverse(f"admin:catalogue_{kind}_change", args=[record.pk]),
                    "waiting_days": (now - record.submitted_at).days if record.submitted_at else None,
                }
            )
    rows.sort(key=lambda row: (row["record"].submitted_at or now, row["record"].pk))
    context = {
        **admin.site.each_context(request),
        "title": "File de validation",
        "rows": rows,
        "can_publish": {kind: can_publish(request.user, model) for kind, model in QUEUE_MODELS.items()},
    }
    return TemplateResponse(request, "admin/catalogue/review_queue.html", context)


def decide(request: HttpRequest) -> HttpResponse:
    """Publish a record of the queue, or send it back to draft (Validateurs only, by the workflow)."""
    model = QUEUE_MODELS.get(request.POST.get("kind", ""))
    decision = DECISIONS.get(request.POST.get("decision", ""))
    pk = request.POST.get("pk", "")
    queue_url = reverse("admin:review-queue")
    if model is None or decision is None or not (pk.isascii() and pk.isdigit()):
        messages.error(request, "Demande incomplète : choisissez une fiche de la file et une décision.")
        return HttpResponseRedirect(queue_url)
    record = model.objects.filter(pk=int(pk), publication_status=PublicationStatus.REVIEW).first()
    if record is None:
        messages.warning(request, "Cette fiche n’attend plus de validation (quelqu’un l’a traitée entre-temps).")
        return HttpResponseRedirect(queue_url)
    if not can_publish(request.user, model):
        raise PermissionDenied
    status, message = decision
    change_status(model.objects.filter(pk=record.pk), status, request.user, comment="Décision de la file de validation")
    messages.success(request, message.format(name=record.name))
    return HttpResponseRedirect(queue_url)
