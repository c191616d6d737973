"""The data-quality dashboard and the gendered-title helper of the counsellors' admin.

- `JobQualityFilter` / `TrainingQualityFilter`: the changelist filters (`?qualite=sans-feminin`...);
- `dashboard_view` (`admin/qualite/`): one count per check, each linking to the changelist filtered
  on it. Counts and filters apply the same checks (catalogue.services.quality), so they agree;
- `gender_proposal_view` (`admin/genre/`): the other gendered form of a title, as JSON, for
  static/js/admin-gender.js.
"""

import unicodedata
from dataclasses import dataclass

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from catalogue.models import ConflictState, ImportConflict, Job, Training
from catalogue.services import quality
from catalogue.services.gender import feminine_of, masculine_of

PARAMETER = "qualite"
# The longest title a field accepts (Job and Appellation names are CharField(max_length=255)).
MAX_TITLE_LENGTH = 255
INCONSISTENT_PAIRS_SHOWN = 20
WITHDRAWN = "retiree"  # the key of the withdrawn count among the checks' counts


class QualityFilter(admin.SimpleListFilter):
    title = "qualité des données"
    parameter_name = PARAMETER
    checks: list[quality.Check] = []

    def lookups(self, request, model_admin):
        return [(check.slug, check.label) for check in self.checks]

    def queryset(self, request, queryset):
        check = quality.check_by_slug(self.checks, self.value())
        return check.apply(queryset) if check is not None else queryset


class JobQualityFilter(QualityFilter):
    checks = quality.JOB_CHECKS

    def lookups(self, request, model_admin):
        return [
            *super().lookups(request, model_admin),
            (quality.INCONSISTENT_GENDER, quality.INCONSISTENT_GENDER_LABEL),
        ]

    def queryset(self, request, queryset):
        if self.value() == quality.INCONSISTENT_GENDER:
            return quality.jobs_with_inconsistent_gender(queryset)
        return super().queryset(request, queryset)


class TrainingQualityFilter(QualityFilter):
    checks = quality.TRAINING_CHECKS


# --- Dashboard ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    label: str
    count: int
    url: str


def _changelist_url(model: type, **params: str) -> str:
    return reverse(f"admin:catalogue_{model._meta.model_name}_changelist") + "?" + urlencode(params)


def check_rows(model: type, checks: list[quality.Check], withdrawn_label: str) -> list[Row]:
    """One row per check of `model`, then its records withdrawn by ONISEP: one aggregate query."""
    counts = quality.count_checks(model.objects.all(), checks, extra={WITHDRAWN: quality.is_withdrawn()})
    rows = [Row(check.label, counts[check.slug], _changelist_url(model, **{PARAMETER: check.slug})) for check in checks]
    # catalogue.admin.catalogue.WithdrawnFilter: `retiree=oui`.
    rows.append(Row(withdrawn_label, counts[WITHDRAWN], _changelist_url(model, retiree="oui")))
    return rows


def dashboard_view(request: HttpRequest) -> HttpResponse:
    """Counts of what to complete or review, each a link to the records behind it.

    Queries, whatever the size of the catalogue: one aggregate per model shown (jobs, trainings,
    conflicts), two for the gendered pairs (jobs, appellations), besides the admin's own
    (session, user, permissions).
    """
    user = request.user
    if not user.has_perm("catalogue.view_job"):
        raise PermissionDenied
    sections = []

    pairs = quality.inconsistent_gendered_pairs(Job.objects.all())
    job_rows = check_rows(Job, quality.JOB_CHECKS, "Métiers retirés par l’ONISEP")
    # Before the withdrawn row: the gendered pairs, counted from the pairs listed below.
    job_rows.insert(
        -1,
        Row(
            quality.INCONSISTENT_GENDER_LABEL,
            len({pair.job_id for pair in pairs}),
            _changelist_url(Job, **{PARAMETER: quality.INCONSISTENT_GENDER}),
        ),
    )
    sections.append(("Métiers", job_rows))
    if user.has_perm("catalogue.view_training"):
        sections.append(
            ("Formations", check_rows(Training, quality.TRAINING_CHECKS, "Formations retirées par l’ONISEP"))
        )

    if user.has_perm("catalogue.view_importconflict"):
        conflicts = quality.pending_conflicts(ImportConflict.objects.all()).count()
        # catalogue.admin.imports.ConflictStateFilter: `decision=pending`.
        sections.append(
            (
                "Imports ONISEP",
                [
                    Row(
                        "Conflits d’import en attente de décision",
                        conflicts,
                        _changelist_url(ImportConflict, decision=ConflictState.PENDING),
                    )
                ],
            )
        )

    shown = [
        {"pair": pair, "change_url": reverse("admin:catalogue_job_change", args=[pair.job_id])}
        for pair in pairs[:INCONSISTENT_PAIRS_SHOWN]
    ]
    context = {
        **admin.site.each_context(request),
        "title": "Qualité des fiches",
        "sections": sections,
        "inconsistent_pairs": shown,
        "inconsistent_pairs_count": len(pairs),
        "inconsistent_jobs_url": _changelist_url(Job, **{PARAMETER: quality.INCONSISTENT_GENDER}),
    }
    return TemplateResponse(request, "admin/catalogue/quality_dashboard.html", context)


# --- Gendered titles ------------------------------------------------------------------------------


def _bad_request(message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=400)


@require_GET
def gender_proposal_view(request: HttpRequest) -> JsonResponse:
    """`?masculin=infirmier` -> {"feminine": "infirmière", "masculine": "infirmier"}, or the reverse
    with `?feminin=`. An epicene title comes back the same in both forms.
    """
    masculine = request.GET.get("masculin", "").strip()
    feminine = request.GET.get("feminin", "").strip()
    if masculine and feminine:
        return _bad_request("Indiquez une seule forme : « masculin » ou « féminin », pas les deux.")
    title = masculine or feminine
    if not title:
        return _bad_request("Indiquez une appellation : « masculin=… » ou « feminin=… ».")
    if len(title) > MAX_TITLE_LENGTH:
        return _bad_request(f"Appellation trop longue : {MAX_TITLE_LENGTH} caractères au plus.")
    if any(unicodedata.category(char) == "Cc" for char in title):
        return _bad_request("Appellation invalide : une seule ligne de texte, sans caractère de contrôle.")
    if masculine:
        return JsonResponse({"masculine": masculine, "feminine": feminine_of(masculine) or masculine})
    return JsonResponse({"masculine": masculine_of(feminine) or feminine, "feminine": feminine})
