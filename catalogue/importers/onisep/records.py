"""One XML record (`<metier>`, `<formation>`) turned into a compact, validated record.

Every element of the export has a home here: a model field, a related record, or the `details`
JSON of the record for the less used ones. Values are checked against the database's rules
(identifier formats, lengths, unique labels) so that a bad record stops the import before any write,
with the element named.
"""

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from catalogue.models import AccessLevel, Job, JobResource, RelatedJob, ResourceKind, Training
from catalogue.models.base import onisep_id_regex
from catalogue.text import fold

from .cleaning import clean_html, extract_salary, one_line, split_en_bref
from .errors import RecordError

ROME_CODE = re.compile(r"^[A-N][0-9]{4}$")
_ID_PATTERNS = {
    prefix: re.compile(onisep_id_regex(re.escape(prefix))) for prefix in ("MET", "FOR", "REF", "T-ITM", "T-IDEO2")
}
_url_validator = URLValidator(schemes=["http", "https"])
_LOOKS_LIKE_URL = re.compile(r"^https?://\S+$", re.IGNORECASE)
_FRENCH_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


@dataclass(slots=True, frozen=True)
class Ref:
    """A reference to another record: its ONISEP identifier and the label the export gives it."""

    onisep_id: str
    label: str


@dataclass(slots=True)
class JobRecord:
    onisep_id: str
    values: dict[str, Any]  # model field -> value (names, texts, salary, cross-sector flag, details)
    level: Ref | None
    rome_codes: list[str]
    trainings: list[Ref]
    statuses: list[Ref]
    interests: list[Ref]
    sectors: list[Ref]
    appellations: list[tuple[str, str, str]]  # (name, feminine, masculine)
    related: list[Ref]
    resources: list[tuple[str, str, str, str]]  # (kind, title, url, comment)
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (element, message)


@dataclass(slots=True)
class TrainingRecord:
    onisep_id: str
    values: dict[str, Any]
    level: Ref | None
    jobs: list[Ref] = field(default_factory=list)


# --- Helpers ----------------------------------------------------------------------------------------


def _text(element: ET.Element, path: str) -> str:
    return one_line(element.findtext(path))


def _max_length(model, name: str) -> int | None:
    return model._meta.get_field(name).max_length


def _checked(value: str, model, name: str, element: str) -> str:
    limit = _max_length(model, name)
    if limit is not None and len(value) > limit:
        raise RecordError(
            element, f"valeur trop longue ({len(value)} caractères, {limit} au plus) : « {value[:60]}… »."
        )
    return value


def _onisep_id(value: str, prefix: str, element: str) -> str:
    if not _ID_PATTERNS[prefix].match(value):
        raise RecordError(element, f"identifiant invalide « {value} » (attendu {prefix}. suivi d’un nombre).")
    return value


def _refs(
    element: ET.Element, path: str, prefix: str, *, label_tag: str = "libelle", label_max: int = 255
) -> list[Ref]:
    """The (id, label) items of a list element, once each; `label_max` is the column's length."""
    refs: dict[str, Ref] = {}
    for item in element.iterfind(path):
        onisep_id = _text(item, "id")
        label = _text(item, label_tag)
        if not onisep_id and not label:
            continue  # an empty container (<metier />)
        if len(label) > label_max:
            raise RecordError(
                f"{path}/{label_tag}", f"libellé trop long ({len(label)} caractères, {label_max} au plus)."
            )
        where = f"{path}/id"
        if not onisep_id:
            raise RecordError(where, f"identifiant manquant pour « {label} ».")
        refs.setdefault(_onisep_id(onisep_id, prefix, where), Ref(onisep_id, label))
    return list(refs.values())


def _level(element: ET.Element, path: str) -> Ref | None:
    onisep_id = _text(element, f"{path}/id")
    if not onisep_id:
        return None
    label = _checked(_text(element, f"{path}/libelle"), AccessLevel, "name", f"{path}/libelle")
    return Ref(_onisep_id(onisep_id, "REF", f"{path}/id"), label)


