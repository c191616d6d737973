"""A job's links and child rows: many-to-many sets and the lists written whole.

Current values are loaded for every job in a few queries, compared in the form the snapshot keeps
(ONISEP ids, ordered lists of values), and written back in bulk: through-table rows created or
deleted one by one, child rows (appellations, related jobs, resources) deleted and recreated as a
whole for the jobs whose list changed.
"""

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import models

from catalogue.models import Appellation, AppellationKind, Job, JobResource, RelatedJob

from .fields import JOB_SET_SPECS
from .records import JobRecord

CHUNK = 1000


def key(pk: int, onisep_id: str | None) -> str:
    """How a linked record is compared: its ONISEP id, or its pk for a local record without one."""
    return onisep_id or f"#{pk}"


def chunks(items: list, size: int = CHUNK) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def relation(name: str) -> tuple[type[models.Model], str, type[models.Model]]:
    """(through model, its column pointing to the linked record, linked model) of a job m2m field."""
    field = Job._meta.get_field(name)
    return field.remote_field.through, f"{field.m2m_reverse_field_name()}_id", field.related_model


class CurrentLinks:
    """Every job's current links, loaded once: {job pk: {key: through pk}} and {job pk: [rows]}."""

    def __init__(self, keys: dict[type[models.Model], dict[int, str]]) -> None:
        self.sets: dict[str, dict[int, dict[str, int]]] = {}
        for spec in JOB_SET_SPECS:
            through, column, model = relation(spec.name)
            model_keys = keys[model]
            by_job: dict[int, dict[str, int]] = defaultdict(dict)
            for pk, job_id, target_id in through.objects.values_list("pk", "job_id", column):
                by_job[job_id][model_keys.get(target_id) or key(target_id, None)] = pk
            self.sets[spec.name] = by_job
        self.rows: dict[str, dict[int, list[tuple]]] = {
            "appellations": self._rows(Appellation, "kind", "name", "feminine_name", "masculine_name"),
            "related_jobs": self._rows(RelatedJob, "target_onisep_id", "target_name"),
            "resources": self._rows(JobResource, "kind", "title", "url", "comment"),
        }

    @staticmethod
    def _rows(model: type[models.Model], *fields: str) -> dict[int, list[tuple]]:
        by_job: dict[int, list[tuple]] = defaultdict(list)
        for row in model.objects.order_by("job_id", "position", "pk").values_list("pk", "job_id", *fields):
            by_job[row[1]].append(row)
        return by_job

    def lists(self, job_pk: int | None) -> dict[str, list[list[Any]]]:
        """The job's child rows as the snapshot keeps them (search-only appellations left aside)."""
        if job_pk is None:
            return {"appellations": [], "related_jobs": [], "resources": []}
        return {
            "appellations": [
                list(row[3:]) for row in self.rows["appellations"].get(job_pk, ()) if row[2] == AppellationKind.SYNONYM
            ],
            "related_jobs": [list(row[2:]) for row in self.rows["related_jobs"].get(job_pk, ())],
            "resources": [list(row[2:]) for row in self.rows["resources"].get(job_pk, ())],
        }


def new_sets(record: JobRecord, reverse: set[str]) -> dict[str, set[str]]:
    """ONISEP's links of the job; `reverse` holds the trainings whose sheet names the job."""
    return {
        "rome_codes": set(record.rome_codes),
        "trainings": {ref.onisep_id for ref in record.trainings} | reverse,
        "statuses": {ref.onisep_id for ref in record.statuses},
        "interests": {ref.onisep_id for ref in record.interests},
        "sectors": {ref.onisep_id for ref in record.sectors},
    }


def new_lists(record: JobRecord, names: dict[str, str]) -> dict[str, list[list[Any]]]:
    """ONISEP's child rows of the job; a related job without label is named after its job, or its id."""
    related, labels = [], set()
    for ref in record.related:
        label = ref.label or names.get(ref.onisep_id) or ref.onisep_id
        if label not in labels:  # one link per label (database constraint)
            labels.add(label)
            related.append([ref.onisep_id, label])
    return {
        "appellations": [list(item) for item in record.appellations],
        "related_jobs": related,
        "resources": [list(item) for item in record.resources],
    }


def write_sets(
    set_adds: list[tuple[int, str, set[str]]],
    set_removes: dict[str, list[int]],
    pks: dict[type[models.Model], dict[str, int]],
) -> None:
    """Delete the through rows in `set_removes`, create those in `set_adds` (job pk, field, keys)."""
    for spec in JOB_SET_SPECS:
        through, column, model = relation(spec.name)
        for chunk in chunks(set_removes.get(spec.name, [])):
            through.objects.filter(pk__in=chunk).delete()
        target_pks = pks[model]
        through.objects.bulk_create(
            [
                through(job_id=job_pk, **{column: target_pks[target]})
                for job_pk, name, targets in set_adds
                if name == spec.name
                for target in sorted(targets)
            ],
            batch_size=CHUNK,
        )


def write_lists(writes: list[tuple[int, str, list[list[Any]]]], current: CurrentLinks, job_pks: dict[str, int]) -> None:
    """Replace the child rows of each (job pk, list name, new value) in `writes`."""
    deletes: dict[type[models.Model], list[int]] = defaultdict(list)
    creates: dict[type[models.Model], list[models.Model]] = defaultdict(list)
    for job_pk, name, value in writes:
        if name == "appellations":
            shown = {item[0] for item in value}
            deletes[Appellation] += [
                row[0]
                for row in current.rows["appellations"].get(job_pk, ())
                if row[2] == AppellationKind.SYNONYM or row[3] in shown  # a search-only title becomes shown
            ]
            creates[Appellation] += [
                Appellation(job_id=job_pk, name=name, feminine_name=feminine, masculine_name=masculine, position=index)
                for index, (name, feminine, masculine) in enumerate(value)
            ]
        elif name == "related_jobs":
            deletes[RelatedJob] += [row[0] for row in current.rows["related_jobs"].get(job_pk, ())]
            creates[RelatedJob] += [
                RelatedJob(
                    job_id=job_pk,
                    target_id=target if (target := job_pks.get(onisep_id)) != job_pk else None,
                    target_onisep_id=onisep_id,
                    target_name=label,
                    position=index,
                )
                for index, (onisep_id, label) in enumerate(value)
            ]
        elif name == "resources":
            deletes[JobResource] += [row[0] for row in current.rows["resources"].get(job_pk, ())]
            creates[JobResource] += [
                JobResource(job_id=job_pk, kind=kind, title=title, url=url, comment=comment, position=index)
                for index, (kind, title, url, comment) in enumerate(value)
            ]
    for model in (Appellation, RelatedJob, JobResource):
        for chunk in chunks(deletes[model]):
            model.objects.filter(pk__in=chunk).delete()
        model.objects.bulk_create(creates[model], batch_size=CHUNK)
