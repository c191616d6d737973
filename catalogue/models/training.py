"""Trainings (formations) that lead to jobs."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .base import (
    PublicationStatus,
    Publishable,
    PublishableQuerySet,
    Source,
    choices_constraint,
    onisep_id_constraint,
    onisep_id_field,
    rich_text_field,
)
from .reference import AccessLevel


class TrainingQuerySet(PublishableQuerySet):
    def published(self):
        """Public trainings: published, not withdrawn, with a sheet of their own."""
        return super().published().filter(has_sheet=True)

    def for_listing(self):
        return self.select_related("level").only(
            "name", "slug", "onisep_id", "type_acronym", "type_label", "duration", "level__name", "level__rank"
        )

    def for_detail(self):
        return self.select_related("level")


class Training(Publishable):
    name = models.CharField(_("intitulé complet"), max_length=500)
    slug = models.SlugField(_("slug"), max_length=255, unique=True)
    onisep_id = onisep_id_field("FOR")
    has_sheet = models.BooleanField(
        _("a une fiche"),
        default=True,
        help_text=_("Décoché pour une formation seulement citée par un métier (libellé conservé, pas de fiche)."),
    )
    code_scolarite = models.CharField(_("code scolarité"), max_length=32, blank=True, default="")
    acronym = models.CharField(_("sigle"), max_length=100, blank=True, default="")
    generic_label = models.CharField(_("libellé générique"), max_length=500, blank=True, default="")
    specific_label = models.CharField(_("libellé spécifique"), max_length=500, blank=True, default="")
    option_type = models.CharField(_("type d’option"), max_length=255, blank=True, default="")
    type_acronym = models.CharField(_("type (sigle)"), max_length=100, blank=True, default="")
    type_short_label = models.CharField(_("type (libellé court)"), max_length=255, blank=True, default="")
    type_label = models.CharField(_("type (libellé)"), max_length=255, blank=True, default="")
    duration = models.CharField(_("durée"), max_length=100, blank=True, default="")
    level = models.ForeignKey(
        AccessLevel,
        verbose_name=_("niveau d’études"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="trainings",
    )
    certification_level = models.CharField(_("niveau de certification"), max_length=255, blank=True, default="")
    certificate_nature = models.CharField(_("nature du certificat"), max_length=255, blank=True, default="")
    url = models.URLField(_("adresse de référence"), max_length=500, blank=True, default="")
    ministry = models.CharField(_("ministère de tutelle"), max_length=500, blank=True, default="")
    nsf_discipline_code = models.CharField(_("code NSF (discipline)"), max_length=16, blank=True, default="")
    nsf_discipline_label = models.CharField(_("NSF (discipline)"), max_length=255, blank=True, default="")
    nsf_function_code = models.CharField(_("code NSF (fonction)"), max_length=16, blank=True, default="")
    nsf_function_label = models.CharField(_("NSF (fonction)"), max_length=255, blank=True, default="")
    description = rich_text_field(_("descriptif"))
    access = rich_text_field(_("accès à la formation"))
    expectations = rich_text_field(_("attendus Parcoursup"))
    further_studies = rich_text_field(_("poursuite d’études"))
    further_study_options = models.JSONField(
        _("poursuites d’études possibles"), default=list, blank=True, help_text=_("Liste de libellés.")
    )
    # Less used elements of the ONISEP sheet, kept as they come (session years, web sub-domains...).
    details = models.JSONField(_("autres informations ONISEP"), default=dict, blank=True)

    objects = TrainingQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("formation")
        verbose_name_plural = _("formations")
        permissions = [
            ("publish_training", _("Peut publier et dépublier les formations")),
            ("import_training", _("Peut importer des formations depuis un tableur")),
        ]
        constraints = [
            onisep_id_constraint("training", "FOR"),
            choices_constraint("publication_status", PublicationStatus, "training"),
            choices_constraint("source", Source, "training"),
        ]
        indexes = [
            # Training list and the job list's `training` filter: published trainings with a sheet.
            models.Index(fields=["publication_status", "has_sheet", "name"], name="training_public_name_idx"),
            # Admin review queue: records in review, oldest submission first.
            models.Index(fields=["publication_status", "submitted_at"], name="training_review_queue_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("catalogue:training-detail", kwargs={"slug": self.slug})