def _identifier(element: ET.Element, prefix: str) -> str:
    onisep_id = _text(element, "identifiant")
    if not onisep_id:
        raise RecordError("identifiant", "identifiant manquant.")
    return _onisep_id(onisep_id, prefix, "identifiant")


def _required(value: str, element: str) -> str:
    if not value:
        raise RecordError(element, "valeur obligatoire manquante.")
    return value


def _url(value: str) -> str:
    """`value` if it is an http(s) address (as URLField would accept it), else ''."""
    if not _LOOKS_LIKE_URL.match(value):  # the cheap test first: URLValidator is slow on thousands of values
        return ""
    try:
        _url_validator(value)
    except ValidationError:
        return ""
    return value


def _iso_date(value: str) -> str:
    """'08/04/2024' -> '2024-04-08'; anything else is kept as written."""
    match = _FRENCH_DATE.match(value)
    if match is None:
        return value
    day, month, year = match.groups()
    try:
        return date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return value


def _publications(element: ET.Element) -> list[dict[str, str]]:
    publications = []
    for item in element.iterfind("publications/publication"):
        publication = {
            "title": _text(item, "titre_publication"),
            "publisher": _text(item, "editeur"),
            "collection": _text(item, "collection"),
            "year": _text(item, "annee"),
            "isbn": _text(item, "code_librairie"),
        }
        if publication["title"]:
            publications.append(publication)
    return publications


def _compact(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value not in ("", [], {}, None)}


# --- Jobs ---------------------------------------------------------------------------------------------


def _en_bref(element: ET.Element) -> tuple[str, str, list[dict[str, str]]]:
    """(short description HTML, its label, the other short formats).

    2024 exports list typed short formats and "Dico des métiers" is En bref; newer exports have a
    single `format_court` (inside `formats_courts` or directly under `metier`, its text in a
    `descriptif` or in itself).
    """
    formats = element.findall("formats_courts/format_court") + element.findall("format_court")
    typed = [item for item in formats if fold(item.findtext("type") or "") == "dico des metiers"]
    chosen = typed[0] if typed else (formats[0] if len(formats) == 1 else None)

    def text_of(item: ET.Element) -> str:
        descriptif = item.find("descriptif")
        return clean_html(descriptif.text if descriptif is not None else item.text)

    others = [
        _compact({"type": _text(item, "type"), "label": _text(item, "libelle"), "text": text_of(item)})
        for item in formats
        if item is not chosen
    ]
    if chosen is None:
        return "", "", [other for other in others if other]
    return text_of(chosen), _text(chosen, "libelle"), [other for other in others if other]


def _appellations(element: ET.Element) -> list[tuple[str, str, str]]:
    appellations: dict[str, tuple[str, str, str]] = {}
    for item in element.iterfind("synonymes/synonyme"):
        feminine, masculine = _text(item, "libelle_feminin"), _text(item, "libelle_masculin")
        name = _text(item, "nom_metier") or masculine or feminine
        if not name:
            continue
        for value, field_name in ((name, "name"), (feminine, "feminine_name"), (masculine, "masculine_name")):
            _checked(value, Job, field_name, "synonymes/synonyme")
        appellations.setdefault(name, (name, feminine, masculine))  # the database keeps one per name
    return list(appellations.values())


def _related(element: ET.Element, job_id: str) -> list[Ref]:
    related = _refs(element, "metiers_associes/metier_associe", "MET")
    labels: set[str] = set()
    for ref in related:
        where = "metiers_associes/metier_associe"
        if ref.onisep_id == job_id:
            raise RecordError(where, "un métier ne peut pas être associé à lui-même.")
        if not ref.label:
            continue  # ONISEP leaves some labels empty: the import names the link after its target
        _checked(ref.label, RelatedJob, "target_name", f"{where}/libelle")
        if ref.label in labels:
            raise RecordError(where, f"deux métiers associés portent le même libellé « {ref.label} ».")
        labels.add(ref.label)
    return related


