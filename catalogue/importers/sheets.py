"""Import of job sheets written in the catalogue's sheet format (`../shared/seeds/MET.8063.md`).

The format is generated, so it is read line by line, not as Markdown (see PRODUCT.md, "How the
headings nest"):

- a heading at the start of a line starts a section; lines indented by any number of spaces belong
  to the current section, headings included (sub-headings, whatever their number of `#`);
- `## Salaire` at the start of a line inside `## Vie professionnelle` (and its other part,
  `Intégrer le marché du travail`, indented or not) are sub-sections of it;
  `### Salaire du débutant` holds the salary; after it, an indented heading at its level or above
  ends the Salaire part and starts another sub-section of Vie professionnelle;
- `**Label:** value` lines and the `- ` lists under them are fields;
- a heading at the start of a line that is not a known section is kept, with its text, in the
  section it follows (or in "autres informations") and reported as a warning.

`parse_sheet` is pure (no database); `import_sheets` resolves labels and identifiers, then writes
every sheet of a run in one transaction, or nothing at all.
"""

from __future__ import annotations

import difflib
import html
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import IntegrityError, models, transaction
from django.db.models import Prefetch
from django.utils import timezone

from catalogue.models import (
    AccessLevel,
    Appellation,
    AppellationKind,
    ImportKind,
    ImportRun,
    Interest,
    Job,
    PublicationStatus,
    RelatedJob,
    RomeCode,
    Sector,
    Source,
    Status,
    Training,
)
from catalogue.sanitize import sanitize_html
from catalogue.services.cache import bump_catalogue_version
from catalogue.services.history import record_import
from catalogue.services.search import refresh_search_text
from catalogue.services.slugs import unique_slug
from catalogue.text import fold, normalize_label

JOB_ID = re.compile(r"^MET\.[0-9]+$")
TRAINING_ID = re.compile(r"^FOR\.[0-9]+$")
ROME_ITEM = re.compile(r"^(?P<code>[A-Z][0-9]{4})(?![0-9A-Za-z])\s*(?:[-–—:]\s*)?(?P<label>.*)$")
ROME_CODE = re.compile(r"^[A-N][0-9]{4}$")

# A heading: `## Présentation` (a space after the #s; optional closing #s are dropped).
HEADING = re.compile(r"^(?P<marks>#{1,6})(?:[ \t]+(?P<text>.*?))?(?:[ \t]+#+)?[ \t]*$")
# A field: `**Label:** value` (also `**Label :** value` and `**Label**: value`).
FIELD = re.compile(r"^\*\*(?P<label>[^*]+?)\s*:\s*\*\*\s*(?P<value>.*)$")
FIELD_COLON_OUTSIDE = re.compile(r"^\*\*(?P<label>[^*]+?)\*\*\s*:\s*(?P<value>.*)$")
BULLET = re.compile(r"^[-*+][ \t]+(?P<text>.*)$")
NUMBERED = re.compile(r"^[0-9]{1,3}[.)][ \t]+(?P<text>.*)$")
ID_SUFFIX = re.compile(r"^(?P<label>.*?)\s*\(\s*ID\s*:\s*(?P<id>[^()]*?)\s*\)\s*$", re.IGNORECASE)
KEY_VALUE = re.compile(r"^(?P<key>[^:]+?)\s*:\s*(?P<value>.*)$")
BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")

# Rich-text sections, by folded heading.
RICH_SECTIONS = {
    "presentation": "presentation",
    "en bref": "summary",
    "duree des etudes": "study_paths",
    "nature du travail": "nature_of_work",
    "competences requises": "skills",
    "competences": "skills",
    "conditions de travail": "working_conditions",
    "condition de travail": "working_conditions",
    "acces au metier": "access",
    "vie professionnelle": "career",
    "autres informations": "other_information",
}
RICH_FIELDS = tuple(dict.fromkeys(RICH_SECTIONS.values()))
# Lists, by folded heading or field label: each may be written as `## Label` or `**Label:**`.
LISTS = {
    "appellations": "names",
    "autres appellations": "synonyms",
    "codes rome": "rome",
    "code rome": "rome",
    "formations recommandees": "trainings",
    "statuts possibles": "statuses",
    "statuts": "statuses",
    "secteurs d activite": "sectors",
    "centres d interet": "interests",
    "metiers associes": "related",
}
# One-value fields (`**ID:** MET.8063`).
SCALARS = {
    "id": "id",
    "identifiant": "id",
    "niveau d acces minimum": "level",
    "metier transverse": "cross_sector",
}
# Sub-sections of "Vie professionnelle" (ONISEP's <h3>), recognised at the start of a line or indented.
CAREER_PARTS = {"salaire", "integrer le marche du travail"}
STUDY_PATHS_HEADING = "duree des etudes"
SALARY_HEADING = "salaire du debutant"
GENDERS = {"feminin": "feminine_name", "masculin": "masculine_name"}

# Training types recognised from the first words of a training's label, longest first.
TRAINING_TYPES = {
    "bac pro": "bac pro",
    "bac techno": "bac techno",
    "licence pro": "licence pro",
    "mastère spé.": "mastère spé.",
    "dn made": "DN MADE",
    "titre pro": "TP",
    "btsa": "BTSA",
    "bts": "BTS",
    "but": "BUT",
    "dut": "DUT",
    "cap": "CAP",
    "capa": "CAPa",
    "bp": "BP",
    "bpa": "BPA",
    "bma": "BMA",
    "btm": "BTM",
    "mc": "MC",
    "cs": "CS",
    "fcil": "FCIL",
    "deust": "DEUST",
    "bpjeps": "BPJEPS",
    "dejeps": "DEJEPS",
    "desjeps": "DESJEPS",
    "dnsp": "DNSP",
    "dsaa": "DSAA",
    "tp": "TP",
    "master": "master",
    "licence": "licence",
}

