"""No lost edits: optimistic locking of admin forms by a signed snapshot of the record as loaded.

The change form carries the record as it was when the counsellor opened it (its fields, its
many-to-many links and, for a job, its appellations, related jobs and resources), signed so that
it cannot be forged. On save, the snapshot is compared with the record as it is now, read under
a row lock: any difference means somebody else saved in between (a colleague, an import, a
status change), and `stale_changes` says what they changed, field by field.

A snapshot rather than a version counter: every write path (admin, actions, imports, bulk
updates) is covered without each having to bump a counter, and the refusal can show the other's
changes.
"""

import json

from django.core import signing
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.text import capfirst

from catalogue.models import Job
from catalogue.services.history import (
    CHILD_LABELS,
    JOB_CHILDREN,
    UNSHOWN_FIELDS,
    FieldChange,
    field_change,
    m2m_ids,
)

SALT = "catalogue.edit-snapshot"


def _jsonable(data):
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def snapshot(model: type[models.Model], pk, *, lock: bool = False) -> dict | None:
    """The stored state of record `pk` (None once deleted); `lock` holds its row until commit."""
    manager = model._base_manager.select_for_update() if lock else model._base_manager
    names = [f.attname for f in model._meta.concrete_fields if f.name not in UNSHOWN_FIELDS]
    row = manager.filter(pk=pk).values(*names).first()
    if row is None:
        return None
    linked = m2m_ids(model, [m2m_field.name for m2m_field in model._meta.many_to_many], [row["id"]])
    m2m = {name: sorted(by_record.get(row["id"], [])) for name, by_record in linked.items()}
    children = {}
    if model is Job:
        for child, fk in JOB_CHILDREN.items():
            child_names = [f.attname for f in child._meta.concrete_fields if f.attname != f"{fk}_id"]
            rows = child.objects.filter(**{fk: pk}).order_by("pk").values(*child_names)
            children[child._meta.label] = {str(r["id"]): r for r in rows}
    return _jsonable({"fields": row, "m2m": m2m, "children": children})


def sign(state: dict | None) -> str:
    return signing.dumps(state, salt=SALT, compress=True)


def unsign(token: str) -> dict | None:
    """The snapshot a form carried; raises signing.BadSignature when forged or missing."""
    return signing.loads(token or "", salt=SALT)


def stale_changes(model: type[models.Model], loaded: dict, current: dict | None) -> list[FieldChange]:
    """What changed between the loaded snapshot and the current one (empty: nothing did)."""
    if current is None:
        return [FieldChange("Fiche", before="présente", after="supprimée")]
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    changes = [
        field_change(by_attname[attname], old, current["fields"].get(attname))
        for attname, old in loaded["fields"].items()
    ]
    changes += [
        field_change(model._meta.get_field(name), old_ids, current["m2m"].get(name, []))
        for name, old_ids in loaded["m2m"].items()
    ]
    changes = [change for change in changes if change is not None]
    for child, label in CHILD_LABELS.items():
        old_rows = loaded["children"].get(child._meta.label, {})
        new_rows = current["children"].get(child._meta.label, {})
        change = FieldChange(f"{label}s")
        change.added = sorted(_row_label(new_rows[pk]) for pk in new_rows.keys() - old_rows.keys())
        change.removed = sorted(_row_label(old_rows[pk]) for pk in old_rows.keys() - new_rows.keys())
        change.added += sorted(
            f"{_row_label(old_rows[pk])} → {_row_label(new_rows[pk])}"
            for pk in new_rows.keys() & old_rows.keys()
            if new_rows[pk] != old_rows[pk]
        )
        if change.added or change.removed:
            changes.append(change)
    return changes


def _row_label(row: dict) -> str:
    return str(row.get("name") or row.get("target_name") or row.get("title") or row.get("id"))


def describe(change: FieldChange) -> str:
    """One French line for the refusal message."""
    parts = []
    if change.before or change.after:
        parts.append(f"« {change.before} » → « {change.after} »")
    if change.added:
        parts.append("ajouté : " + ", ".join(change.added))
    if change.removed:
        parts.append("retiré : " + ", ".join(change.removed))
    return f"{capfirst(change.label)} : " + " ; ".join(parts)
