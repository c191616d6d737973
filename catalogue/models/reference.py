"""Reference vocabularies of a job sheet: levels, statuses, sectors, interests, ROME codes."""

from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from catalogue.text import normalize_label

from .base import onisep_id_constraint, onisep_id_field


class ReferenceQuerySet(models.QuerySet):
    def by_label(self, label: str):
        """The record whose label matches regardless of case, accents, apostrophes and spaces."""
        key = normalize_label(label)
        for record in self.all():
            if normalize_label(record.name) == key:
                return record
        return None

    def label_index(self) -> dict[str, models.Model]:
        """Folded label -> record, for imports that match many labels in one query."""
        return {normalize_label(record.name): record for record in self.all()}


class ReferenceModel(models.Model):
    name = models.CharField(_("libellé"), max_length=255)
    slug = models.SlugField(_("slug"), max_length=255, unique=True)

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name


class AccessLevel(ReferenceModel):
    onisep_id = onisep_id_field("REF")
    rank = models.PositiveSmallIntegerField(
        _("rang scolaire"),
        null=True,
        blank=True,
        unique=True,
        help_text=_("Ordre dans le parcours scolaire (sans diplôme = 0). Vide pour « autre formation »."),
    )

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        ordering = [models.F("rank").asc(nulls_last=True), "name"]
        verbose_name = _("niveau d’accès")
        verbose_name_plural = _("niveaux d’accès")
        constraints = [onisep_id_constraint("accesslevel", "REF")]


class Status(ReferenceModel):
    onisep_id = onisep_id_field("T-ITM")

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("statut")
        verbose_name_plural = _("statuts")
        constraints = [onisep_id_constraint("status", "T-ITM")]


class Sector(ReferenceModel):
    onisep_id = onisep_id_field("T-IDEO2")

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("secteur d’activité")
        verbose_name_plural = _("secteurs d’activité")
        constraints = [onisep_id_constraint("sector", "T-IDEO2")]


class Interest(ReferenceModel):
    onisep_id = onisep_id_field("T-IDEO2")
    description = models.TextField(_("description"), blank=True, default="")

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("centre d’intérêt")
        verbose_name_plural = _("centres d’intérêt")
        permissions = [("import_interest", _("Peut importer des centres d’intérêt depuis un tableur"))]
        constraints = [onisep_id_constraint("interest", "T-IDEO2")]

    def get_absolute_url(self) -> str:
        return reverse("catalogue:interest-detail", kwargs={"slug": self.slug})

    @property
    def display_name(self) -> str:
        """ONISEP writes some labels in lower case ("je veux protéger la planète")."""
        return self.name[:1].upper() + self.name[1:]


class RomeCode(models.Model):
    """A France Travail ROME job family (M1805)."""

    code = models.CharField(
        _("code ROME"),
        max_length=5,
        unique=True,
        validators=[
            RegexValidator(r"^[A-N][0-9]{4}$", _("Code ROME invalide : une lettre et quatre chiffres (M1805)."))
        ],
    )
    label = models.CharField(_("libellé"), max_length=255, blank=True, default="")

    class Meta:
        ordering = ["code"]
        verbose_name = _("code ROME")
        verbose_name_plural = _("codes ROME")
        constraints = [
            models.CheckConstraint(condition=models.Q(code__regex=r"^[A-N][0-9]{4}$"), name="romecode_code_format")
        ]

    def __str__(self) -> str:
        return f"{self.code} – {self.label}" if self.label else self.code