MAX_NAME = 255
MAX_TRAINING_NAME = 500
MAX_SALARY = 500


# --------------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class ImportMessage:
    """A problem or a warning, located in a file (and a line when there is one)."""

    source: str
    line: int | None
    text: str

    def __str__(self) -> str:
        where = f"{self.source}, ligne {self.line}" if self.line else self.source
        return f"{where} : {self.text}"


@dataclass(frozen=True)
class LabelRef:
    """A reference label as written on a sheet (`- salarié`), with an optional `(ID: ...)`."""

    label: str
    line: int
    onisep_id: str = ""


@dataclass(frozen=True)
class TrainingRef:
    onisep_id: str
    name: str
    line: int


@dataclass(frozen=True)
class RomeRef:
    code: str
    label: str
    line: int


@dataclass(frozen=True)
class AppellationData:
    name: str
    feminine_name: str
    masculine_name: str
    line: int


@dataclass(frozen=True)
class RelatedRef:
    onisep_id: str
    name: str
    line: int


@dataclass
class ParsedSheet:
    """Everything one sheet says, as plain values (rich text already sanitized)."""

    source_name: str
    name: str = ""
    onisep_id: str = ""
    id_line: int | None = None
    feminine_name: str = ""
    masculine_name: str = ""
    texts: dict[str, str] = field(default_factory=dict)
    starting_salary: str = ""
    is_cross_sector: bool = False
    access_level: LabelRef | None = None
    statuses: list[LabelRef] = field(default_factory=list)
    sectors: list[LabelRef] = field(default_factory=list)
    interests: list[LabelRef] = field(default_factory=list)
    rome_codes: list[RomeRef] = field(default_factory=list)
    trainings: list[TrainingRef] = field(default_factory=list)
    appellations: list[AppellationData] = field(default_factory=list)
    related: list[RelatedRef] = field(default_factory=list)
    warnings: list[ImportMessage] = field(default_factory=list)
    errors: list[ImportMessage] = field(default_factory=list)


@dataclass
class ImportReport:
    """What a run did (or would do, for a dry run); nothing was written when `errors` is not empty."""

    dry_run: bool = False
    files: list[str] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    trainings_created: int = 0
    rome_codes_created: int = 0
    related_linked: int = 0
    warnings: list[ImportMessage] = field(default_factory=list)
    errors: list[ImportMessage] = field(default_factory=list)
    import_run: ImportRun | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def counts(self) -> dict[str, int]:
        return {
            "created": len(self.created),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "trainings_created": self.trainings_created,
            "rome_codes_created": self.rome_codes_created,
            "related_linked": self.related_linked,
        }

    def summary(self) -> str:
        line = (
            f"Fiches : {len(self.created)} créées, {len(self.updated)} mises à jour, "
            f"{len(self.unchanged)} inchangées, {len(self.errors)} erreur(s)."
        )
        if self.dry_run and self.ok:
            line += " (simulation : rien n’a été enregistré)"
        return line

    def text(self) -> str:
        lines = [f"Avertissement – {warning}" for warning in self.warnings]
        lines += [f"Erreur – {error}" for error in self.errors]
        return "\n".join([*lines, self.summary()])


# --------------------------------------------------------------------------------------------
# Parsing (pure)


def _plain(value: str) -> str:
    """One line of text: entities decoded, white space collapsed (a lone non-breaking space is kept)."""
    value = html.unescape(value)
    value = re.sub(r"\s+", lambda m: "\u00a0" if set(m.group()) == {"\u00a0"} else " ", value)
    return value.strip()


def _inline(value: str) -> str:
    """A line of sheet text as HTML: text escaped, `**bold**` kept."""
    escaped = html.escape(_plain(value), quote=False)
    return BOLD.sub(r"<strong>\1</strong>", escaped)


class _RichText:
    """Blocks of one rich-text field: paragraphs, lists and sub-headings, rendered once at the end.

    Sub-headings come with a depth (their number of `#`, 0 for Vie professionnelle's parts) and nest
    under the open sub-headings of lower depth: a first-level one becomes <h4>, a nested one <h5>
    (the deepest the allow-list keeps). Unknown sections are <h3>, outside that nesting.
    """

    def __init__(self) -> None:
        self.blocks: list[tuple[str, list[str], int | None, int]] = []
        self._open: str | None = None

    def heading(self, text: str, *, depth: int = 0, level: int | None = None) -> None:
        self._open = None
        if _plain(text):
            self.blocks.append(("h", [text], level, depth))

    def close_sub_headings(self) -> None:
        """The next sub-heading starts at the first level, whatever its depth."""
        self._open = None
        self.blocks.append(("close", [], None, 0))

    def line(self, text: str) -> None:
        if not _plain(text):
            return
        if self._open == "p":
            self.blocks[-1][1].append(text)
        else:
            self.blocks.append(("p", [text], None, 0))
            self._open = "p"

    def item(self, text: str, *, ordered: bool) -> None:
        kind = "ol" if ordered else "ul"
        if self._open == kind:
            self.blocks[-1][1].append(text)
        else:
            self.blocks.append((kind, [text], None, 0))
            self._open = kind

    def blank(self) -> None:
        if self._open == "p":  # a list goes on across blank lines, a paragraph does not
            self._open = None

    def render(self) -> str:
        parts = []
        open_depths: list[int] = []  # the sub-headings the next block sits under
        for kind, lines, level, depth in self.blocks:
            if kind == "close":
                open_depths.clear()
            elif kind == "h":
                if level is None:
                    while open_depths and open_depths[-1] >= depth:
                        open_depths.pop()
                    level = min(4 + len(open_depths), 5)
                    open_depths.append(depth)
                parts.append(f"<h{level}>{_inline(lines[0])}</h{level}>")
            elif kind == "p":
                parts.append(f"<p>{' '.join(_inline(line) for line in lines)}</p>")
            else:
                items = "".join(f"<li>{_inline(item)}</li>" for item in lines if _plain(item))
                parts.append(f"<{kind}>{items}</{kind}>")
        return sanitize_html("".join(parts))


