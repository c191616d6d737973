"""Spreadsheets of jobs, trainings and interests (django-import-export resources and file formats).

Counsellors export what a changelist shows (its filters and search applied) to CSV or XLSX, edit
it, and import it back: the admin previews every row's changes and every error, then writes all or
nothing (catalogue.admin.spreadsheets). This module says what a file holds and how it is read.

Columns. Every column has a fixed French header, written here rather than taken from the models'
`verbose_name`s: headers are a file format that counsellors keep spreadsheets in, and rewording a
label in the admin must not break yesterday's file. Headers are matched once case, accents and
apostrophe styles are set aside (`fold`), so "Centres d'interet" is "Centres d’intérêt". Columns
may be left out (a file with the two keys and one column updates that column only), but unknown
or repeated headers are refused, so a mistyped header never silently drops a column.
- Vocabularies are written by their label (a level, an interest, a status, a sector; their slug
  is accepted too), trainings by their ONISEP identifier (or slug when they have none), ROME codes
  by their code; several values are separated by " | ". An unknown value is an error of its row.
- Rich texts are HTML, cleaned on import by `catalogue.sanitize.sanitize_html` like every other
  write path. A cell whose cleaned text equals the record's leaves the record alone.
- "Statut de publication" is exported and ignored on import: publishing goes through the
  workflow (catalogue.services.workflow), never through a spreadsheet. New records are drafts.

Keys. A row is the record with its ONISEP identifier ("Identifiant ONISEP"); a row whose
identifier is empty or unknown is the record with its slug among those without an identifier
(a local record may so receive its identifier); any other row is a new draft, whose slug is made
from its name when the "Slug" cell is empty (`catalogue.services.slugs.unique_slug`). A slug never
matches a record that has an identifier: a copied row whose identifier was cleared creates a new
record (and is refused if it kept the slug) instead of overwriting the original. An empty slug
cell leaves the record's slug as it is. One record may appear on one row only.

Errors name the line as the spreadsheet shows it (the headers are line 1) and the column:
"Ligne 3, colonne « Centres d’intérêt » : centre d’intérêt inconnu « xyz »". A file with any error
writes nothing (one transaction, rolled back).

Formulas. A spreadsheet runs a cell starting with "=", "+", "-" or "@" (or a tab or carriage
return) as a formula. Exported cells starting so get a leading apostrophe, which is removed on
import, so values survive the round trip unchanged (`neutralise` / `restore`; a value that itself
starts with an apostrophe followed by one of them gets a second one). django-import-export's own
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT only deletes a leading "=", losing data and leaving the
other three: these formats neutralise before it runs, so it never finds anything left to do.

After a confirmed import (never after a preview): the history records one django-reversion
revision with the importing counsellor; jobs get their search data rebuilt and their old slugs
kept as redirects; the catalogue version moves on, invalidating cached public pages.
"""

import csv
import io
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import reversion
import tablib
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction
from django.db.models import Prefetch
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import ngettext
from import_export import resources, widgets
from import_export.fields import Field
from import_export.formats.base_formats import CSV, XLSX
from import_export.instance_loaders import BaseInstanceLoader
from import_export.results import Result, RowResult

from catalogue.models import (
    AccessLevel,
    Interest,
    Job,
    PublicationStatus,
    RomeCode,
    Sector,
    Status,
    Training,
)
from catalogue.sanitize import sanitize_html
from catalogue.services.cache import bump_catalogue_version
from catalogue.services.search import refresh_search_text
from catalogue.services.slugs import record_slug_change, unique_slug
from catalogue.text import fold, normalize_label

logger = logging.getLogger(__name__)

SEPARATOR = " | "
MAX_ROWS = 20_000
EXCERPT_CHARS = 160


# --- Files ----------------------------------------------------------------------------------------


