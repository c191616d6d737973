"""The whole catalogue as one JSON file, and back: a portable backup of its content.

`pg_dump` remains the full backup of the database (accounts, history, sessions); this file holds the
catalogue alone, readable and loadable into any database of the same schema, SQLite or PostgreSQL.

What is in it: every model of the `catalogue` app, with its primary keys and its many-to-many links,
except the import history and the search tables, which `refresh_search_text()` rebuilds from the rest
after an import (`EXCLUDED_MODELS`). A model added to the app later is exported too unless it is listed
there: nothing is lost by default.

Import replaces the whole catalogue, in one transaction: the current rows are deleted (the import
history that pointed to them with them), the file's rows are written with their own primary keys,
and the sequences are moved past them. Without `replace=True`, a catalogue that already holds jobs or
trainings is left alone. The file is refused, and nothing changes, when it is not an export of this
catalogue, when it comes from another schema (migrations), when it holds objects of other apps
(accounts...), or when a value or a link is invalid. Rich text goes through the admin's allow-list on
the way in (`_clean_rich_text`).
"""

import datetime
import html
import json
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from django.apps import apps
from django.core import serializers
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.management.color import no_style
from django.core.serializers.base import DeserializationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, IntegrityError, connection, models, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django_prose_editor.fields import ProseEditorField

from catalogue.models import Job, Training
from catalogue.services.cache import bump_catalogue_version
from catalogue.services.search import refresh_search_text

FORMAT = "orientation-catalogue"
VERSION = 1
APP_LABEL = "catalogue"
# History rather than content: neither exported nor restored.
HISTORY_MODELS = frozenset({"catalogue.importrun", "catalogue.importconflict"})
# Derived from the rest by catalogue.services.search.refresh_search_text(), rebuilt after an import.
DERIVED_MODELS = frozenset({"catalogue.searchtitle", "catalogue.searchdocument", "catalogue.searchword"})
EXCLUDED_MODELS = HISTORY_MODELS | DERIVED_MODELS


class CatalogueFileError(Exception):
    """The file cannot be imported; the message (in French) says why. Nothing was changed."""


@dataclass
class BackupSummary:
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def as_text(self) -> str:
        lines = [f"{self.total} objets :"]
        lines += [f"  {label} : {count}" for label, count in self.counts.items()]
        return "\n".join(lines)


class ExactJSONEncoder(DjangoJSONEncoder):
    """DjangoJSONEncoder cuts times to milliseconds; a backup keeps the microseconds."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


def catalogue_models() -> list[type[models.Model]]:
    """The exported models, each after the models it points to (load order)."""
    candidates = [
        model
        for model in apps.get_app_config(APP_LABEL).get_models()
        if model._meta.label_lower not in EXCLUDED_MODELS and not model._meta.proxy
    ]
    remaining = {model: _targets(model, candidates) for model in candidates}
    ordered: list[type[models.Model]] = []
    while remaining:
        ready = [model for model, targets in remaining.items() if targets <= set(ordered)]
        if not ready:  # a cycle: keep the app's order for the rest (links are checked at the end)
            ready = list(remaining)
        for model in ready:
            ordered.append(model)
            del remaining[model]
    return ordered


def _targets(model: type[models.Model], candidates: Iterable[type[models.Model]]) -> set[type[models.Model]]:
    related = {
        field.related_model
        for field in model._meta.get_fields()
        if field.concrete and field.is_relation and field.related_model is not None
    }
    return (related & set(candidates)) - {model}


def applied_migrations() -> list[str]:
    return sorted(name for app, name in MigrationRecorder(connection).applied_migrations() if app == APP_LABEL)


def check_schema_is_current() -> None:
    """Refuse to work on a database that lacks some of the catalogue's migrations."""
    executor = MigrationExecutor(connection)
    pending = [
        migration.name
        for migration, _backwards in executor.migration_plan(executor.loader.graph.leaf_nodes())
        if migration.app_label == APP_LABEL
    ]
    if pending:
        raise CatalogueFileError(
            f"La base de données n’est pas à jour (migrations non appliquées : {', '.join(pending)}) : "
            "lancez python manage.py migrate d’abord."
        )