def _field_label(name: str) -> str:
    label = str(Job._meta.get_field(name).verbose_name)
    return label[:1].upper() + label[1:]


class _SheetParser:
    def __init__(self, text: str, source_name: str) -> None:
        self.lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
        self.sheet = ParsedSheet(source_name=source_name)
        self.rich = {name: _RichText() for name in RICH_FIELDS}
        self.section: str | None = None  # a rich field name or "list:<kind>"
        self.target: str | None = None  # the rich field receiving text (En bref -> study_paths...)
        self.seen_sections: set[str] = set()
        self.field_kind: str | None = None  # a `**Field:**` whose `- ` list is being read
        self.field_items = 0
        self.in_salary = False
        self.pending_heading: str | None = None  # "Salaire": written to career only if it holds more
        self.in_salary_part = False  # under Vie professionnelle's `## Salaire`
        self.salary_depth: int | None = None  # depth of its `### Salaire du débutant`, once read
        self.salary: list[str] = []
        self.synonym: dict | None = None
        self.synonyms: list[dict] = []
        self.names: dict[str, str] = {}  # the job's own feminine / masculine names
        self.salary_line: int | None = None
        self.stray_warned = False
        self.names_seen: set[str] = set()

    # -- messages

    def error(self, line: int | None, text: str) -> None:
        self.sheet.errors.append(ImportMessage(self.sheet.source_name, line, text))

    def warning(self, line: int | None, text: str) -> None:
        self.sheet.warnings.append(ImportMessage(self.sheet.source_name, line, text))

    # -- main loop

    def parse(self) -> ParsedSheet:
        title_seen = False
        for number, raw in enumerate(self.lines, start=1):
            if not raw.strip():
                self.blank()
                continue
            if not title_seen:
                title_seen = True
                if self.title(raw, number):
                    continue
            indented = raw[0] in " \t"
            content = raw.strip(" \t")
            if not indented and self.top_level(content, number):
                continue
            if self.field_kind is not None:
                if self.field_item(content, number):
                    continue
                self.field_kind = None
            self.content(content, number, indented=indented)
        if not title_seen:
            self.error(1, "fichier vide : une fiche commence par son titre « # nom du métier ».")
        self.finish()
        return self.sheet

    def title(self, raw: str, number: int) -> bool:
        match = HEADING.match(raw)
        if match and len(match["marks"]) == 1 and raw[0] == "#" and (match["text"] or "").strip():
            name = _plain(match["text"])
            if len(name) > MAX_NAME:
                self.error(number, f"titre trop long ({len(name)} caractères, {MAX_NAME} au plus).")
            self.sheet.name = name
            return True
        self.error(number, "titre manquant : la première ligne doit être « # nom du métier ».")
        return False

    def top_level(self, content: str, number: int) -> bool:
        """Fields and section headings written at the start of a line; False for anything else."""
        match = FIELD.match(content) or FIELD_COLON_OUTSIDE.match(content)
        if match:
            key = fold(match["label"])
            if key in SCALARS or key in LISTS:
                self.field_kind = None
                self.start_field(key, match["value"], number)
                return True
            return False  # bold text at the start of a paragraph
        match = HEADING.match(content)
        if match and (match["text"] or "").strip():
            self.field_kind = None
            self.heading(match["text"], len(match["marks"]), number)
            return True
        return False

    def blank(self) -> None:
        if self.field_kind is not None and self.field_items:
            self.field_kind = None  # a field's list ends at the first blank line after its items
        if self.target is not None:
            self.rich[self.target].blank()

    # -- headings and sections

    def heading(self, text: str, level: int, number: int) -> None:
        key = fold(text)
        if self.section == "career" and key in CAREER_PARTS | {SALARY_HEADING}:
            self.career_part(key, text, level)
            return
        if key in RICH_SECTIONS or key in LISTS:
            section = RICH_SECTIONS.get(key) or f"list:{LISTS[key]}"
            if section in self.seen_sections:
                self.warning(
                    number, f"section « {_plain(text)} » présente deux fois : les deux contenus sont conservés."
                )
            self.seen_sections.add(section)
            self.enter(section)
            return
        if self.section == "list:synonyms" and level >= 3:
            self.start_synonym(text, number)
            return
        target = self.target if self.is_rich(self.section) else "other_information"
        self.enter(target, keep_target=True)
        self.target = target
        self.rich[target].heading(text, level=3)
        self.warning(
            number,
            f"titre de section inconnu « {_plain(text)} » : conservé avec son texte dans « {_field_label(target)} ».",
        )

    def career_part(self, key: str, text: str, depth: int) -> None:
        """`Salaire`, `Salaire du débutant` or `Intégrer le marché du travail`, indented or not."""
        self.in_salary = key == SALARY_HEADING
        if key != SALARY_HEADING:
            self.in_salary_part = key == "salaire"
        self.salary_depth = depth if self.in_salary and self.in_salary_part else None
        if key == "salaire":
            self.pending_heading = text  # reaches career only if it holds more than the salary
        elif key != SALARY_HEADING:
            self.pending_heading = None
            self.rich["career"].heading(text, depth=0)

    def enter(self, section: str, *, keep_target: bool = False) -> None:
        self.pending_heading = None
        self.in_salary = self.in_salary_part = False
        self.salary_depth = None
        self.synonym = None
        if self.target is not None:
            self.rich[self.target].blank()
        self.section = section
        if not keep_target:
            self.target = section if self.is_rich(section) else None

    @staticmethod
    def is_rich(section: str | None) -> bool:
        return section is not None and not section.startswith("list:")

    def flush_pending(self) -> None:
        """Write the pending "Salaire" heading: content other than the salary follows it."""
        if self.pending_heading is not None:
            self.rich["career"].heading(self.pending_heading, depth=0)
            self.pending_heading = None

    # -- content lines

    def content(self, content: str, number: int, *, indented: bool) -> None:
        if self.section is not None and not self.is_rich(self.section):
            self.list_content(self.section.removeprefix("list:"), content, number)
            return
        if self.target is None:
            self.section = self.target = "other_information"
            if not self.stray_warned:
                self.warning(number, "texte hors de toute section : conservé dans « Autres informations ».")
                self.stray_warned = True
        heading = HEADING.match(content) if indented else None
        if heading and (heading["text"] or "").strip():
            self.sub_heading(heading["text"], len(heading["marks"]))
            return
        bullet = BULLET.match(content)
        numbered = None if bullet else NUMBERED.match(content)
        if self.in_salary:
            self.salary.append(bullet["text"] if bullet else content)
            self.salary_line = self.salary_line or number
            return
        self.flush_pending()
        rich = self.rich[self.target]
        if bullet:
            rich.item(bullet["text"], ordered=False)
        elif numbered:
            rich.item(numbered["text"], ordered=True)
        else:
            rich.line(content)

    def sub_heading(self, text: str, depth: int) -> None:
        key = fold(text)
        if self.section == "summary" and key == STUDY_PATHS_HEADING:
            self.rich[self.target].blank()
            self.target = "study_paths"  # the heading is the field's own title
            return
        if self.section == "career" and key in CAREER_PARTS | {SALARY_HEADING}:
            self.career_part(key, text, depth)
            return
        if self.salary_depth is not None and depth <= self.salary_depth:
            # A heading at the starting salary's level ends the Salaire part, which held nothing
            # else if "Salaire" is still pending: this is another sub-section of Vie professionnelle.
            self.pending_heading = None
            self.in_salary_part, self.salary_depth = False, None
            self.rich["career"].close_sub_headings()
        self.in_salary = False
        self.flush_pending()
        self.rich[self.target].heading(text, depth=depth)

    # -- fields

    def start_field(self, key: str, value: str, number: int) -> None:
        value = value.strip()
        if key in SCALARS:
            kind = SCALARS[key]
            if kind == "level" and not value:
                self.field_kind, self.field_items = "level", 0  # the level may come as a `- ` line
                return
            self.scalar(kind, value, number)
            return
        kind = LISTS[key]
        if kind == "synonyms":
            self.enter("list:synonyms")  # `**Autres appellations:**` reads as the section
            return
        self.field_kind, self.field_items = kind, 0
        # `**Codes ROME:** M1805, M1810` lists its codes on the line; other labels may hold commas.
        for item in re.split(r"[,;]", value) if kind == "rome" else [value]:
            if item.strip():
                self.add_item(kind, item, number)
                self.field_items += 1

    def field_item(self, content: str, number: int) -> bool:
        bullet = BULLET.match(content)
        if not bullet:
            return False
        self.add_item(self.field_kind, bullet["text"], number)
        self.field_items += 1
        return True

    def scalar(self, kind: str, value: str, number: int) -> None:
        sheet = self.sheet
        if kind == "id":
            if sheet.id_line is not None:
                self.error(number, f"identifiant donné deux fois (déjà ligne {sheet.id_line}).")
                return
            sheet.id_line = number
            sheet.onisep_id = _plain(value)
            if not JOB_ID.match(sheet.onisep_id):
                self.error(
                    number,
                    f"identifiant « {sheet.onisep_id} » invalide : attendu « MET. » suivi d’un nombre (ex. MET.8063).",
                )
        elif kind == "level":
            if sheet.access_level is not None:
                self.error(number, "niveau d’accès minimum donné deux fois.")
                return
            sheet.access_level = _label_ref(value, number)
        elif kind == "cross_sector":
            answer = fold(value)
            if answer not in {"oui", "non"}:
                self.error(number, f"« Métier transverse » attend « oui » ou « non », pas « {_plain(value)} ».")
            sheet.is_cross_sector = answer == "oui"

    # -- lists

    def list_content(self, kind: str, content: str, number: int) -> None:
        heading = HEADING.match(content)
        if kind == "synonyms" and heading and (heading["text"] or "").strip():
            self.start_synonym(heading["text"], number)
            return
        bullet = BULLET.match(content)
        if bullet:
            self.add_item(kind, bullet["text"], number)
            return
        expected = {
            "synonyms": "« ### appellation » puis « - Féminin: ... » / « - Masculin: ... »",
            "trainings": "« - intitulé (ID: FOR.123) »",
            "related": "« - nom du métier (ID: MET.123) »",
        }.get(kind, "une liste de lignes « - libellé »")
        self.error(number, f"ligne inattendue « {_short(content)} » : cette section attend {expected}.")

    def add_item(self, kind: str, text: str, number: int) -> None:
        sheet = self.sheet
        text = text.strip()
        if not _plain(text):
            self.error(number, "élément de liste vide.")
            return
        if kind == "names":
            self.gendered(self.names, text, number, owner="l’appellation du métier")
        elif kind == "synonyms":
            if self.synonym is None:
                self.error(
                    number, "forme féminine ou masculine sans appellation : ajoutez d’abord « ### appellation »."
                )
                return
            self.gendered(self.synonym, text, number, owner=f"l’appellation « {self.synonym['name']} »")
        elif kind == "level":
            self.scalar("level", text, number)
        elif kind in {"statuses", "sectors", "interests"}:
            getattr(sheet, kind).append(_label_ref(text, number))
        elif kind == "rome":
            match = ROME_ITEM.match(_plain(text))
            if not match or not ROME_CODE.match(match["code"]):
                self.error(
                    number, f"code ROME invalide « {_short(text)} » : une lettre de A à N et quatre chiffres (M1805)."
                )
                return
            sheet.rome_codes.append(RomeRef(match["code"], match["label"].strip(), number))
        elif kind == "trainings":
            match = ID_SUFFIX.match(text)
            if not match:
                self.error(
                    number, f"formation sans identifiant « {_short(text)} » : attendu « - intitulé (ID: FOR.123) »."
                )
                return
            name, onisep_id = _plain(match["label"]), _plain(match["id"])
            if not TRAINING_ID.match(onisep_id):
                self.error(
                    number, f"identifiant de formation « {onisep_id} » invalide : attendu FOR. suivi d’un nombre."
                )
            elif not name:
                self.error(number, "formation sans intitulé.")
            elif len(name) > MAX_TRAINING_NAME:
                self.error(
                    number, f"intitulé de formation trop long ({len(name)} caractères, {MAX_TRAINING_NAME} au plus)."
                )
            else:
                sheet.trainings.append(TrainingRef(onisep_id, name, number))
        elif kind == "related":
            match = ID_SUFFIX.match(text)
            name, onisep_id = (_plain(match["label"]), _plain(match["id"])) if match else (_plain(text), "")
            if onisep_id and not JOB_ID.match(onisep_id):
                self.error(
                    number, f"identifiant de métier associé « {onisep_id} » invalide : attendu MET. suivi d’un nombre."
                )
            elif not name:
                self.error(number, "métier associé sans nom.")
            elif len(name) > MAX_NAME:
                self.error(number, f"nom de métier associé trop long ({len(name)} caractères, {MAX_NAME} au plus).")
            elif name in {related.name for related in sheet.related}:
                self.error(number, f"métier associé « {name} » cité deux fois.")
            else:
                sheet.related.append(RelatedRef(onisep_id, name, number))

    def gendered(self, target: dict, text: str, number: int, *, owner: str) -> None:
        match = KEY_VALUE.match(text)
        attribute = GENDERS.get(fold(match["key"])) if match else None
        if attribute is None:
            self.error(number, f"ligne « {_short(text)} » : attendu « - Féminin: ... » ou « - Masculin: ... ».")
            return
        value = _plain(match["value"])
        if target.get(attribute):
            self.error(
                number,
                f"forme {'féminine' if attribute == 'feminine_name' else 'masculine'} de {owner} donnée deux fois.",
            )
        elif len(value) > MAX_NAME:
            self.error(number, f"appellation trop longue ({len(value)} caractères, {MAX_NAME} au plus).")
        else:
            target[attribute] = value

    def start_synonym(self, text: str, number: int) -> None:
        name = _plain(text)
        if len(name) > MAX_NAME:
            self.error(number, f"appellation trop longue ({len(name)} caractères, {MAX_NAME} au plus).")
            return
        if name in self.names_seen:
            self.error(number, f"autre appellation « {name} » donnée deux fois.")
            return
        self.names_seen.add(name)
        self.synonym = {"name": name, "feminine_name": "", "masculine_name": "", "line": number}
        self.synonyms.append(self.synonym)

    # -- end

    def finish(self) -> None:
        sheet = self.sheet
        sheet.texts = {name: rich.render() for name, rich in self.rich.items()}
        salary = _plain(" ".join(self.salary))
        if len(salary) > MAX_SALARY:
            self.error(
                self.salary_line, f"salaire du débutant trop long ({len(salary)} caractères, {MAX_SALARY} au plus)."
            )
        sheet.starting_salary = salary
        sheet.feminine_name = self.names.get("feminine_name", "")
        sheet.masculine_name = self.names.get("masculine_name", "")
        sheet.appellations = [AppellationData(**values) for values in self.synonyms]
        if sheet.id_line is None and any(line.strip() for line in self.lines):
            self.error(1, "identifiant manquant : ajoutez sous le titre une ligne « **ID:** MET.123 ».")
        if sheet.onisep_id and JOB_ID.match(sheet.onisep_id):
            for related in sheet.related:
                if related.onisep_id == sheet.onisep_id:
                    self.error(related.line, "un métier ne peut pas être associé à lui-même.")
        sheet.errors.sort(key=lambda message: message.line or 0)