class SpreadsheetError(ValueError):
    """A file that cannot be read as a spreadsheet of the catalogue; the message is for counsellors."""


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """The cell a spreadsheet shows as text: an apostrophe before a would-be formula."""
    if isinstance(value, str) and (
        value.startswith(FORMULA_STARTS) or (value.startswith("'") and value[1:2] in (*FORMULA_STARTS, "'"))
    ):
        return "'" + value
    return value


def restore(value: str) -> str:
    """The value `neutralise` was given."""
    if value.startswith("'") and value[1:2] and value[1:2] in (*FORMULA_STARTS, "'"):
        return value[1:]
    return value


def cell_text(value) -> str:
    """A cell as text: spreadsheets store numbers, dates and booleans natively."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value)


def build_dataset(rows: Iterable[Sequence]) -> tablib.Dataset:
    """The first row is the headers; blank rows and trailing blank columns are dropped."""
    rows = iter(rows)
    headers = next(rows, None)
    if headers is None:
        raise SpreadsheetError("Le fichier est vide.")
    headers = [cell_text(cell).replace("\ufeff", "").strip() for cell in headers]
    body = []
    for line, row in enumerate(rows, start=2):
        cells = [restore(cell_text(cell)) for cell in row]
        if not any(cell.strip() for cell in cells):
            continue
        if len(body) == MAX_ROWS:
            raise SpreadsheetError(f"Le fichier dépasse {MAX_ROWS:,} lignes : découpez-le.".replace(",", "\u202f"))
        body.append((line, cells))
    # Spreadsheets keep formatted empty columns: trailing columns without header nor content go.
    width = len(headers)
    while (
        width
        and not headers[width - 1]
        and not any(len(cells) >= width and cells[width - 1].strip() for _, cells in body)
    ):
        width -= 1
    if width == 0:
        raise SpreadsheetError("La première ligne ne porte aucun en-tête de colonne.")
    for line, cells in body:
        if any(cell.strip() for cell in cells[width:]):
            raise SpreadsheetError(f"Ligne {line} : une cellule est remplie hors des colonnes nommées en ligne 1.")
    dataset = tablib.Dataset(headers=headers[:width])
    for _, cells in body:
        dataset.append((cells + [""] * width)[:width])
    return dataset


def is_xlsx(content: bytes) -> bool:
    """Whether `content` looks like a workbook (a zip archive), whatever its name says."""
    return isinstance(content, bytes) and content.startswith(b"PK\x03\x04")


class CSVSpreadsheet(CSV):
    """CSV in UTF-8 (with a byte-order mark, so that Excel reads the accents), separated by
    semicolons, which French spreadsheets write and read by default. On import the separator of
    the header line is used: semicolon, comma or tab."""

    DELIMITERS = (";", ",", "\t")

    def create_dataset(self, in_stream, **kwargs) -> tablib.Dataset:
        if isinstance(in_stream, bytes):
            if is_xlsx(in_stream):
                raise SpreadsheetError("Ce fichier est un classeur XLSX : choisissez le format « xlsx ».")
            if b"\x00" in in_stream:
                raise SpreadsheetError("Ce fichier n’est pas un fichier CSV (texte) : enregistrez-le au format CSV.")
            try:
                in_stream = in_stream.decode("utf-8-sig")
            except UnicodeDecodeError:
                raise SpreadsheetError(
                    "Ce fichier CSV n’est pas encodé en UTF-8 : dans votre tableur, enregistrez-le au format "
                    "« CSV UTF-8 »."
                ) from None
        text = in_stream.removeprefix("\ufeff")
        first_line = text.split("\n", 1)[0]
        delimiter = max(self.DELIMITERS, key=first_line.count)
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
        try:
            return build_dataset(reader)
        except csv.Error:
            raise SpreadsheetError(
                f"Ce fichier CSV est mal formé vers la ligne {reader.line_num} : un guillemet n’y est pas refermé, "
                "ou est suivi d’autre chose qu’un séparateur."
            ) from None

    def export_data(self, dataset, **kwargs):
        return super().export_data(neutralised(dataset), delimiter=";", **kwargs)


class XLSXSpreadsheet(XLSX):
    """The first sheet of an Excel workbook (.xlsx); exported with the header line frozen and
    columns of one width (fitting them to their content would make rich-text columns huge)."""

    COLUMN_WIDTH = 30

    def create_dataset(self, in_stream, **kwargs) -> tablib.Dataset:
        import openpyxl

        if not is_xlsx(in_stream):
            raise SpreadsheetError(
                "Ce fichier n’est pas un classeur XLSX : enregistrez-le au format .xlsx, "
                "ou choisissez le format « csv »."
            )
        try:
            book = openpyxl.load_workbook(io.BytesIO(in_stream), read_only=True, data_only=True)
            try:
                return build_dataset(book.worksheets[0].iter_rows(values_only=True))
            finally:
                book.close()
        except SpreadsheetError:
            raise
        except Exception as error:  # openpyxl raises many kinds on a damaged file
            logger.info("Unreadable XLSX upload: %r", error)
            raise SpreadsheetError("Ce classeur XLSX est illisible ou endommagé.") from None

    def export_data(self, dataset, **kwargs):
        return super().export_data(neutralised(dataset), column_width=self.COLUMN_WIDTH, **kwargs)


def neutralised(dataset: tablib.Dataset) -> tablib.Dataset:
    copy = tablib.Dataset(headers=dataset.headers, title=dataset.title)
    for row in dataset:
        copy.append([neutralise(cell_text(cell)) for cell in row])
    return copy


SPREADSHEET_FORMATS = [CSVSpreadsheet, XLSXSpreadsheet]


# --- Cells ----------------------------------------------------------------------------------------


class CellWidget(widgets.Widget):
    """A cell read as text and written as text. `help` tells counsellors what a column expects."""

    help = ""

    def same(self, cleaned, current) -> bool:
        """Whether a cleaned cell says what the record holds (the record is then left alone)."""
        return cleaned == current


class TextWidget(CellWidget):
    def clean(self, value, row=None, **kwargs) -> str:
        return cell_text(value).strip()

    def render(self, value, obj=None, **kwargs) -> str:
        return "" if value is None else str(value)

    def same(self, cleaned, current) -> bool:
        return cleaned == self.clean(current)


class IdentifierWidget(TextWidget):
    """Identifiers are unique when set: an empty cell is no identifier (NULL), not ''."""

    help = "identifiant ONISEP ; vide pour une fiche locale"

    def clean(self, value, row=None, **kwargs) -> str | None:
        return super().clean(value) or None


class RichTextWidget(TextWidget):
    help = "texte mis en forme (HTML)"

    def clean(self, value, row=None, **kwargs) -> str:
        return sanitize_html(super().clean(value))


class YesNoWidget(CellWidget):
    help = "oui ou non"
    YES = {"oui", "o", "vrai", "true", "yes", "1", "x"}
    NO = {"non", "n", "faux", "false", "no", "0", ""}

    def clean(self, value, row=None, **kwargs) -> bool:
        word = fold(cell_text(value))
        if word in self.YES:
            return True
        if word in self.NO:
            return False
        raise ValueError(f"« oui » ou « non » attendu, pas « {cell_text(value)} »")

    def render(self, value, obj=None, **kwargs) -> str:
        return "oui" if value else "non"


class ChoiceLabelWidget(CellWidget):
    """Exported only: the label of a choice."""

    help = "exportée seulement, ignorée à l’import"

    def __init__(self, choices: type[models.TextChoices]):
        self.labels = dict(choices.choices)
        super().__init__()

    def render(self, value, obj=None, **kwargs) -> str:
        return str(self.labels.get(value, value or ""))


class ReferenceWidget(CellWidget):
    """A record of another table (a level...), written by `shown` and found by any of `keys`.

    The table is read once per import (one query), then matched on folded text.
    """

    help = "libellé (ou slug)"

    def __init__(self, model: type[models.Model], *, unknown: str, keys=("name", "slug"), shown=("name",)):
        self.model, self.unknown, self.keys, self.shown = model, unknown, keys, shown
        self._index: dict[str, models.Model] | None = None
        widgets.Widget.__init__(self)  # not ManyToManyWidget's, which the list below also derives from

    def find(self, label: str) -> models.Model | None:
        if self._index is None:
            self._index = {}
            for record in self.model._default_manager.only(*self.fields):
                for key in self.keys:
                    if getattr(record, key):
                        self._index.setdefault(normalize_label(getattr(record, key)), record)
        return self._index.get(normalize_label(label))

    @property
    def fields(self) -> tuple[str, ...]:
        """What the widget reads of a record."""
        return ("pk", *self.keys, *self.shown)

    def label(self, record: models.Model) -> str:
        return next((str(getattr(record, name)) for name in self.shown if getattr(record, name)), "")

    def clean(self, value, row=None, **kwargs) -> models.Model | None:
        text = cell_text(value).strip()
        if not text:
            return None
        record = self.find(text)
        if record is None:
            raise ValueError(self.unknown % {"value": text})
        return record

    def render(self, value, obj=None, **kwargs) -> str:
        return "" if value is None else self.label(value)


class ReferenceListWidget(ReferenceWidget, widgets.ManyToManyWidget):
    """Many records of another table (interests, trainings...), separated by " | ".

    A ManyToManyWidget for django-import-export, which then sets the links once the record is
    saved and compares them to tell an unchanged row."""

    help = "libellés (ou slugs) séparés par « | »"

    def clean(self, value, row=None, **kwargs) -> list[models.Model]:
        labels = [part.strip() for part in cell_text(value).split("|") if part.strip()]
        found, unknown = {}, []
        for label in labels:
            record = self.find(label)
            if record is None:
                unknown.append(self.unknown % {"value": label})
            else:
                found.setdefault(record.pk, record)
        if unknown:
            raise ValueError(" ; ".join(unknown))
        return list(found.values())

    def render(self, value, obj=None, **kwargs) -> str:
        return "" if value is None else SEPARATOR.join(self.label(record) for record in value.all())


class Column(Field):
    """One column of the file, bound to one attribute of the record.

    On import the attribute is left untouched when the cell says what the record already holds
    (`widget.same`), so that an unchanged row is reported unchanged. `keep_when_empty`: an empty
    cell keeps the current value (slugs).
    """

    def __init__(
        self,
        attribute: str,
        column_name: str,
        widget: CellWidget | None = None,
        *,
        readonly: bool = False,
        keep_when_empty: bool = False,
        help: str = "",
    ):
        super().__init__(attribute=attribute, column_name=column_name, widget=widget or TextWidget(), readonly=readonly)
        self.keep_when_empty = keep_when_empty
        self.help = help or self.widget.help

    @property
    def is_m2m(self) -> bool:
        return isinstance(self.widget, ReferenceListWidget)

    def save(self, instance, row, is_m2m=False, **kwargs) -> None:
        if self.readonly:
            return
        value = self.clean(row, **kwargs)
        if is_m2m:
            getattr(instance, self.attribute).set(value)
        elif not (self.keep_when_empty and not value) and not self.widget.same(value, self.get_value(instance)):
            setattr(instance, self.attribute, value)


class KeyInstanceLoader(BaseInstanceLoader):
    """Finds the record of each row (see the module docstring), in two queries for the whole file."""

    def __init__(self, resource: "CatalogueResource", dataset=None):
        super().__init__(resource, dataset)
        self.id_column, self.slug_column = resource.fields["onisep_id"], resource.fields["slug"]
        ids, slugs = set(), set()
        for row in dataset.dict if dataset is not None else ():
            ids.add(self.key(self.id_column, row))
            slugs.add(self.key(self.slug_column, row))
        ids.discard(None)
        slugs.discard(None)
        queryset = resource.with_related(resource.get_queryset())
        self.by_id = {record.onisep_id: record for record in queryset.filter(onisep_id__in=ids)} if ids else {}
        self.by_slug = (
            {record.slug: record for record in queryset.filter(slug__in=slugs, onisep_id__isnull=True)} if slugs else {}
        )

    @staticmethod
    def key(column: Column, row) -> str | None:
        return TextWidget().clean(row.get(column.column_name)) or None

    def get_instance(self, row):
        return self.by_id.get(self.key(self.id_column, row)) or self.by_slug.get(self.key(self.slug_column, row))


# --- The preview ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    column: str
    before: str
    after: str


def excerpt(value: str) -> str:
    text = strip_tags(value) if "<" in value else value
    return Truncator(" ".join(text.split())).chars(EXCERPT_CHARS)


class ColumnDiff(resources.Diff):
    """What the preview shows of a row: the columns it changes, with their old and new values.

    django-import-export calls `as_html()` to fill `RowResult.diff`; the import page
    (templates/admin/import_export/spreadsheet_import.html) lists these changes.
    """

    def __init__(self, resource, instance, new):
        self.columns = resource.get_import_fields()
        # django-import-export passes a deep copy of the row's record, which has lost the links
        # prefetched with it (a copied queryset drops its results): read the record itself,
        # still unchanged at this point, rather than query its links again for every row.
        super().__init__(resource, resource.loaded_instance or instance, new)

    def as_html(self) -> list[Change]:
        return [
            Change(column.column_name, "" if self.new else excerpt(str(before)), excerpt(str(after)))
            for column, before, after in zip(self.columns, self.left, self.right, strict=True)
            if not column.readonly and before != after
        ]


# --- Resources ------------------------------------------------------------------------------------


IDENTIFIER = "Identifiant ONISEP"
SLUG = "Slug"
PUBLICATION_STATUS = "Statut de publication"


class CatalogueResource(resources.ModelResource):
    """What jobs, trainings and interests share: keys, French errors, the preview, bookkeeping."""

    # Columns that every file must have (they may be empty on a new record's row).
    required_columns = (IDENTIFIER, SLUG)

    class Meta:
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_transactions = True
        instance_loader_class = KeyInstanceLoader
        import_id_fields = ("onisep_id", "slug")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.first_lines: dict[int, int] = {}  # record pk -> the line that imports it
        self.previous_slugs: dict[int, str] = {}
        self.saved: list[models.Model] = []
        self.loaded_instance: models.Model | None = None  # the record of the row being read

    @classmethod
    def get_diff_class(cls):
        return ColumnDiff

    # --- Columns

    def columns(self) -> list[Column]:
        return self.get_import_fields()

    def m2m_columns(self) -> list[Column]:
        return [column for column in self.columns() if column.is_m2m]

    def column_notes(self) -> list[tuple[str, str]]:
        """Each column with what it expects, for the import page."""
        return [(column.column_name, column.help) for column in self.columns()]

    def canonical_headers(self, headers: Sequence[str]) -> list[str]:
        """Headers typed with other accents, case or apostrophes, under their exact names."""
        names = {fold(column.column_name): column.column_name for column in self.columns()}
        return [names.get(fold(header), header) for header in headers]

    def header_errors(self, headers: Sequence[str]) -> list[str]:
        """What is wrong with the header line of a file, in French (nothing when it can be imported)."""
        headers = self.canonical_headers(headers)
        known = [column.column_name for column in self.columns()]
        errors = []
        missing = [name for name in self.required_columns if name not in headers]
        if missing:
            errors.append(
                ngettext(
                    "Colonne obligatoire absente : %(names)s.",
                    "Colonnes obligatoires absentes : %(names)s.",
                    len(missing),
                )
                % {"names": quoted(missing)}
            )
        unknown = [header for header in headers if header and header not in known]
        if unknown:
            errors.append(
                ngettext("Colonne inconnue : %(names)s.", "Colonnes inconnues : %(names)s.", len(unknown))
                % {"names": quoted(unknown)}
                + f" Colonnes possibles : {quoted(known)}."
            )
        repeated = sorted({header for header in headers if header and headers.count(header) > 1})
        if repeated:
            errors.append(f"Colonne en double : {quoted(repeated)}.")
        if "" in headers:
            errors.append("Une colonne remplie n’a pas d’en-tête en ligne 1.")
        return errors

    # --- Reading rows

    def before_import(self, dataset, **kwargs):
        dataset.headers = self.canonical_headers(dataset.headers or [])
        errors = self.header_errors(dataset.headers)
        if errors:
            raise SpreadsheetError(" ".join(errors))

    def filter_export(self, queryset, **kwargs):
        return self.with_related(queryset)

    def with_related(self, queryset: models.QuerySet) -> models.QuerySet:
        """Records with the related rows their columns show, so that no column costs a query per row."""
        related = [column.attribute for column in self.columns() if type(column.widget) is ReferenceWidget]
        if related:
            queryset = queryset.select_related(*related)
        return queryset.prefetch_related(
            *(
                Prefetch(column.attribute, queryset=column.widget.model._default_manager.only(*column.widget.fields))
                for column in self.m2m_columns()
            )
        )

    def after_export(self, queryset, dataset, **kwargs):
        dataset.title = str(self._meta.model._meta.verbose_name_plural).capitalize()

    def after_init_instance(self, instance, new, row, **kwargs):
        self.loaded_instance = instance

    def skip_row(self, instance, original, row, import_validation_errors=None) -> bool:
        """Whether the row changes nothing (its cells are set on `instance`, its links not yet)."""
        if import_validation_errors:
            return False
        for column in self.columns():
            if column.readonly or column.column_name not in row:
                continue
            if column.is_m2m:
                current = {record.pk for record in column.get_value(instance).all()} if instance.pk else set()
                if {record.pk for record in column.clean(row)} != current:
                    return False
            elif column.get_value(instance) != column.get_value(original):
                return False
        return True

    def import_instance(self, instance, row, **kwargs):
        """Set the row's cells on the record; every problem of the row is raised at once."""
        line = kwargs["row_number"] + 1
        if instance.pk is not None:
            first = self.first_lines.setdefault(instance.pk, line)
            if first != line:
                raise ValidationError(f"cette fiche figure déjà ligne {first} du fichier")
            self.previous_slugs[instance.pk] = instance.slug
        errors: dict = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        # Many-to-many cells are set after the record is saved: check them now, with the others.
        for column in self.m2m_columns():
            if column.column_name in row:
                try:
                    column.clean(row)
                except ValueError as error:
                    errors.setdefault(column.attribute, []).append(ValidationError(str(error)))
        if not instance.slug:
            instance.slug = unique_slug(type(instance), instance.name or "")
        if errors:
            raise ValidationError(errors)

    def import_row(self, row, instance_loader, **kwargs):
        row_result = super().import_row(row, instance_loader, **kwargs)
        row_result.line = kwargs["row_number"] + 1
        if row_result.validation_error is not None:
            row_result.validation_error = self.located(row_result.validation_error, row_result.line)
        return row_result

    def located(self, error: ValidationError, line: int) -> ValidationError:
        """`error` with each message saying its line and column, keyed by column."""
        columns = {column.attribute: column.column_name for column in self.columns()}
        located: dict[str, list[str]] = {}
        error_dict = error.message_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.messages}
        for key, messages in error_dict.items():
            column = columns.get(key)
            where = f"Ligne {line}, colonne « {column} »" if column else f"Ligne {line}"
            located.setdefault(column or NON_FIELD_ERRORS, []).extend(
                f"{where} : {message[:1].lower()}{message[1:]}" for message in messages
            )
        return ValidationError(located)

    # --- Writing

    def after_save_instance(self, instance, row, **kwargs):
        self.saved.append(instance)

    def import_data(
        self,
        dataset,
        dry_run=False,
        raise_errors=False,
        use_transactions=None,
        collect_failed_rows=False,
        rollback_on_validation_errors=False,
        **kwargs,
    ) -> Result:
        """A preview (dry run) writes nothing; a real import writes every row or none, in one
        history revision by `user`."""
        if dry_run:
            return super().import_data(
                dataset,
                dry_run=True,
                raise_errors=raise_errors,
                use_transactions=use_transactions,
                collect_failed_rows=collect_failed_rows,
                rollback_on_validation_errors=rollback_on_validation_errors,
                **kwargs,
            )
        with reversion.create_revision():
            result = super().import_data(
                dataset,
                dry_run=False,
                raise_errors=raise_errors,
                use_transactions=True,
                collect_failed_rows=collect_failed_rows,
                rollback_on_validation_errors=True,
                **kwargs,
            )
            if result.has_errors() or result.has_validation_errors():
                transaction.set_rollback(True)  # no revision either
            else:
                reversion.set_user(kwargs.get("user"))
                reversion.set_comment(self.revision_comment(result))
        return result

    def revision_comment(self, result: Result) -> str:
        return f"Import de tableur ({self._meta.model._meta.verbose_name_plural}, {change_counts(result)})"

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        if not self._is_dry_run(kwargs) and self.saved and not (result.has_errors() or result.has_validation_errors()):
            self.after_confirmed_import(self.saved)

    def after_confirmed_import(self, records: list[models.Model]) -> None:
        """Bookkeeping of the records written by a confirmed import (inside its transaction)."""
        bump_catalogue_version()