def dump_catalogue() -> dict[str, Any]:
    """The export as a JSON-ready dict (times as datetime objects)."""
    objects: list[dict[str, Any]] = []
    counts: dict[str, int] = {}
    for model in catalogue_models():
        many_to_many = [field.name for field in model._meta.many_to_many]
        queryset = model._base_manager.order_by("pk").prefetch_related(*many_to_many)
        rows = serializers.serialize("python", queryset)
        for row in rows:
            for name in many_to_many:
                row["fields"][name] = sorted(row["fields"][name])
        objects += rows
        counts[model._meta.label_lower] = len(rows)
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": timezone.now(),
        "migrations": applied_migrations(),
        "counts": counts,
        "objects": objects,
    }


def export_catalogue(*, destination: str | os.PathLike | TextIO) -> BackupSummary:
    """Write the catalogue to `destination` (a path, written atomically, or an open text stream)."""
    check_schema_is_current()
    with transaction.atomic():  # one consistent snapshot on PostgreSQL
        document = dump_catalogue()
    if isinstance(destination, str | os.PathLike):
        path = Path(destination)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                _write(document, stream)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    else:
        _write(document, destination)
    return BackupSummary(counts=document["counts"])


def _write(document: dict[str, Any], stream: TextIO) -> None:
    json.dump(document, stream, cls=ExactJSONEncoder, ensure_ascii=False, indent=1)
    stream.write("\n")


def read_catalogue_file(path: str | os.PathLike) -> dict[str, Any]:
    """Read and check the file's envelope; raise CatalogueFileError with a French message."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CatalogueFileError(f"Fichier introuvable : {path}.") from None
    except IsADirectoryError:
        raise CatalogueFileError(f"« {path} » est un dossier, pas un fichier d’export.") from None
    except UnicodeDecodeError:
        raise CatalogueFileError(
            f"« {path.name} » n’est pas un fichier texte UTF-8 : ce n’est pas un export."
        ) from None
    except OSError as error:
        raise CatalogueFileError(f"Lecture impossible de « {path} » : {error.strerror}.") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise CatalogueFileError(
            f"« {path.name} » n’est pas un JSON valide (ligne {error.lineno}, colonne {error.colno}) : "
            "le fichier est peut-être tronqué."
        ) from None
    check_document(document, name=path.name)
    return document


def check_document(document: Any, *, name: str = "le fichier") -> None:
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise CatalogueFileError(f"« {name} » n’est pas un export du catalogue (export_catalogue).")
    if document.get("version") != VERSION:
        raise CatalogueFileError(
            f"« {name} » est au format {document.get('version')!r}, cette version du site lit le format {VERSION}."
        )
    objects, counts = document.get("objects"), document.get("counts")
    if not isinstance(objects, list) or not isinstance(counts, dict):
        raise CatalogueFileError(f"« {name} » est incomplet : objets ou compteurs absents.")
    if document.get("migrations") != applied_migrations():
        raise CatalogueFileError(
            f"« {name} » a été exporté avec un autre schéma du catalogue (migrations "
            f"{', '.join(document.get('migrations') or []) or 'inconnues'}) : importez-le avec la version du "
            "site qui l’a produit, puis appliquez les migrations."
        )
    allowed = {model._meta.label_lower for model in catalogue_models()}
    found: dict[str, int] = {}
    for number, item in enumerate(objects, 1):
        if not isinstance(item, dict) or not isinstance(item.get("fields"), dict) or item.get("pk") is None:
            raise CatalogueFileError(f"« {name} » : l’objet n° {number} est mal formé (model, pk et fields attendus).")
        label = str(item.get("model", "")).lower()
        if label not in allowed:
            raise CatalogueFileError(
                f"« {name} » contient des objets « {label} », qui ne font pas partie du catalogue : import refusé."
            )
        found[label] = found.get(label, 0) + 1
    expected = {label: count for label, count in counts.items() if count}
    if found != expected:
        raise CatalogueFileError(
            f"« {name} » est incomplet : les compteurs annoncent {sum(expected.values())} objets, "
            f"le fichier en contient {sum(found.values())}."
        )


def catalogue_is_empty() -> bool:
    """No job and no training (the reference vocabularies of the migrations do not count)."""
    return not Job.objects.exists() and not Training.objects.exists()


def import_catalogue(*, path: str | os.PathLike, replace: bool = False) -> BackupSummary:
    """Replace the catalogue with the file's content, all or nothing; see the module docstring."""
    check_schema_is_current()
    document = read_catalogue_file(path)
    name = Path(path).name
    ordered = catalogue_models()
    try:
        with transaction.atomic():
            if not replace and not catalogue_is_empty():
                raise CatalogueFileError(
                    f"Le catalogue contient déjà {Job.objects.count()} métiers et {Training.objects.count()} "
                    "formations : l’import remplacerait tout. Relancez avec --replace pour le confirmer."
                )
            for model in reversed(ordered):
                model._base_manager.all().delete()
            counts = _load(document["objects"], name=name)
            connection.check_constraints(table_names=_tables(ordered))
            with connection.cursor() as cursor:
                for statement in connection.ops.sequence_reset_sql(no_style(), ordered):
                    cursor.execute(statement)
            refresh_search_text()
            bump_catalogue_version()
    except IntegrityError as error:
        raise CatalogueFileError(
            f"« {name} » ne peut pas être importé : des liens ou des valeurs sont incohérents ({error}). "
            "Rien n’a été modifié."
        ) from error
    except DatabaseError as error:
        raise CatalogueFileError(
            f"« {name} » n’a pas pu être importé, la base de données a refusé l’écriture ({error}). "
            "Rien n’a été modifié."
        ) from error
    return BackupSummary(counts={model._meta.label_lower: counts.get(model._meta.label_lower, 0) for model in ordered})


