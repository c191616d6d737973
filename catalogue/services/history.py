"""The catalogue's history (django-reversion): bulk revisions for imports, readable diffs, reverts.

- `record_revision(objects, user=, comment=)`: one revision for many records written in bulk
  (imports use bulk_create / bulk_update, which send no signal), serialised in a few queries.
- `record_changes(version, previous)`: what changed between two versions of a record, field by
  field, including the trainings, interests... added or removed and the appellations, related
  jobs and resources (stored in the same revision as the job, see catalogue/history.py).
- `revert_record(version)`: put one record back as it was in `version`, with its appellations,
  related jobs, resources and links, and nothing else from that revision (an import's revision
  holds thousands of records; going back on one job must not revert the others).
"""

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import Serializer as JSONSerializer
from django.db import models, transaction
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import Truncator
from reversion.models import Revision, Version
from reversion.revisions import _get_options, is_registered

from catalogue.models import Appellation, Job, JobResource, RelatedJob

# Children stored with their job in each of its revisions: model -> foreign key to the job.
JOB_CHILDREN: dict[type[models.Model], str] = {Appellation: "job", RelatedJob: "job", JobResource: "job"}
CHILD_LABELS = {Appellation: "Appellation", RelatedJob: "Métier associé", JobResource: "Ressource"}

# Bookkeeping that every save changes: not worth showing in a diff.
UNSHOWN_FIELDS = {"updated_at", "created_at", "onisep_snapshot", "search_text"}
EXCERPT_CHARS = 120


# --- Recording ------------------------------------------------------------------------------------


class _PrefetchedM2MSerializer(JSONSerializer):
    """Django's JSON serializer, reading many-to-many ids from a dict built in one query per field
    (the stock one runs one query per object and field), and encoding each object in one call
    (json.dump streams through the pure-Python encoder: three times slower on 10,000 records)."""

    def __init__(self, m2m_ids: dict[str, dict[int, list[int]]]):
        super().__init__()
        self.m2m_ids = m2m_ids

    def handle_m2m_field(self, obj, field):
        if field.remote_field.through._meta.auto_created:
            self._current[field.name] = sorted(self.m2m_ids[field.name].get(obj.pk, []))

    def end_object(self, obj):
        if not self.first:
            self.stream.write(",")
        self.stream.write(json.dumps(self.get_dump_object(obj), **self.json_kwargs))
        self._current = None


def m2m_ids(model: type[models.Model], fields: Iterable[str], pks: list) -> dict[str, dict[int, list[int]]]:
    """The linked ids of records `pks` by many-to-many field: {field: {pk: [ids]}}, one query per field."""
    result: dict[str, dict[int, list[int]]] = {}
    for name in fields:
        m2m = model._meta.get_field(name)
        through = m2m.remote_field.through
        source, target = m2m.m2m_field_name(), m2m.m2m_reverse_field_name()
        ids: dict[int, list[int]] = defaultdict(list)
        for owner, other in through.objects.filter(**{f"{source}__in": pks}).values_list(source, target):
            ids[owner].append(other)
        result[name] = ids
    return result


def _versions_for(model: type[models.Model], pks: list, content_type: ContentType) -> list[Version]:
    options = _get_options(model)
    m2m_fields = [
        f.name
        for f in model._meta.many_to_many
        if f.name in options.fields and f.remote_field.through._meta.auto_created
    ]
    versions = []
    for start in range(0, len(pks), 1000):
        chunk = pks[start : start + 1000]
        serializer = _PrefetchedM2MSerializer(m2m_ids(model, m2m_fields, chunk))
        for obj in model._base_manager.filter(pk__in=chunk).order_by("pk"):
            versions.append(
                Version(
                    content_type=content_type,
                    object_id=str(obj.pk),
                    db="default",
                    format=options.format,
                    serialized_data=serializer.serialize([obj], fields=options.fields),
                    object_repr=str(obj)[:191],
                )
            )
    return versions