def _label_ref(text: str, number: int) -> LabelRef:
    match = ID_SUFFIX.match(text)
    if match:
        return LabelRef(_plain(match["label"]), number, _plain(match["id"]))
    return LabelRef(_plain(text), number)


def _short(text: str, length: int = 60) -> str:
    text = _plain(text)
    return text if len(text) <= length else text[: length - 1] + "…"


def parse_sheet(text: str, *, source_name: str) -> ParsedSheet:
    """Read one sheet; problems go to `errors` and `warnings` (with their line), nothing is raised."""
    return _SheetParser(text, source_name).parse()


def guess_training_type(name: str) -> str:
    """'BTSA gestion et maîtrise de l'eau' -> 'BTSA'; '' when the first words say nothing."""
    words = name.lower().split()
    for size in (2, 1):
        key = " ".join(words[:size])
        if len(words) >= size and key in TRAINING_TYPES:
            return TRAINING_TYPES[key]
    return ""


# --------------------------------------------------------------------------------------------
# Files


def collect_sheet_files(paths: Iterable[str | Path], report: ImportReport) -> list[Path]:
    """`.md` files given directly or found (recursively, sorted) in the given folders."""
    found: list[Path] = []
    seen: set[Path] = set()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files = sorted(
                candidate
                for candidate in path.rglob("*")
                if candidate.suffix.lower() == ".md"
                and candidate.is_file()
                and not any(part.startswith(".") for part in candidate.relative_to(path).parts)
            )
            if not files:
                report.warnings.append(ImportMessage(str(path), None, "aucun fichier .md dans ce dossier."))
        elif path.is_file():
            if path.suffix.lower() != ".md":
                report.errors.append(ImportMessage(str(path), None, "ce n’est pas une fiche (fichier .md attendu)."))
                continue
            files = [path]
        else:
            report.errors.append(ImportMessage(str(path), None, "fichier ou dossier introuvable."))
            continue
        for file in files:
            key = file.resolve()
            if key not in seen:
                seen.add(key)
                found.append(file)
    return found


