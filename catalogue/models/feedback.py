"""What students looked for and did not find, for counsellors to act on."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .job import Job


class FailedSearch(models.Model):
    """A public search that returned no job, counted by its normalised terms.

    Anonymous by design: the folded terms, a count and two dates (days, not times); no IP address,
    no session, no user. Recorded by catalogue.services.failed_searches, also for cached pages.
    """

    term = models.CharField(_("recherche"), max_length=200, unique=True)
    count = models.PositiveIntegerField(_("nombre de recherches"), default=0)
    first_searched_on = models.DateField(_("première recherche le"))
    last_searched_on = models.DateField(_("dernière recherche le"))
    # Set when a counsellor adds the term as a search-only appellation of a job.
    added_to = models.ForeignKey(
        Job,
        verbose_name=_("ajoutée au métier"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    handled_at = models.DateTimeField(_("traitée le"), null=True, blank=True)

    class Meta:
        ordering = ["-count", "term"]
        verbose_name = _("recherche sans résultat")
        verbose_name_plural = _("recherches sans résultat")
        indexes = [
            # Admin list of failed searches: most frequent first.
            models.Index(fields=["-count", "term"], name="failedsearch_frequency_idx"),
        ]

    def __str__(self) -> str:
        return self.term
