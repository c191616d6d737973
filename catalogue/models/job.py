"""Jobs (fiches métiers), their appellations, related jobs and resources."""

from django.db import models
from django.db.models import Prefetch
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
from .reference import AccessLevel, Interest, RomeCode, Sector, Status
from .training import Training


class JobQuerySet(PublishableQuerySet):
    def for_listing(self):
        """What a result card shows: the level, in one join."""
        return self.select_related("access_level").only(
            "name",
            "slug",
            "onisep_id",
            "feminine_name",
            "masculine_name",
            "presentation",
            "updated_at",
            "access_level__name",
            "access_level__rank",
        )

    def for_detail(self):
        """Everything a job page shows, in a fixed number of queries."""
        return self.select_related("access_level").prefetch_related(
            Prefetch("appellations", queryset=Appellation.objects.displayed()),
            "rome_codes",
            Prefetch(
                "trainings",
                queryset=Training.objects.only("name", "slug", "has_sheet", "publication_status", "withdrawn_at"),
            ),
            "statuses",
            "interests",
            "sectors",
            Prefetch("related_links", queryset=RelatedJob.objects.select_related("target").order_by("position", "pk")),
            "resources",
        )


class Job(Publishable):
    name = models.CharField(
        _("nom générique"),
        max_length=255,
        help_text=_("Forme inclusive, par exemple « technicien/ne de production en biologie »."),
    )
    slug = models.SlugField(_("slug"), max_length=255, unique=True)
    onisep_id = onisep_id_field("MET")
    feminine_name = models.CharField(_("appellation au féminin"), max_length=255, blank=True, default="")
    masculine_name = models.CharField(_("appellation au masculin"), max_length=255, blank=True, default="")

    presentation = rich_text_field(_("présentation"))
    summary = rich_text_field(_("en bref"))
    study_paths = rich_text_field(_("durée des études"))
    nature_of_work = rich_text_field(_("nature du travail"))
    skills = rich_text_field(_("compétences requises"))
    working_conditions = rich_text_field(_("conditions de travail"))
    career = rich_text_field(_("vie professionnelle"))
    starting_salary = models.CharField(
        _("salaire du débutant"),
        max_length=500,
        blank=True,
        default="",
        help_text=_("Par exemple « 2 830 euros brut par mois »."),
    )
    access = rich_text_field(_("accès au métier"))
    other_information = rich_text_field(
        _("autres informations"), help_text=_("Sections d’une fiche importée que le catalogue ne classe pas ailleurs.")
    )

    access_level = models.ForeignKey(
        AccessLevel,
        verbose_name=_("niveau d’accès minimum"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="jobs",
    )
    rome_codes = models.ManyToManyField(RomeCode, verbose_name=_("codes ROME"), blank=True, related_name="jobs")
    trainings = models.ManyToManyField(
        Training, verbose_name=_("formations recommandées"), blank=True, related_name="jobs"
    )
    statuses = models.ManyToManyField(Status, verbose_name=_("statuts possibles"), blank=True, related_name="jobs")
    interests = models.ManyToManyField(Interest, verbose_name=_("centres d’intérêt"), blank=True, related_name="jobs")
    sectors = models.ManyToManyField(Sector, verbose_name=_("secteurs d’activité"), blank=True, related_name="jobs")
    is_cross_sector = models.BooleanField(_("métier transverse"), default=False)
    # Less used elements of the ONISEP sheet, kept as they come (other short formats...).
    details = models.JSONField(_("autres informations ONISEP"), default=dict, blank=True)

    # Folded titles (generic name, both forms, every appellation), rebuilt by
    # catalogue.services.search.refresh_search_text after every write.
    search_text = models.TextField(_("texte de recherche"), blank=True, default="", editable=False)

    objects = JobQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("métier")
        verbose_name_plural = _("métiers")
        permissions = [
            ("publish_job", _("Peut publier et dépublier les métiers")),
            ("import_job", _("Peut importer des métiers depuis un tableur")),
        ]
        constraints = [
            onisep_id_constraint("job", "MET"),
            choices_constraint("publication_status", PublicationStatus, "job"),
            choices_constraint("source", Source, "job"),
        ]
        indexes = [
            # Job list: published jobs sorted by name (default sort).
            models.Index(fields=["publication_status", "name"], name="job_public_name_idx"),
            # Job list sorted by "mis à jour récemment".
            models.Index(fields=["publication_status", "-updated_at"], name="job_public_updated_idx"),
            # Admin review queue: records in review, oldest submission first.
            models.Index(fields=["publication_status", "submitted_at"], name="job_review_queue_idx"),
            # Job list: COUNT(*) of the published jobs (an index-only scan: 8.5 -> 1.1 ms at 10x).
            models.Index(
                fields=["id"],
                condition=models.Q(publication_status="published", withdrawn_at__isnull=True),
                name="job_published_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("catalogue:job-detail", kwargs={"slug": self.slug})


class AppellationKind(models.TextChoices):
    SYNONYM = "synonym", _("Autre appellation")
    SEARCH_ONLY = "search", _("Appellation de recherche seulement")


class AppellationQuerySet(models.QuerySet):
    def displayed(self):
        """Appellations shown on the job page (search-only titles are not)."""
        return self.filter(kind=AppellationKind.SYNONYM)


class Appellation(models.Model):
    """Another name of a job, with its feminine and masculine forms."""

    job = models.ForeignKey(Job, verbose_name=_("métier"), on_delete=models.CASCADE, related_name="appellations")
    name = models.CharField(_("appellation"), max_length=255, help_text=_("Forme inclusive ou épicène."))
    feminine_name = models.CharField(_("au féminin"), max_length=255, blank=True, default="")
    masculine_name = models.CharField(_("au masculin"), max_length=255, blank=True, default="")
    kind = models.CharField(_("type"), max_length=16, choices=AppellationKind.choices, default=AppellationKind.SYNONYM)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    objects = AppellationQuerySet.as_manager()

    class Meta:
        ordering = ["job", "position", "pk"]
        verbose_name = _("appellation")
        verbose_name_plural = _("appellations")
        constraints = [
            models.UniqueConstraint(fields=["job", "name"], name="appellation_unique_per_job"),
            choices_constraint("kind", AppellationKind, "appellation"),
        ]

    def __str__(self) -> str:
        return self.name


class RelatedJob(models.Model):
    """A link to a related job; the target may not be in the catalogue yet (its label is kept)."""

    job = models.ForeignKey(Job, verbose_name=_("métier"), on_delete=models.CASCADE, related_name="related_links")
    target = models.ForeignKey(
        Job,
        verbose_name=_("métier associé"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    target_onisep_id = models.CharField(
        _("identifiant ONISEP du métier associé"), max_length=32, blank=True, default=""
    )
    target_name = models.CharField(_("libellé du métier associé"), max_length=255)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        ordering = ["job", "position", "pk"]
        verbose_name = _("métier associé")
        verbose_name_plural = _("métiers associés")
        constraints = [
            models.UniqueConstraint(fields=["job", "target_name"], name="relatedjob_unique_per_job"),
            models.CheckConstraint(condition=~models.Q(job=models.F("target")), name="relatedjob_not_self"),
        ]
        indexes = [
            # Imports link dangling related jobs by identifier when the job appears.
            models.Index(fields=["target_onisep_id"], name="relatedjob_target_id_idx"),
        ]

    def __str__(self) -> str:
        return self.target_name


class ResourceKind(models.TextChoices):
    PUBLICATION = "publication", _("Publication")
    ONLINE = "online", _("Source en ligne")


class JobResource(models.Model):
    """A publication or an online source cited by a job sheet."""

    job = models.ForeignKey(Job, verbose_name=_("métier"), on_delete=models.CASCADE, related_name="resources")
    kind = models.CharField(_("type"), max_length=16, choices=ResourceKind.choices)
    title = models.CharField(_("titre"), max_length=500)
    url = models.URLField(_("adresse"), max_length=500, blank=True, default="")
    comment = models.TextField(_("commentaire"), blank=True, default="")
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        ordering = ["job", "kind", "position", "pk"]
        verbose_name = _("ressource")
        verbose_name_plural = _("ressources")
        constraints = [choices_constraint("kind", ResourceKind, "jobresource")]

    def __str__(self) -> str:
        return self.title


class JobSlugRedirect(models.Model):
    """An old address of a job: /metiers/<old_slug>/ redirects permanently to the current one."""

    old_slug = models.SlugField(_("ancien slug"), max_length=255, unique=True)
    job = models.ForeignKey(Job, verbose_name=_("métier"), on_delete=models.CASCADE, related_name="slug_redirects")
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)

    class Meta:
        ordering = ["old_slug"]
        verbose_name = _("ancienne adresse")
        verbose_name_plural = _("anciennes adresses")

    def __str__(self) -> str:
        return self.old_slug