def read_sheet(path: Path, report: ImportReport) -> str | None:
    """The file's text (UTF-8), or None after recording why it cannot be read."""
    try:
        data = path.read_bytes()
    except OSError as error:
        report.errors.append(ImportMessage(str(path), None, f"fichier illisible ({error.strerror or error})."))
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        report.errors.append(
            ImportMessage(
                str(path), line, "fichier illisible : il n’est pas encodé en UTF-8 (réenregistrez-le en UTF-8)."
            )
        )
        return None


# --------------------------------------------------------------------------------------------
# Reference labels


class _References:
    """Label and identifier indexes of the reference vocabularies, loaded once per run."""

    KINDS = {
        "access_level": (AccessLevel, "niveau d’accès"),
        "statuses": (Status, "statut"),
        "sectors": (Sector, "secteur d’activité"),
        "interests": (Interest, "centre d’intérêt"),
    }

    def __init__(self) -> None:
        self.by_label: dict[str, dict[str, models.Model]] = {}
        self.by_id: dict[str, dict[str, models.Model]] = {}
        for kind, (model, _label) in self.KINDS.items():
            index = model.objects.label_index()
            self.by_label[kind] = index
            self.by_id[kind] = {record.onisep_id: record for record in index.values() if record.onisep_id}

    def resolve(self, kind: str, ref: LabelRef, sheet: ParsedSheet, errors: list[ImportMessage]) -> int | None:
        record = None
        if ref.onisep_id:
            record = self.by_id[kind].get(ref.onisep_id)
        if record is None:
            record = self.by_label[kind].get(normalize_label(ref.label))
        if record is not None:
            return record.pk
        what = self.KINDS[kind][1]
        text = f"{what} inconnu « {ref.label} »."
        close = difflib.get_close_matches(normalize_label(ref.label), list(self.by_label[kind]), n=1, cutoff=0.8)
        if close:
            text += f" Vouliez-vous dire « {self.by_label[kind][close[0]].name} » ?"
        errors.append(ImportMessage(sheet.source_name, ref.line, text))
        return None


