"""Records of imports and of the conflicts they leave for counsellors to settle."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .base import choices_constraint
from .job import Job
from .training import Training


class ImportKind(models.TextChoices):
    SHEETS = "sheets", _("Fiches au format du catalogue")
    ONISEP = "onisep", _("Export ONISEP")
    ROME = "rome", _("Référentiel ROME")


class ImportRun(models.Model):
    """One run of an import command or of the admin's import form (dry runs included)."""

    kind = models.CharField(_("type"), max_length=16, choices=ImportKind.choices)
    started_at = models.DateTimeField(_("commencé le"), auto_now_add=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("par"), on_delete=models.SET_NULL, null=True, blank=True
    )
    dry_run = models.BooleanField(_("simulation"), default=False)
    export_date = models.DateField(_("date de l’export"), null=True, blank=True)
    files = models.JSONField(_("fichiers"), default=list, blank=True)
    counts = models.JSONField(_("compteurs"), default=dict, blank=True)
    report = models.TextField(_("rapport"), blank=True, default="")

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        constraints = [choices_constraint("kind", ImportKind, "importrun")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} du {self.started_at:%d/%m/%Y %H:%M}"


class ConflictState(models.TextChoices):
    PENDING = "pending", _("En attente")
    ACCEPTED = "accepted", _("Version ONISEP acceptée")
    KEPT = "kept", _("Version locale conservée")


class ImportConflict(models.Model):
    """A field that ONISEP changed on a record a counsellor had edited since the last import."""

    import_run = models.ForeignKey(
        ImportRun, verbose_name=_("import"), on_delete=models.CASCADE, related_name="conflicts"
    )
    job = models.ForeignKey(
        Job, verbose_name=_("métier"), on_delete=models.CASCADE, null=True, blank=True, related_name="import_conflicts"
    )
    training = models.ForeignKey(
        Training,
        verbose_name=_("formation"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="import_conflicts",
    )
    field = models.CharField(_("champ"), max_length=64)
    local_value = models.JSONField(_("valeur locale"), null=True, blank=True)
    onisep_value = models.JSONField(_("valeur ONISEP"), null=True, blank=True)
    state = models.CharField(_("décision"), max_length=16, choices=ConflictState.choices, default=ConflictState.PENDING)
    decided_at = models.DateTimeField(_("décidé le"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("décidé par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["state", "-import_run__started_at", "pk"]
        verbose_name = _("conflit d’import")
        verbose_name_plural = _("conflits d’import")
        constraints = [
            choices_constraint("state", ConflictState, "importconflict"),
            models.CheckConstraint(
                condition=(models.Q(job__isnull=False) & models.Q(training__isnull=True))
                | (models.Q(job__isnull=True) & models.Q(training__isnull=False)),
                name="importconflict_one_record",
            ),
        ]
        indexes = [
            # Admin dashboard and changelist: conflicts waiting for a decision.
            models.Index(fields=["state"], name="importconflict_state_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.job or self.training} – {self.field}"