def quoted(names: Iterable[str]) -> str:
    return ", ".join(f"« {name} »" for name in names)


def counted(count: int, singular: str, plural: str) -> str:
    """'1 ligne modifiée', '12 lignes modifiées': French counts 0 and 1 in the singular."""
    return f"{count} {singular if count <= 1 else plural}"


def change_counts(result: Result) -> str:
    """'1 ligne ajoutée, 12 lignes modifiées'."""
    new, updated = result.totals[RowResult.IMPORT_TYPE_NEW], result.totals[RowResult.IMPORT_TYPE_UPDATE]
    parts = []
    if new:
        parts.append(counted(new, "ligne ajoutée", "lignes ajoutées"))
    if updated or not new:
        parts.append(counted(updated, "ligne modifiée", "lignes modifiées"))
    return ", ".join(parts)


def rich_text(attribute: str, column_name: str) -> Column:
    return Column(attribute, column_name, RichTextWidget())


class JobResource(CatalogueResource):
    onisep_id = Column("onisep_id", IDENTIFIER, IdentifierWidget())
    slug = Column("slug", SLUG, keep_when_empty=True, help="adresse de la fiche ; vide : faite à partir du nom")
    name = Column("name", "Nom générique")
    feminine_name = Column("feminine_name", "Appellation au féminin")
    masculine_name = Column("masculine_name", "Appellation au masculin")
    starting_salary = Column("starting_salary", "Salaire du débutant")
    access_level = Column(
        "access_level",
        "Niveau d’accès minimum",
        ReferenceWidget(AccessLevel, unknown="niveau d’accès inconnu « %(value)s »"),
    )
    interests = Column(
        "interests",
        "Centres d’intérêt",
        ReferenceListWidget(Interest, unknown="centre d’intérêt inconnu « %(value)s »"),
    )
    statuses = Column(
        "statuses",
        "Statuts possibles",
        ReferenceListWidget(Status, unknown="statut inconnu « %(value)s »"),
    )
    sectors = Column(
        "sectors",
        "Secteurs d’activité",
        ReferenceListWidget(Sector, unknown="secteur d’activité inconnu « %(value)s »"),
    )
    is_cross_sector = Column("is_cross_sector", "Métier transverse", YesNoWidget())
    trainings = Column(
        "trainings",
        "Formations recommandées",
        ReferenceListWidget(
            Training,
            unknown="formation inconnue « %(value)s »",
            keys=("onisep_id", "slug"),
            shown=("onisep_id", "slug"),
        ),
        help="identifiants ONISEP (ou slugs) séparés par « | »",
    )
    rome_codes = Column(
        "rome_codes",
        "Codes ROME",
        ReferenceListWidget(RomeCode, unknown="code ROME inconnu « %(value)s »", keys=("code",), shown=("code",)),
        help="codes séparés par « | »",
    )
    presentation = rich_text("presentation", "Présentation")
    summary = rich_text("summary", "En bref")
    study_paths = rich_text("study_paths", "Durée des études")
    nature_of_work = rich_text("nature_of_work", "Nature du travail")
    skills = rich_text("skills", "Compétences requises")
    working_conditions = rich_text("working_conditions", "Conditions de travail")
    access = rich_text("access", "Accès au métier")
    career = rich_text("career", "Vie professionnelle")
    other_information = rich_text("other_information", "Autres informations")
    publication_status = Column(
        "publication_status", PUBLICATION_STATUS, ChoiceLabelWidget(PublicationStatus), readonly=True
    )

    class Meta(CatalogueResource.Meta):
        model = Job
        name = "Métiers"
        fields = (
            "onisep_id",
            "slug",
            "name",
            "feminine_name",
            "masculine_name",
            "starting_salary",
            "access_level",
            "interests",
            "statuses",
            "sectors",
            "is_cross_sector",
            "trainings",
            "rome_codes",
            "presentation",
            "summary",
            "study_paths",
            "nature_of_work",
            "skills",
            "working_conditions",
            "access",
            "career",
            "other_information",
            "publication_status",
        )

    def after_save_instance(self, instance, row, **kwargs):
        super().after_save_instance(instance, row, **kwargs)
        record_slug_change(instance, self.previous_slugs.get(instance.pk, ""))

    def after_confirmed_import(self, records):
        refresh_search_text(records)
        super().after_confirmed_import(records)