@dataclass
class _Target:
    """The values a sheet asks for, ready to be compared with a stored job."""

    sheet: ParsedSheet
    scalars: dict[str, object]
    m2m: dict[str, set[int]]
    appellations: list[tuple[str, str, str]]
    related: list[tuple[str, str]]


def _resolve(sheet: ParsedSheet, references: _References, errors: list[ImportMessage]) -> _Target:
    level = references.resolve("access_level", sheet.access_level, sheet, errors) if sheet.access_level else None
    m2m = {
        kind: {pk for ref in getattr(sheet, kind) if (pk := references.resolve(kind, ref, sheet, errors)) is not None}
        for kind in ("statuses", "sectors", "interests")
    }
    scalars = {
        "name": sheet.name,
        "feminine_name": sheet.feminine_name,
        "masculine_name": sheet.masculine_name,
        **sheet.texts,
        "starting_salary": sheet.starting_salary,
        "access_level_id": level,
        "is_cross_sector": sheet.is_cross_sector,
    }
    return _Target(
        sheet=sheet,
        scalars=scalars,
        m2m=m2m,
        appellations=[(a.name, a.feminine_name, a.masculine_name) for a in sheet.appellations],
        related=[(r.onisep_id, r.name) for r in sheet.related],
    )


# --------------------------------------------------------------------------------------------
# Import


