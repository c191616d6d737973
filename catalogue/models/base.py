"""Pieces shared by the catalogue's models: ONISEP identifiers, publication and provenance."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from catalogue.sanitize import EDITOR_EXTENSIONS, sanitize_html

# ONISEP identifiers by family: MET.8063 (jobs), FOR.9970 (trainings), REF.411 (levels),
# T-IDEO2.4825 (interests, sectors), T-ITM.9 (statuses).
ONISEP_PREFIXES = {
    "job": "MET",
    "training": "FOR",
    "level": "REF",
    "interest": "T-IDEO2",
    "sector": "T-IDEO2",
    "status": "T-ITM",
}


def onisep_id_regex(prefix: str) -> str:
    return rf"^{prefix}\.[0-9]+$"


def onisep_id_validator(prefix: str) -> RegexValidator:
    return RegexValidator(
        onisep_id_regex(prefix),
        message=_("Identifiant ONISEP invalide : attendu « %(example)s » suivi d’un nombre (ex. %(example)s.123).")
        % {"example": prefix},
        code="invalid_onisep_id",
    )


def onisep_id_field(prefix: str) -> models.CharField:
    """A nullable, unique identifier: records created by counsellors have none."""
    return models.CharField(
        _("identifiant ONISEP"),
        max_length=32,
        null=True,
        blank=True,
        unique=True,
        validators=[onisep_id_validator(prefix)],
        help_text=_("Par exemple %(example)s.123. Laisser vide pour une fiche créée localement.") % {"example": prefix},
    )


def onisep_id_constraint(model_name: str, prefix: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=models.Q(onisep_id__isnull=True) | models.Q(onisep_id__regex=onisep_id_regex(prefix)),
        name=f"{model_name}_onisep_id_format",
    )


def rich_text_field(verbose_name: str, **kwargs):
    """A long text edited with the rich-text editor and cleaned by the shared allow-list."""
    from django_prose_editor.fields import ProseEditorField

    return ProseEditorField(
        verbose_name,
        extensions=EDITOR_EXTENSIONS,
        sanitize=sanitize_html,
        blank=True,
        default="",
        **kwargs,
    )


class PublicationStatus(models.TextChoices):
    """The editorial workflow: draft -> in review -> published, and back (catalogue.services.workflow)."""

    DRAFT = "draft", _("Brouillon")
    REVIEW = "review", _("En attente de validation")
    PUBLISHED = "published", _("Publiée")


class Source(models.TextChoices):
    ONISEP = "onisep", _("Export ONISEP")
    SHEET = "sheet", _("Fiche importée")
    COUNSELLOR = "counsellor", _("Saisie par un conseiller")


def choices_constraint(field: str, choices: type[models.TextChoices], model_name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=models.Q(**{f"{field}__in": choices.values}),
        name=f"{model_name}_{field}_valid",
    )


class PublishableQuerySet(models.QuerySet):
    def published(self):
        """What students may see: published and not withdrawn by ONISEP."""
        return self.filter(publication_status=PublicationStatus.PUBLISHED, withdrawn_at__isnull=True)

    def in_review(self):
        """The review queue: records waiting for a Validateur, oldest submission first."""
        return self.filter(publication_status=PublicationStatus.REVIEW).order_by("submitted_at", "pk")

    def visible_to(self, user):
        """Staff preview drafts; everybody else sees published records only."""
        if user is not None and user.is_authenticated and user.is_staff:
            return self.filter(withdrawn_at__isnull=True)
        return self.published()


class Publishable(models.Model):
    """Publication state and provenance of jobs and trainings."""

    publication_status = models.CharField(
        _("statut de publication"),
        max_length=16,
        choices=PublicationStatus.choices,
        default=PublicationStatus.DRAFT,
    )
    published_at = models.DateTimeField(_("publiée le"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("publiée par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("soumise à validation le"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("soumise par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    source = models.CharField(_("origine"), max_length=16, choices=Source.choices, default=Source.COUNSELLOR)
    source_export_date = models.DateField(_("date de l’export ONISEP"), null=True, blank=True)
    # Values as last written by an import, field by field: an import compares them with the current
    # values to tell a counsellor's local edit from a change made by ONISEP.
    onisep_snapshot = models.JSONField(_("dernière version ONISEP"), default=dict, blank=True, editable=False)
    withdrawn_at = models.DateTimeField(_("retirée par l’ONISEP le"), null=True, blank=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("mise à jour le"), auto_now=True)

    class Meta:
        abstract = True

    @property
    def is_published(self) -> bool:
        return self.publication_status == PublicationStatus.PUBLISHED and self.withdrawn_at is None

    @property
    def attribution(self) -> str:
        """ODbL attribution for imported records ('' for local ones)."""
        if self.source != Source.ONISEP or self.source_export_date is None:
            return ""
        dataset = "Idéo-Fiches métiers" if self._meta.model_name == "job" else "Idéo-Fiches formations"
        return f"Source : Onisep, {dataset}, export du {self.source_export_date:%d/%m/%Y}"
