"""Import of France Travail's ROME referential (codes and appellations), all or nothing.

The appellations become search-only titles of every job that carries their ROME code (or their
parent code): the search matches them in their own table and joins them to the jobs.
"""

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from catalogue.models import ImportKind, ImportRun, RomeCode
from catalogue.models.search import RomeAppellation, SearchWord
from catalogue.services.cache import bump_catalogue_version
from catalogue.text import fold

CODES_FILE = "unix_referentiel_code_rome_v460_utf8.csv"
APPELLATIONS_FILE = "unix_referentiel_appellation_v460_utf8.csv"
CODE_PATTERN = re.compile(r"^[A-N][0-9]{4}$")
MAX_LABEL = 255


class RomeImportError(Exception):
    """A file the import refuses; the message names the file, the line and the problem (French)."""


@dataclass
class RomeReport:
    codes_created: int = 0
    codes_updated: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    dry_run: bool = False
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        prefix = "Simulation – " if self.dry_run else ""
        return (
            f"{prefix}ROME : {self.codes_created} code(s) créé(s), {self.codes_updated} mis à jour ; "
            f"appellations : {self.created} créée(s), {self.updated} mise(s) à jour, "
            f"{self.unchanged} inchangée(s), {self.deleted} supprimée(s)."
        )


def _find_file(path: Path, name_part: str) -> Path:
    if path.is_file():
        if name_part in path.name:
            return path
        path = path.parent
    matches = sorted(path.glob(f"*{name_part}*.csv")) if path.is_dir() else []
    if not matches:
        raise RomeImportError(f"{path} : fichier « *{name_part}*.csv » introuvable.")
    return matches[0]


def _read_rows(path: Path, required: set[str]) -> list[tuple[int, dict[str, str]]]:
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = required - set(reader.fieldnames or [])
            if missing:
                raise RomeImportError(f"{path.name}, ligne 1 : colonne(s) manquante(s) : {', '.join(sorted(missing))}.")
            return [(number, row) for number, row in enumerate(reader, start=2)]
    except UnicodeDecodeError as error:
        raise RomeImportError(f"{path.name} : le fichier n’est pas en UTF-8 ({error.reason}).") from error
    except csv.Error as error:
        raise RomeImportError(f"{path.name} : CSV illisible ({error}).") from error
    except OSError as error:
        raise RomeImportError(f"{path} : fichier illisible ({error.strerror}).") from error


def _label(value: str | None) -> str:
    # Some texts double their apostrophes (d''innovation).
    return " ".join((value or "").replace("''", "'").split())


def parse_rome(path: Path) -> tuple[dict[str, str], dict[int, dict]]:
    """Read and validate both files; raise RomeImportError on the first problem."""
    codes_path = _find_file(path, "referentiel_code_rome")
    appellations_path = _find_file(path, "referentiel_appellation")
    codes: dict[str, str] = {}
    for number, row in _read_rows(codes_path, {"code_rome", "libelle_rome"}):
        code = (row["code_rome"] or "").strip()
        if not CODE_PATTERN.match(code):
            raise RomeImportError(f"{codes_path.name}, ligne {number} : code ROME invalide « {code[:20]} ».")
        codes[code] = _label(row["libelle_rome"])[:MAX_LABEL]
    appellations: dict[int, dict] = {}
    required = {"code_ogr", "libelle_appellation_long", "code_rome"}
    for number, row in _read_rows(appellations_path, required):
        where = f"{appellations_path.name}, ligne {number}"
        try:
            ogr = int(row["code_ogr"])
        except (TypeError, ValueError):
            raise RomeImportError(f"{where} : code OGR invalide « {(row['code_ogr'] or '')[:20]} ».") from None
        code = (row["code_rome"] or "").strip()
        if code not in codes:
            raise RomeImportError(f"{where} : code ROME « {code[:20]} » absent du référentiel des codes.")
        label = _label(row["libelle_appellation_long"])
        if not label:
            raise RomeImportError(f"{where} : libellé vide.")
        if ogr in appellations:
            raise RomeImportError(f"{where} : code OGR {ogr} en double.")
        parent = (row.get("code_rome_parent") or "").strip() or code
        if parent not in codes:
            raise RomeImportError(f"{where} : code ROME parent « {parent[:20]} » absent du référentiel des codes.")
        appellations[ogr] = {
            "rome_code": code,
            "parent_code": parent,
            "label": label[:MAX_LABEL],
            "folded": fold(label)[:MAX_LABEL],
            "short_label": _label(row.get("libelle_appellation_court"))[:MAX_LABEL],
            "is_principal": (row.get("classification") or "").strip().upper() == "PRINCIPALE",
            "is_rarely_used": (row.get("peu_usite") or "").strip().upper() == "O",
        }
    return codes, appellations