def import_sheets(paths: Iterable[str | Path], *, user=None, dry_run: bool = False) -> ImportReport:
    """Import the sheets found in `paths` in one transaction.

    A malformed sheet anywhere stops the run: the report then lists every problem found in every
    file and nothing is written. A sheet whose values match the stored job writes nothing.
    """
    report = ImportReport(dry_run=dry_run)
    files = collect_sheet_files(paths, report)
    report.files = [str(path) for path in files]
    sheets: list[ParsedSheet] = []
    for path in files:
        text = read_sheet(path, report)
        if text is None:
            continue
        sheet = parse_sheet(text, source_name=str(path))
        report.warnings += sheet.warnings
        report.errors += sheet.errors
        sheets.append(sheet)

    first_seen: dict[str, ParsedSheet] = {}
    for sheet in sheets:
        if not sheet.onisep_id:
            continue
        if sheet.onisep_id in first_seen:
            other = first_seen[sheet.onisep_id]
            report.errors.append(
                ImportMessage(
                    sheet.source_name,
                    sheet.id_line,
                    f"identifiant {sheet.onisep_id} déjà utilisé par {other.source_name} "
                    f"(ligne {other.id_line}) dans cet import.",
                )
            )
        else:
            first_seen[sheet.onisep_id] = sheet

    references = _References()
    targets = [_resolve(sheet, references, report.errors) for sheet in sheets]
    if report.errors:
        return report

    now = timezone.now()
    try:
        with transaction.atomic():
            _write(targets, report, now=now)
            if dry_run:
                transaction.set_rollback(True)
            else:
                report.import_run = _record(report, user)
                record_import(report.import_run, since=now)
                bump_catalogue_version()
    except IntegrityError as error:  # a safety net: the checks above should leave nothing for it
        report.created, report.updated, report.unchanged = [], [], []
        report.errors.append(ImportMessage("import", None, f"enregistrement refusé par la base de données ({error})."))
        return report
    if dry_run:
        report.import_run = _record(report, user)
    return report


def _record(report: ImportReport, user) -> ImportRun:
    return ImportRun.objects.create(
        kind=ImportKind.SHEETS,
        user=user if user is not None and user.is_authenticated else None,
        dry_run=report.dry_run,
        files=report.files,
        counts=report.counts,
        report=report.text(),
    )


M2M_FIELDS = ("rome_codes", "trainings", "statuses", "interests", "sectors")


def _write(targets: list[_Target], report: ImportReport, *, now) -> None:
    sheets = [target.sheet for target in targets]
    _add_rome_and_training_links(targets, sheets, report, now=now)

    existing = {
        job.onisep_id: job
        for job in Job.objects.filter(onisep_id__in=[sheet.onisep_id for sheet in sheets]).prefetch_related(
            Prefetch(
                "appellations",
                queryset=Appellation.objects.filter(kind=AppellationKind.SYNONYM).order_by("position", "pk"),
                to_attr="synonyms",
            ),
            Prefetch("related_links", queryset=RelatedJob.objects.order_by("position", "pk"), to_attr="related"),
            *(
                Prefetch(name, queryset=Job._meta.get_field(name).related_model.objects.only("pk"))
                for name in M2M_FIELDS
            ),
        )
    }

    new_jobs: list[Job] = []
    taken_slugs: set[str] = set()
    written: list[tuple[Job, _Target, set[str]]] = []  # job, target, parts to rewrite
    for target in targets:
        sheet = target.sheet
        job = existing.get(sheet.onisep_id)
        if job is None:
            slug = unique_slug(Job, sheet.name, taken=taken_slugs)
            taken_slugs.add(slug)
            job = Job(
                onisep_id=sheet.onisep_id,
                slug=slug,
                source=Source.SHEET,
                publication_status=PublicationStatus.PUBLISHED,
                published_at=now,
                **target.scalars,
            )
            new_jobs.append(job)
            written.append((job, target, {"appellations", "related", *M2M_FIELDS}))
            report.created.append(sheet.onisep_id)
            continue
        changed_fields = [name for name, value in target.scalars.items() if getattr(job, name) != value]
        parts = {name for name in M2M_FIELDS if {item.pk for item in getattr(job, name).all()} != target.m2m[name]}
        if [(a.name, a.feminine_name, a.masculine_name) for a in job.synonyms] != target.appellations:
            parts.add("appellations")
        if [(r.target_onisep_id, r.target_name) for r in job.related] != target.related:
            parts.add("related")
        if not changed_fields and not parts:
            report.unchanged.append(sheet.onisep_id)
            continue
        for name in changed_fields:
            setattr(job, name, target.scalars[name])
        job.save(update_fields=[*changed_fields, "updated_at"])
        written.append((job, target, parts))
        report.updated.append(sheet.onisep_id)

    Job.objects.bulk_create(new_jobs)
    _write_m2m(written)
    _write_appellations(written)
    _write_related(written, targets, report)
    if written:
        refresh_search_text([job for job, _, _ in written])


