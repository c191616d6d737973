"""Settling an import conflict: take ONISEP's version of the field, or keep the local one."""

from typing import Any

from django.db import transaction
from django.utils import timezone

from catalogue.models import (
    AccessLevel,
    Appellation,
    AppellationKind,
    ConflictState,
    ImportConflict,
    Job,
    JobResource,
    RelatedJob,
)
from catalogue.services.cache import bump_catalogue_version
from catalogue.services.history import record_revision
from catalogue.services.search import refresh_search_text

from .fields import SPECS_BY_MODEL, Kind, Spec


def _level_pk(key: str | None) -> int | None:
    if key is None:
        return None
    if key.startswith("#"):
        return int(key[1:])
    return AccessLevel.objects.only("pk").get(onisep_id=key).pk


def _write_children(job: Job, name: str, value: list[list[Any]]) -> None:
    if name == "appellations":
        names = {item[0] for item in value}
        job.appellations.filter(kind=AppellationKind.SYNONYM).delete()
        job.appellations.filter(name__in=names).delete()  # a search-only title becomes a shown one
        Appellation.objects.bulk_create(
            Appellation(job=job, name=item[0], feminine_name=item[1], masculine_name=item[2], position=position)
            for position, item in enumerate(value)
        )
    elif name == "related_jobs":
        targets = dict(
            Job.objects.filter(onisep_id__in=[item[0] for item in value])
            .exclude(pk=job.pk)
            .values_list("onisep_id", "pk")
        )
        job.related_links.all().delete()
        RelatedJob.objects.bulk_create(
            RelatedJob(
                job=job,
                target_id=targets.get(item[0]),
                target_onisep_id=item[0],
                target_name=item[1],
                position=position,
            )
            for position, item in enumerate(value)
        )
    elif name == "resources":
        job.resources.all().delete()
        JobResource.objects.bulk_create(
            JobResource(job=job, kind=item[0], title=item[1], url=item[2], comment=item[3], position=position)
            for position, item in enumerate(value)
        )


def field_spec(conflict: ImportConflict) -> Spec | None:
    return SPECS_BY_MODEL["job" if conflict.job_id else "training"].get(conflict.field)


def current_value(conflict: ImportConflict) -> Any:
    """The record's value of the conflict's field now, in the form ONISEP's value is stored."""
    record = conflict.job or conflict.training
    spec = field_spec(conflict)
    if spec is None:
        return conflict.local_value
    if spec.kind is Kind.FK:
        level = getattr(record, spec.name)
        return None if level is None else (level.onisep_id or f"#{level.pk}")
    if spec.kind is Kind.LIST:
        if spec.name == "appellations":
            rows = record.appellations.filter(kind=AppellationKind.SYNONYM).order_by("position", "pk")
            return [[row.name, row.feminine_name, row.masculine_name] for row in rows]
        if spec.name == "related_jobs":
            return [[row.target_onisep_id, row.target_name] for row in record.related_links.order_by("position", "pk")]
        return [[row.kind, row.title, row.url, row.comment] for row in record.resources.order_by("position", "pk")]
    return getattr(record, spec.name)


def resolve_conflict(conflict: ImportConflict, *, accept: bool, user=None) -> bool:
    """Accept ONISEP's value (written to the record) or keep the local one; False if already settled.

    Either way the record's snapshot takes ONISEP's value, so that the next import of the same
    export leaves the field alone and a later ONISEP change is reported again.
    """
    with transaction.atomic():
        conflict = ImportConflict.objects.select_for_update().get(pk=conflict.pk)
        if conflict.state != ConflictState.PENDING:
            return False
        record = conflict.job or conflict.training
        spec = field_spec(conflict)
        snapshot = dict(record.onisep_snapshot or {})
        snapshot[conflict.field] = conflict.onisep_value
        record.onisep_snapshot = snapshot
        update_fields = ["onisep_snapshot", "updated_at"]
        if accept and spec is not None:
            if spec.kind is Kind.FK:
                setattr(record, f"{spec.name}_id", _level_pk(conflict.onisep_value))
                update_fields.append(f"{spec.name}_id")
            elif spec.kind is Kind.LIST:
                _write_children(record, spec.name, conflict.onisep_value or [])
            else:
                setattr(record, spec.name, conflict.onisep_value)
                update_fields.append(spec.name)
        record.save(update_fields=update_fields)
        if accept and conflict.job_id:
            refresh_search_text([record])
        conflict.state = ConflictState.ACCEPTED if accept else ConflictState.KEPT
        conflict.decided_at = timezone.now()
        conflict.decided_by = user if getattr(user, "pk", None) else None
        conflict.save(update_fields=["state", "decided_at", "decided_by"])
        decision = "valeur ONISEP acceptée" if accept else "valeur locale conservée"
        record_revision(
            {type(record): [record.pk]},
            user=conflict.decided_by,
            comment=f"Conflit d’import réglé ({conflict.field}) : {decision}",
        )
        bump_catalogue_version()
    return True