class _DryRunRollback(Exception):
    pass


def import_rome(path: Path | str, *, dry_run: bool = False, user=None) -> RomeReport:
    """Load the ROME codes and appellations from `path` (the folder, or one of its CSV files)."""
    codes, appellations = parse_rome(Path(path))
    report = RomeReport(dry_run=dry_run)
    try:
        with transaction.atomic():
            _write(codes, appellations, report)
            if dry_run:
                raise _DryRunRollback
            bump_catalogue_version()
            ImportRun.objects.create(
                kind=ImportKind.ROME,
                user=user,
                files=[str(path)],
                counts={
                    "created": report.created,
                    "updated": report.updated,
                    "unchanged": report.unchanged,
                    "deleted": report.deleted,
                },
                report=report.summary(),
            )
    except _DryRunRollback:
        pass
    return report


def _write(codes: dict[str, str], appellations: dict[int, dict], report: RomeReport) -> None:
    existing_codes = {code.code: code for code in RomeCode.objects.all()}
    new_codes = [RomeCode(code=code, label=label) for code, label in codes.items() if code not in existing_codes]
    changed_codes = []
    for code, label in codes.items():
        record = existing_codes.get(code)
        if record is not None and record.label != label:
            record.label = label
            changed_codes.append(record)
    RomeCode.objects.bulk_create(new_codes, batch_size=1000)
    RomeCode.objects.bulk_update(changed_codes, ["label"], batch_size=1000)
    report.codes_created, report.codes_updated = len(new_codes), len(changed_codes)
    code_ids = dict(RomeCode.objects.values_list("code", "pk"))

    existing = {record.ogr_code: record for record in RomeAppellation.objects.all()}
    fields = ["rome_code_id", "parent_code_id", "label", "folded", "short_label", "is_principal", "is_rarely_used"]
    to_create, to_update = [], []
    for ogr, values in appellations.items():
        values = {name: value for name, value in values.items() if name not in {"rome_code", "parent_code"}} | {
            "rome_code_id": code_ids[values["rome_code"]],
            "parent_code_id": code_ids[values["parent_code"]],
        }
        record = existing.get(ogr)
        if record is None:
            to_create.append(RomeAppellation(ogr_code=ogr, **values))
        elif any(getattr(record, name) != values[name] for name in fields):
            for name in fields:
                setattr(record, name, values[name])
            to_update.append(record)
        else:
            report.unchanged += 1
    stale = [record for ogr, record in existing.items() if ogr not in appellations]
    RomeAppellation.objects.filter(pk__in=[record.pk for record in stale]).delete()
    RomeAppellation.objects.bulk_create(to_create, batch_size=1000)
    RomeAppellation.objects.bulk_update(to_update, fields, batch_size=1000)
    report.created, report.updated, report.deleted = len(to_create), len(to_update), len(stale)
    # The search matches ROME appellations in their own table; their words join the vocabulary
    # used for typo correction.
    words = {word[:64] for values in appellations.values() for word in values["folded"].split()}
    SearchWord.objects.bulk_create(
        [SearchWord(word=word, length=len(word)) for word in sorted(words)], batch_size=1000, ignore_conflicts=True
    )