def _add_rome_and_training_links(targets: list[_Target], sheets: list[ParsedSheet], report, *, now) -> None:
    """Create the ROME codes and trainings the sheets cite and are missing; fill `target.m2m` with pks."""
    codes: dict[str, str] = {}
    for sheet in sheets:
        for ref in sheet.rome_codes:
            codes.setdefault(ref.code, ref.label)
    rome = dict(RomeCode.objects.filter(code__in=codes).values_list("code", "pk"))
    missing = [RomeCode(code=code, label=label[:255]) for code, label in codes.items() if code not in rome]
    RomeCode.objects.bulk_create(missing)
    rome.update((code.code, code.pk) for code in missing)
    report.rome_codes_created = len(missing)

    cited: dict[str, str] = {}
    for sheet in sheets:
        for ref in sheet.trainings:
            cited.setdefault(ref.onisep_id, ref.name)
    trainings = dict(Training.objects.filter(onisep_id__in=cited).values_list("onisep_id", "pk"))
    taken: set[str] = set()
    new_trainings = []
    for onisep_id, name in cited.items():
        if onisep_id in trainings:
            continue  # an existing training is linked, never renamed by a sheet
        slug = unique_slug(Training, name, taken=taken)
        taken.add(slug)
        new_trainings.append(
            Training(
                onisep_id=onisep_id,
                name=name,
                slug=slug,
                has_sheet=True,
                type_acronym=guess_training_type(name),
                source=Source.SHEET,
                publication_status=PublicationStatus.PUBLISHED,
                published_at=now,
            )
        )
    Training.objects.bulk_create(new_trainings)
    trainings.update((training.onisep_id, training.pk) for training in new_trainings)
    report.trainings_created = len(new_trainings)

    for target in targets:
        target.m2m["rome_codes"] = {rome[ref.code] for ref in target.sheet.rome_codes}
        target.m2m["trainings"] = {trainings[ref.onisep_id] for ref in target.sheet.trainings}


def _write_m2m(written: list[tuple[Job, _Target, set[str]]]) -> None:
    """One delete and one insert per relation for all the jobs whose set changed."""
    for name in M2M_FIELDS:
        jobs = [(job, target) for job, target, parts in written if name in parts]
        if not jobs:
            continue
        relation = Job._meta.get_field(name)
        through = relation.remote_field.through
        job_column = f"{relation.m2m_field_name()}_id"
        other_column = f"{relation.m2m_reverse_field_name()}_id"
        through.objects.filter(**{f"{job_column}__in": [job.pk for job, _ in jobs]}).delete()
        through.objects.bulk_create(
            through(**{job_column: job.pk, other_column: pk}) for job, target in jobs for pk in sorted(target.m2m[name])
        )


def _write_appellations(written: list[tuple[Job, _Target, set[str]]]) -> None:
    jobs = [(job, target) for job, target, parts in written if "appellations" in parts]
    if not jobs:
        return
    job_ids = [job.pk for job, _ in jobs]
    Appellation.objects.filter(job_id__in=job_ids, kind=AppellationKind.SYNONYM).delete()
    # A synonym supersedes a search-only title of the same name (names are unique per job).
    wanted = {(job.pk, name) for job, target in jobs for name, _, _ in target.appellations}
    clashes = [
        appellation.pk
        for appellation in Appellation.objects.filter(job_id__in=job_ids).only("pk", "job_id", "name")
        if (appellation.job_id, appellation.name) in wanted
    ]
    if clashes:
        Appellation.objects.filter(pk__in=clashes).delete()
    Appellation.objects.bulk_create(
        Appellation(
            job=job,
            name=name,
            feminine_name=feminine,
            masculine_name=masculine,
            kind=AppellationKind.SYNONYM,
            position=position,
        )
        for job, target in jobs
        for position, (name, feminine, masculine) in enumerate(target.appellations)
    )


def _write_related(written: list[tuple[Job, _Target, set[str]]], targets: list[_Target], report: ImportReport) -> None:
    """Rewrite the related jobs that changed, then link the dangling rows whose target now exists."""
    jobs = [(job, target) for job, target, parts in written if "related" in parts]
    ids = {target.sheet.onisep_id for target in targets}
    ids |= {onisep_id for target in targets for onisep_id, _ in target.related if onisep_id}
    known = dict(Job.objects.filter(onisep_id__in=ids).values_list("onisep_id", "pk"))
    if jobs:
        RelatedJob.objects.filter(job_id__in=[job.pk for job, _ in jobs]).delete()
        RelatedJob.objects.bulk_create(
            RelatedJob(
                job=job,
                target_id=known.get(onisep_id) if known.get(onisep_id) != job.pk else None,
                target_onisep_id=onisep_id,
                target_name=name,
                position=position,
            )
            for job, target in jobs
            for position, (onisep_id, name) in enumerate(target.related)
        )
    # Rows written by earlier runs (or by other imports) that were waiting for one of these jobs.
    dangling = [
        row
        for row in RelatedJob.objects.filter(target__isnull=True, target_onisep_id__in=known).only(
            "pk", "job_id", "target_onisep_id"
        )
        if known.get(row.target_onisep_id) not in (None, row.job_id)
    ]
    for row in dangling:
        row.target_id = known[row.target_onisep_id]
    RelatedJob.objects.bulk_update(dangling, ["target"])
    report.related_linked = len(dangling)
