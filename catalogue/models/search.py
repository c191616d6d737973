"""What the job search reads: every title of a job, its texts, and the ROME appellations.

These tables are derived data, rebuilt by `catalogue.services.search.refresh_search_text` after every
write. Their PostgreSQL GIN indexes (pg_trgm on titles and words, full-text on texts) are created by
migration 0005 with raw SQL, since SQLite has no such index types.
"""

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _

from .base import choices_constraint
from .job import Job
from .reference import RomeCode

ROME_ATTRIBUTION = "Source : France Travail, ROME 4.0 (v4.60)"


class RomeAppellation(models.Model):
    """A France Travail ROME appellation: a search-only title for every job of its code."""

    ogr_code = models.PositiveIntegerField(_("code OGR"), unique=True)
    rome_code = models.ForeignKey(
        RomeCode, verbose_name=_("code ROME"), on_delete=models.CASCADE, related_name="appellations"
    )
    # ROME 4.0 split some families into new codes; ONISEP sheets still carry the parent code
    # (M1805 for "Développeur / Développeuse web", now M1855): a job of either code gets the title.
    parent_code = models.ForeignKey(
        RomeCode,
        verbose_name=_("code ROME parent"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="descendant_appellations",
    )
    label = models.CharField(_("libellé"), max_length=255)
    # The label folded (catalogue.text.fold), matched by the search like SearchTitle.folded
    # (pg_trgm GIN index romeappellation_folded_trgm on PostgreSQL, migration 0005).
    folded = models.CharField(_("libellé normalisé"), max_length=255, default="", editable=False)
    short_label = models.CharField(_("libellé court"), max_length=255, blank=True, default="")
    is_principal = models.BooleanField(_("appellation principale"), default=False)
    is_rarely_used = models.BooleanField(_("peu usitée"), default=False)

    class Meta:
        ordering = ["rome_code", "label"]
        verbose_name = _("appellation ROME")
        verbose_name_plural = _("appellations ROME")

    def __str__(self) -> str:
        return self.label


class TitleKind(models.TextChoices):
    NAME = "name", _("Nom générique")
    FEMININE = "feminine", _("Féminin")
    MASCULINE = "masculine", _("Masculin")
    APPELLATION = "appellation", _("Autre appellation")
    APPELLATION_FEMININE = "appellation_f", _("Autre appellation (féminin)")
    APPELLATION_MASCULINE = "appellation_m", _("Autre appellation (masculin)")
    SEARCH_ONLY = "search", _("Appellation de recherche")
    ROME = "rome", _("Appellation ROME")  # matched from RomeAppellation, never stored as a SearchTitle


class SearchTitle(models.Model):
    """One title under which a job can be found, folded for matching and kept as shown."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="search_titles")
    kind = models.CharField(max_length=16, choices=TitleKind.choices)
    label = models.CharField(max_length=255)
    folded = models.CharField(max_length=255)

    class Meta:
        ordering = ["job", "pk"]
        verbose_name = _("titre de recherche")
        verbose_name_plural = _("titres de recherche")
        constraints = [choices_constraint("kind", TitleKind, "searchtitle")]
        # Search (job list `q`, suggestions): PostgreSQL matches word prefixes in `folded` through a
        # pg_trgm GIN index (searchtitle_folded_trgm), created in migration 0005.

    def __str__(self) -> str:
        return self.label


class SearchDocument(models.Model):
    """The job's texts (présentation, en bref), folded: matched with a lower weight than titles."""

    job = models.OneToOneField(Job, on_delete=models.CASCADE, related_name="search_document", primary_key=True)
    body = models.TextField(blank=True, default="")
    # PostgreSQL only (NULL on SQLite): to_tsvector('orientation_fr', body), computed when the row is
    # written so that a search never runs unaccent and stemming over every text.
    vector = SearchVectorField(null=True, blank=True)

    class Meta:
        verbose_name = _("texte de recherche")
        verbose_name_plural = _("textes de recherche")
        # Search in texts: PostgreSQL full-text GIN index on `vector` (searchdocument_body_fts,
        # migration 0005); 'orientation_fr' is French with unaccent.

    def __str__(self) -> str:
        return self.body[:80]


class SearchWord(models.Model):
    """The vocabulary of every title, for typo correction (pg_trgm GIN index on PostgreSQL)."""

    word = models.CharField(max_length=64)
    length = models.PositiveSmallIntegerField(db_index=True)  # SQLite narrows typo candidates by length

    class Meta:
        ordering = ["word"]
        verbose_name = _("mot du vocabulaire")
        verbose_name_plural = _("mots du vocabulaire")
        # A constraint rather than unique=True: on PostgreSQL, unique=True would add a
        # varchar_pattern_ops twin index that the planner prefers to the trigram one.
        constraints = [models.UniqueConstraint(fields=["word"], name="searchword_unique_word")]

    def __str__(self) -> str:
        return self.word