def record_revision(objects: dict[type[models.Model], Iterable], *, user=None, comment: str) -> Revision | None:
    """Save one revision holding the current state of `objects` (model -> primary keys).

    Jobs bring their appellations, related jobs and resources, as an admin save does. Returns
    None when there is nothing to record (an import that changed nothing).
    """
    pks_by_model: dict[type[models.Model], set] = defaultdict(set)
    for model, pks in objects.items():
        pks_by_model[model] |= {pk for pk in pks if pk is not None}
    job_pks = list(pks_by_model.get(Job, ()))
    if job_pks:
        for child, fk in JOB_CHILDREN.items():
            pks_by_model[child] |= set(child.objects.filter(**{f"{fk}__in": job_pks}).values_list("pk", flat=True))
    pks_by_model = {model: pks for model, pks in pks_by_model.items() if pks and is_registered(model)}
    if not pks_by_model:
        return None
    with transaction.atomic():
        revision = Revision.objects.create(user=user, comment=comment, date_created=timezone.now())
        versions = []
        for model, pks in pks_by_model.items():
            versions += _versions_for(model, sorted(pks), ContentType.objects.get_for_model(model))
        for version in versions:
            version.revision = revision
        Version.objects.bulk_create(versions, batch_size=500)
    return revision


def record_import(run, *, since) -> Revision | None:
    """One revision for an import: every job and training it created or changed since `since`.

    Imports date what they write (updated_at), so the records are found without the importer
    having to list them; bulk writes included.
    """
    from catalogue.models import Training

    changed = {
        Job: Job.objects.filter(updated_at__gte=since).values_list("pk", flat=True),
        Training: Training.objects.filter(updated_at__gte=since).values_list("pk", flat=True),
    }
    comment = f"{run.get_kind_display()} (import n° {run.pk})"
    return record_revision(changed, user=run.user, comment=comment)


# --- Reading ----------------------------------------------------------------------------------------


def _fk_pattern(fk: str, pk) -> str:
    return rf'"{fk}": {int(pk)}[,}}]'


def child_versions(version: Version) -> dict[type[models.Model], list[Version]]:
    """The appellations, related jobs and resources saved with a job in `version`'s revision.

    Kept on the version: the history page compares each version with the one before it, so each
    is asked twice.
    """
    if version.content_type.model_class() is not Job:
        return {}
    cached = getattr(version, "_catalogue_children", None)
    if cached is not None:
        return cached
    result = {}
    for child, fk in JOB_CHILDREN.items():
        # The regular expression narrows the rows in the database (an import's revision holds
        # thousands); the decoded foreign key decides.
        candidates = Version.objects.filter(
            revision_id=version.revision_id,
            content_type=ContentType.objects.get_for_model(child),
            serialized_data__regex=_fk_pattern(fk, version.object_id),
        )
        result[child] = [v for v in candidates if str(v.field_dict.get(f"{fk}_id")) == str(version.object_id)]
    version._catalogue_children = result
    return result


@dataclass
class FieldChange:
    label: str
    before: str = ""
    after: str = ""
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def display_value(model_field: models.Field, value) -> str:
    if value in (None, ""):
        return "(vide)"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.ForeignKey):
        target = model_field.related_model._base_manager.filter(pk=value).first()
        return str(target) if target is not None else f"n° {value} (supprimé)"
    if isinstance(model_field, models.BooleanField):
        return "oui" if value else "non"
    if isinstance(value, (dict, list)):
        return Truncator(json.dumps(value, ensure_ascii=False)).chars(EXCERPT_CHARS)
    text = strip_tags(str(value)) if isinstance(value, str) and "<" in value else str(value)
    return Truncator(" ".join(text.split())).chars(EXCERPT_CHARS)


def labels_by_pk(model: type[models.Model], pks: Iterable) -> dict:
    return {obj.pk: str(obj) for obj in model._base_manager.filter(pk__in=list(pks))}


def field_change(model_field: models.Field, old, new) -> FieldChange | None:
    """How one field changed, for people (None: it did not): its values before and after, or for
    links (many-to-many ids) the names added and removed."""
    label = str(model_field.verbose_name)
    if model_field.many_to_many:
        old_ids, new_ids = set(old or ()), set(new or ())
        if old_ids == new_ids:
            return None
        names = labels_by_pk(model_field.related_model, old_ids ^ new_ids)
        return FieldChange(
            label,
            added=sorted(names.get(pk, f"n° {pk}") for pk in new_ids - old_ids),
            removed=sorted(names.get(pk, f"n° {pk}") for pk in old_ids - new_ids),
        )
    if old == new:
        return None
    return FieldChange(label, before=display_value(model_field, old), after=display_value(model_field, new))