class TrainingResource(CatalogueResource):
    onisep_id = Column("onisep_id", IDENTIFIER, IdentifierWidget())
    slug = Column("slug", SLUG, keep_when_empty=True, help="adresse de la fiche ; vide : faite à partir de l’intitulé")
    name = Column("name", "Intitulé complet")
    acronym = Column("acronym", "Sigle")
    type_acronym = Column("type_acronym", "Type (sigle)")
    type_label = Column("type_label", "Type (libellé)")
    duration = Column("duration", "Durée")
    level = Column(
        "level",
        "Niveau d’études",
        ReferenceWidget(AccessLevel, unknown="niveau d’études inconnu « %(value)s »"),
    )
    has_sheet = Column("has_sheet", "A une fiche", YesNoWidget())
    url = Column("url", "Adresse de référence")
    description = rich_text("description", "Descriptif")
    access = rich_text("access", "Accès à la formation")
    expectations = rich_text("expectations", "Attendus Parcoursup")
    further_studies = rich_text("further_studies", "Poursuite d’études")
    publication_status = Column(
        "publication_status", PUBLICATION_STATUS, ChoiceLabelWidget(PublicationStatus), readonly=True
    )

    class Meta(CatalogueResource.Meta):
        model = Training
        name = "Formations"
        fields = (
            "onisep_id",
            "slug",
            "name",
            "acronym",
            "type_acronym",
            "type_label",
            "duration",
            "level",
            "has_sheet",
            "url",
            "description",
            "access",
            "expectations",
            "further_studies",
            "publication_status",
        )


class InterestResource(CatalogueResource):
    onisep_id = Column("onisep_id", IDENTIFIER, IdentifierWidget())
    slug = Column("slug", SLUG, keep_when_empty=True, help="adresse de la page ; vide : faite à partir du libellé")
    name = Column("name", "Libellé")
    description = Column("description", "Description")

    class Meta(CatalogueResource.Meta):
        model = Interest
        name = "Centres d’intérêt"
        fields = ("onisep_id", "slug", "name", "description")
