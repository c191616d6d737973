"""The editorial workflow of jobs and trainings: draft -> in review -> published, and back.

Who may move a record where:

| from \\ to   | draft                 | review (submit)     | published          |
|-------------|-----------------------|---------------------|--------------------|
| draft       | -                     | anyone who edits    | Validateurs        |
| review      | anyone who edits      | -                   | Validateurs        |
| published   | Validateurs           | Validateurs         | -                  |

"Anyone who edits" holds the model's change permission (Rédacteurs and Validateurs); publishing
and unpublishing need `publish_<model>` (Validateurs only). Every path goes through
`check_transition`: the change form, the admin actions, the spreadsheet import (which never
imports the status) and any crafted request.
"""

from dataclasses import dataclass

import reversion
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Model, QuerySet
from django.utils import timezone

from catalogue.models import PublicationStatus
from catalogue.permissions import can_publish
from catalogue.services.cache import bump_catalogue_version

STATUS_LABELS = dict(PublicationStatus.choices)


def allowed_statuses(user, model: type[Model], current: str | None) -> list[str]:
    """The statuses `user` may give a record of `model` now in `current` (None: a new record)."""
    publisher = can_publish(user, model)
    if current == PublicationStatus.PUBLISHED and not publisher:
        return [PublicationStatus.PUBLISHED]  # a Rédacteur may correct a published record, not unpublish it
    statuses = [PublicationStatus.DRAFT, PublicationStatus.REVIEW]
    if publisher or current == PublicationStatus.PUBLISHED:
        statuses.append(PublicationStatus.PUBLISHED)
    return statuses


def check_transition(user, model: type[Model], current: str | None, new: str) -> None:
    """Raise PermissionDenied (with a French message) unless `user` may move the record to `new`."""
    if new == current:
        return
    if new not in allowed_statuses(user, model, current):
        noun = model._meta.verbose_name
        if new == PublicationStatus.PUBLISHED:
            raise PermissionDenied(f"Seul un Validateur peut publier ce {noun}.")
        raise PermissionDenied(f"Seul un Validateur peut dépublier ce {noun}.")


def stamp(obj, new: str, user, *, previous: str | None, now=None) -> None:
    """Record who moved `obj` to `new` and when (before it is saved)."""
    now = now or timezone.now()
    if new == previous:
        return
    if new == PublicationStatus.REVIEW:
        obj.submitted_at, obj.submitted_by = now, user
    elif new == PublicationStatus.PUBLISHED:
        obj.published_at, obj.published_by = now, user


@dataclass(frozen=True)
class StatusChange:
    changed: int
    refused: int


def change_status(queryset: QuerySet, new: str, user, *, comment: str = "") -> StatusChange:
    """Move the records of `queryset` to `new` where `user` may; one history revision for all.

    Records already in `new` are left alone; records `user` may not move are counted as refused.
    """
    model = queryset.model
    records = list(queryset.exclude(publication_status=new))
    allowed, refused = [], 0
    for record in records:
        try:
            check_transition(user, model, record.publication_status, new)
        except PermissionDenied:
            refused += 1
        else:
            allowed.append(record)
    if not allowed:
        return StatusChange(changed=0, refused=refused)
    now = timezone.now()
    with transaction.atomic(), reversion.create_revision():
        for record in allowed:
            stamp(record, new, user, previous=record.publication_status, now=now)
            record.publication_status = new
            record.save(
                update_fields=[
                    "publication_status",
                    "published_at",
                    "published_by",
                    "submitted_at",
                    "submitted_by",
                    "updated_at",
                ]
            )
        reversion.set_user(user)
        reversion.set_comment(comment or f"Statut : {STATUS_LABELS[new].lower()}")
        field_label = str(model._meta.get_field("publication_status").verbose_name)
        LogEntry.objects.log_actions(
            user_id=user.pk,
            queryset=allowed,
            action_flag=CHANGE,
            change_message=[{"changed": {"fields": [field_label]}}],
        )
        bump_catalogue_version()
    return StatusChange(changed=len(allowed), refused=refused)