def _resources(element: ET.Element) -> list[tuple[str, str, str, str]]:
    resources = []
    for publication in _publications(element):
        comment = ", ".join(
            part
            for part in (
                publication["publisher"],
                f"collection {publication['collection']}" if publication["collection"] else "",
                publication["year"],
                f"ISBN {publication['isbn']}" if publication["isbn"] else "",
            )
            if part
        )
        title = _checked(publication["title"], JobResource, "title", "publications/publication/titre_publication")
        resources.append((ResourceKind.PUBLICATION.value, title, "", comment))
    for item in element.iterfind("sources_numeriques/source"):
        value = _text(item, "valeur") if len(item) else one_line(item.text)
        comment = _text(item, "commentaire")
        if not value and not comment:
            continue
        url = _checked(_url(value), JobResource, "url", "sources_numeriques/source/valeur")
        title = re.sub(r"^https?://", "", value).rstrip("/") if url else value or comment
        title = _checked(title, JobResource, "title", "sources_numeriques/source/valeur")
        resources.append((ResourceKind.ONLINE.value, title, url, comment))
    return resources


def parse_job(element: ET.Element) -> JobRecord:
    onisep_id = _identifier(element, "MET")
    values: dict[str, Any] = {
        "name": _checked(_required(_text(element, "nom_metier"), "nom_metier"), Job, "name", "nom_metier"),
        "feminine_name": _checked(_text(element, "libelle_feminin"), Job, "feminine_name", "libelle_feminin"),
        "masculine_name": _checked(_text(element, "libelle_masculin"), Job, "masculine_name", "libelle_masculin"),
        "presentation": clean_html(element.findtext("accroche_metier")),
        "nature_of_work": clean_html(element.findtext("nature_travail")),
        "skills": clean_html(element.findtext("competences")),
        "working_conditions": clean_html(element.findtext("condition_travail")),
        "access": clean_html(element.findtext("acces_metier")),
    }
    en_bref, en_bref_label, other_formats = _en_bref(element)
    values["summary"], values["study_paths"] = split_en_bref(en_bref)
    values["career"], salary = extract_salary(clean_html(element.findtext("vie_professionnelle")))
    values["starting_salary"] = _checked(salary, Job, "starting_salary", "vie_professionnelle")
    values["is_cross_sector"] = fold(_text(element, "secteurs_activite/metier_transverse")) == "oui"
    values["details"] = _compact({"en_bref_label": en_bref_label, "other_short_formats": other_formats})

    rome_codes, warnings = [], []
    for item in element.iterfind("romesV3/romeV3"):
        code = one_line(item.text).upper()
        if code and not ROME_CODE.match(code):
            # The 2024 export has one ("A15"): a source typo that should not stop a national import.
            warnings.append(
                ("romesV3/romeV3", f"code ROME invalide « {code} » ignoré (une lettre et quatre chiffres).")
            )
        elif code and code not in rome_codes:
            rome_codes.append(code)

    trainings = _refs(
        element, "formations_min_requise/formation_min_requise", "FOR", label_max=_max_length(Training, "name")
    )
    return JobRecord(
        onisep_id=onisep_id,
        values=values,
        level=_level(element, "niveau_acces_min"),
        rome_codes=rome_codes,
        trainings=trainings,
        statuses=_refs(element, "statuts/statut", "T-ITM"),
        interests=_refs(element, "centres_interet/centre_interet", "T-IDEO2"),
        sectors=_refs(element, "secteurs_activite/secteur_activite", "T-IDEO2"),
        appellations=_appellations(element),
        related=_related(element, onisep_id),
        resources=_resources(element),
        warnings=warnings,
    )


