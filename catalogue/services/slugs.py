"""Slugs: unique, readable, and old job addresses kept as permanent redirects."""

from django.db import models
from django.utils.text import slugify

from catalogue.models import Job, JobSlugRedirect

MAX_SLUG_LENGTH = 200


def base_slug(label: str) -> str:
    """'technicien/ne d’études' -> 'technicien-ne-d-etudes'."""
    cleaned = label.replace("'", " ").replace("’", " ").replace("/", " ")
    return slugify(cleaned)[:MAX_SLUG_LENGTH].strip("-") or "fiche"


def unique_slug(model: type[models.Model], label: str, *, exclude_pk=None, taken: set[str] | None = None) -> str:
    """A slug for `label` not used by another `model` row (nor in `taken`, for batches)."""
    base = base_slug(label)
    queryset = model._default_manager.all()
    if exclude_pk is not None:
        queryset = queryset.exclude(pk=exclude_pk)
    existing = set(queryset.filter(slug__startswith=base).values_list("slug", flat=True))
    if taken:
        existing |= taken
    candidate, counter = base, 2
    while candidate in existing:
        candidate = f"{base}-{counter}"
        counter += 1
    return candidate


def record_slug_change(job: Job, old_slug: str) -> None:
    """Keep `old_slug` answering with a permanent redirect to `job`."""
    if not old_slug or old_slug == job.slug:
        return
    JobSlugRedirect.objects.filter(old_slug=job.slug).delete()  # the current address is no longer "old"
    JobSlugRedirect.objects.update_or_create(old_slug=old_slug, defaults={"job": job})