def _tables(ordered: list[type[models.Model]]) -> list[str]:
    """The models' tables and their many-to-many link tables."""
    tables = []
    for model in ordered:
        tables.append(model._meta.db_table)
        tables += [field.remote_field.through._meta.db_table for field in model._meta.local_many_to_many]
    return tables


def _clean_rich_text(instance: models.Model) -> list[str]:
    """Pass every rich-text value through its field's allow-list (the admin's); return the field names.

    A value the allow-list keeps entirely is kept as written: the imports store some characters
    (U+00A0) that the sanitizer would spell as entities (`&nbsp;`), and a round trip must give the
    same text back. Equal once entities are decoded means that nothing was removed or added; any
    other difference (a tag, an attribute or a URL removed) stores the cleaned value.
    """
    names = []
    for model_field in instance._meta.concrete_fields:
        if isinstance(model_field, ProseEditorField):
            names.append(model_field.name)
            value = getattr(instance, model_field.attname) or ""
            cleaned = model_field.sanitize(value)
            if html.unescape(cleaned) != html.unescape(value):
                setattr(instance, model_field.attname, cleaned)
    return names


def _load(objects: list[dict[str, Any]], *, name: str) -> dict[str, int]:
    """Write the file's rows: one INSERT each (times kept as they are), many-to-many links in bulk."""
    counts: dict[str, int] = {}
    links: dict[type[models.Model], list[models.Model]] = {}
    try:
        for deserialized in serializers.deserialize("python", objects, ignorenonexistent=False):
            instance = deserialized.object
            label = instance._meta.label_lower
            relations = [field.name for field in instance._meta.fields if field.is_relation]
            rich_text = _clean_rich_text(instance)
            try:
                # Field by field (formats, lengths, choices); links and uniqueness are checked by the database.
                instance.full_clean(exclude=[*relations, *rich_text], validate_unique=False, validate_constraints=False)
            except ValidationError as error:
                details = "; ".join(f"{key} : {' '.join(messages)}" for key, messages in error.message_dict.items())
                raise CatalogueFileError(
                    f"« {name} » : {label} n° {instance.pk} est invalide ({details}). Rien n’a été modifié."
                ) from None
            models.Model.save_base(instance, raw=True, force_insert=True)
            for field_name, targets in (deserialized.m2m_data or {}).items():
                field = instance._meta.get_field(field_name)
                through = field.remote_field.through
                source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
                links.setdefault(through, []).extend(
                    through(**{f"{source}_id": instance.pk, f"{target}_id": value}) for value in targets
                )
            counts[label] = counts.get(label, 0) + 1
    except (DeserializationError, FieldDoesNotExist, ValueError, TypeError) as error:
        raise CatalogueFileError(
            f"« {name} » : un objet ne peut pas être lu ({error}). Rien n’a été modifié."
        ) from None
    for through, rows in links.items():
        through._base_manager.bulk_create(rows, batch_size=1000)
    return counts