# --- Trainings ----------------------------------------------------------------------------------------

_TRAINING_PLAIN = {
    # model field: element
    "code_scolarite": "code_scolarite",
    "acronym": "sigle",
    "generic_label": "libelle_generique",
    "specific_label": "libelle_specifique",
    "option_type": "type_option",
    "type_acronym": "type_Formation/type_formation_sigle",
    "type_short_label": "type_Formation/type_formation_libelle_court",
    "type_label": "type_Formation/type_formation_libelle",
    "duration": "duree_formation",
    "certification_level": "niveau_certification",
    "ministry": "sous_tutelle",
    "nsf_discipline_code": "nsf_discipline/NSF_discipline_code",
    "nsf_discipline_label": "nsf_discipline/NSF_discipline_libelle",
    "nsf_function_code": "nsf_fonction/NSF_fonction_code",
    "nsf_function_label": "nsf_fonction/NSF_fonction_libelle",
}
_TRAINING_HTML = {
    "description": "descriptif_format_court",
    "access": "descriptif_acces",
    "expectations": "attendus",
    "further_studies": "descriptif_poursuite_etudes",
}


def parse_training(element: ET.Element) -> TrainingRecord:
    onisep_id = _identifier(element, "FOR")
    name = _required(_text(element, "libelle_complet"), "libelle_complet")
    values: dict[str, Any] = {"name": _checked(name, Training, "name", "libelle_complet")}
    for model_field, path in _TRAINING_PLAIN.items():
        values[model_field] = _checked(_text(element, path), Training, model_field, path)
    natures = [one_line(item.text) for item in element.iterfind("nature_certificat/libelle_nature_certificat")]
    values["certificate_nature"] = _checked(
        " ; ".join(nature for nature in natures if nature), Training, "certificate_nature", "nature_certificat"
    )
    raw_url = _text(element, "url")
    values["url"] = _checked(_url(raw_url), Training, "url", "url")
    for model_field, path in _TRAINING_HTML.items():
        values[model_field] = clean_html(element.findtext(path))

    groups, options = [], []
    for group in element.iterfind("poursuites_etudes/poursuite_etudes"):
        labels = [one_line(item.text) for item in group.iterfind("formation_poursuite_Etudes")]
        labels = [label for label in labels if label]
        groups.append(_compact({"type": _text(group, "type_Poursuite"), "trainings": labels}))
        options += [label for label in labels if label not in options]
    values["further_study_options"] = options
    values["details"] = _compact(
        {
            "niv_code": _text(element, "niv_code"),
            "first_session_year": _text(element, "annee_premiere_session"),
            "last_session_year": _text(element, "annee_derniere_session"),
            "created_on": _iso_date(_text(element, "creation_date")),
            "modified_on": _iso_date(_text(element, "modification_date")),
            "invalid_url": raw_url if raw_url and not values["url"] else "",
            "teaching_elements": [
                label
                for item in element.iterfind("element_enseignement/element_enseignement_libelle")
                if (label := one_line(item.text))
            ],
            "further_study_groups": [group for group in groups if group.get("type") or group.get("trainings")],
            "web_subdomains": [
                _compact({"id": _text(item, "id"), "label": _text(item, "libelle")})
                for item in element.iterfind("sous_domaines_web/sous_domaine_web")
                if _text(item, "id") or _text(item, "libelle")
            ],
            "publications": _publications(element),
            "online_sources": [
                _compact({"url": _text(item, "valeur"), "comment": _text(item, "commentaire")})
                if len(item)
                else {"url": one_line(item.text)}
                for item in element.iterfind("sources_numeriques/source")
                if one_line(item.text) or len(item)
            ],
        }
    )
    jobs = _refs(element, "metiers_formation/metier", "MET", label_tag="nom_metier")
    return TrainingRecord(onisep_id=onisep_id, values=values, level=_level(element, "niveau_etudes"), jobs=jobs)