def record_changes(version: Version, previous: Version | None) -> list[FieldChange]:
    """What `version` changed compared with `previous` (the record's version before it)."""
    model = version.content_type.model_class()
    if previous is None:
        return []
    changes = []
    now, before = version.field_dict, previous.field_dict
    for name in _get_options(model).fields:
        if name in UNSHOWN_FIELDS:
            continue
        model_field = model._meta.get_field(name)
        change = field_change(model_field, before.get(model_field.attname), now.get(model_field.attname))
        if change is not None:
            changes.append(change)
    changes += _child_changes(version, previous)
    return changes


def _child_changes(version: Version, previous: Version) -> list[FieldChange]:
    now_children, old_children = child_versions(version), child_versions(previous)
    changes = []
    for child, label in CHILD_LABELS.items():
        now = {v.object_id: v for v in now_children.get(child, [])}
        old = {v.object_id: v for v in old_children.get(child, [])}
        change = FieldChange(f"{label}s")
        change.added = sorted(now[pk].object_repr for pk in now.keys() - old.keys())
        change.removed = sorted(old[pk].object_repr for pk in old.keys() - now.keys())
        for pk in now.keys() & old.keys():
            if _comparable(now[pk]) != _comparable(old[pk]):
                change.added.append(f"{now[pk].object_repr} (modifiée)")
        if change.added or change.removed:
            changes.append(change)
    return changes


def _comparable(version: Version) -> dict:
    return {key: value for key, value in version.field_dict.items() if key not in UNSHOWN_FIELDS}


def history_rows(model: type[models.Model], object_id, *, limit: int = 100) -> list[dict]:
    """The record's versions, newest first, each with its revision and its changes."""
    versions = list(
        Version.objects.get_for_object_reference(model, object_id).select_related("revision__user")[: limit + 1]
    )
    rows = []
    for index, version in enumerate(versions[:limit]):
        previous = versions[index + 1] if index + 1 < len(versions) else None
        rows.append({"version": version, "revision": version.revision, "changes": record_changes(version, previous)})
    return rows


# --- Reverting --------------------------------------------------------------------------------------


def _restore(version: Version) -> models.Model:
    """Save the record of `version` as it was, minus links to records deleted since."""
    deserialized = version._object_version
    obj = deserialized.object
    for model_field in obj._meta.concrete_fields:
        if isinstance(model_field, models.ForeignKey):
            value = getattr(obj, model_field.attname)
            if value is not None and not model_field.related_model._base_manager.filter(pk=value).exists():
                if not model_field.null:
                    raise Version.DoesNotExist(f"{model_field.verbose_name} n° {value} n’existe plus.")
                setattr(obj, model_field.attname, None)
    for name, ids in list((deserialized.m2m_data or {}).items()):
        related = obj._meta.get_field(name).related_model
        existing = set(related._base_manager.filter(pk__in=ids).values_list("pk", flat=True))
        deserialized.m2m_data[name] = [pk for pk in ids if pk in existing]
    deserialized.save()
    return obj


@transaction.atomic
def revert_record(version: Version) -> models.Model:
    """Put `version`'s record back as it was then, with its children; return the record.

    A job's appellations, related jobs and resources become exactly those of the version: the
    ones added since are deleted, the ones deleted since come back with their old identifiers.
    Links to trainings, interests... deleted since cannot come back and are left out.
    """
    children = child_versions(version)
    model = version.content_type.model_class()
    if model is Job:
        for child, fk in JOB_CHILDREN.items():
            kept = [int(v.object_id) for v in children.get(child, [])]
            child.objects.filter(**{f"{fk}_id": int(version.object_id)}).exclude(pk__in=kept).delete()
    obj = _restore(version)
    for child_list in children.values():
        for child_version in child_list:
            _restore(child_version)
    return obj
