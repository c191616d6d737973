"""The fields an ONISEP import writes, and the rule that keeps counsellors' local edits.

`Job.onisep_snapshot` / `Training.onisep_snapshot` hold, field by field, the value ONISEP gave in the
last import. For each field:

- the current value equals ONISEP's new value: nothing to do;
- the current value equals the snapshot (nobody edited it): ONISEP's value is written;
- ONISEP's value equals the snapshot (ONISEP did not change it): the local edit is kept silently;
- both changed: the local edit is kept and an ImportConflict lets counsellors decide.

A field missing from the snapshot (a record that came from a sheet or a counsellor, never imported
from ONISEP) is written when empty or when it says the same thing; otherwise its team text
(`Spec.text`) is kept and reported as a conflict, while the structured fields (names, level, lists)
take ONISEP's value. Sets of links (trainings, interests...) never conflict: they are merged three
ways (ONISEP's additions and removals applied to the local set).
"""

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from .cleaning import text_key


class Kind(StrEnum):
    PLAIN = "plain"  # one-line text
    HTML = "html"  # rich text
    VALUE = "value"  # boolean, JSON
    FK = "fk"  # a reference record, compared by ONISEP id
    SET = "set"  # many-to-many links, compared by ONISEP id
    LIST = "list"  # child rows (appellations, related jobs, resources), compared as ordered lists


class Decision(StrEnum):
    SAME = "same"
    WRITE = "write"
    KEEP = "keep"
    CONFLICT = "conflict"


@dataclass(frozen=True)
class Spec:
    name: str  # model field (or child relation), snapshot key and ImportConflict.field
    label: str  # French, for reports and the admin
    kind: Kind
    text: bool = False  # the team's own text on a record never imported from ONISEP


JOB_SPECS = [
    Spec("name", "nom générique", Kind.PLAIN),
    Spec("feminine_name", "appellation au féminin", Kind.PLAIN),
    Spec("masculine_name", "appellation au masculin", Kind.PLAIN),
    Spec("presentation", "présentation", Kind.HTML, text=True),
    Spec("summary", "en bref", Kind.HTML, text=True),
    Spec("study_paths", "durée des études", Kind.HTML, text=True),
    Spec("nature_of_work", "nature du travail", Kind.HTML, text=True),
    Spec("skills", "compétences requises", Kind.HTML, text=True),
    Spec("working_conditions", "conditions de travail", Kind.HTML, text=True),
    Spec("career", "vie professionnelle", Kind.HTML, text=True),
    Spec("starting_salary", "salaire du débutant", Kind.PLAIN, text=True),
    Spec("access", "accès au métier", Kind.HTML, text=True),
    Spec("access_level", "niveau d’accès minimum", Kind.FK),
    Spec("is_cross_sector", "métier transverse", Kind.VALUE),
    Spec("details", "autres informations ONISEP", Kind.VALUE),
]
JOB_SET_SPECS = [
    Spec("rome_codes", "codes ROME", Kind.SET),
    Spec("trainings", "formations recommandées", Kind.SET),
    Spec("statuses", "statuts", Kind.SET),
    Spec("interests", "centres d’intérêt", Kind.SET),
    Spec("sectors", "secteurs d’activité", Kind.SET),
]
JOB_LIST_SPECS = [
    Spec("appellations", "autres appellations", Kind.LIST),
    Spec("related_jobs", "métiers associés", Kind.LIST),
    Spec("resources", "publications et sources en ligne", Kind.LIST),
]
TRAINING_SPECS = [
    Spec("name", "intitulé complet", Kind.PLAIN),
    Spec("code_scolarite", "code scolarité", Kind.PLAIN),
    Spec("acronym", "sigle", Kind.PLAIN),
    Spec("generic_label", "libellé générique", Kind.PLAIN),
    Spec("specific_label", "libellé spécifique", Kind.PLAIN),
    Spec("option_type", "type d’option", Kind.PLAIN),
    Spec("type_acronym", "type (sigle)", Kind.PLAIN),
    Spec("type_short_label", "type (libellé court)", Kind.PLAIN),
    Spec("type_label", "type (libellé)", Kind.PLAIN),
    Spec("duration", "durée", Kind.PLAIN),
    Spec("level", "niveau d’études", Kind.FK),
    Spec("certification_level", "niveau de certification", Kind.PLAIN),
    Spec("certificate_nature", "nature du certificat", Kind.PLAIN),
    Spec("url", "adresse de référence", Kind.PLAIN),
    Spec("ministry", "ministère de tutelle", Kind.PLAIN),
    Spec("nsf_discipline_code", "code NSF (discipline)", Kind.PLAIN),
    Spec("nsf_discipline_label", "NSF (discipline)", Kind.PLAIN),
    Spec("nsf_function_code", "code NSF (fonction)", Kind.PLAIN),
    Spec("nsf_function_label", "NSF (fonction)", Kind.PLAIN),
    Spec("description", "descriptif", Kind.HTML, text=True),
    Spec("access", "accès à la formation", Kind.HTML, text=True),
    Spec("expectations", "attendus Parcoursup", Kind.HTML, text=True),
    Spec("further_studies", "poursuite d’études", Kind.HTML, text=True),
    Spec("further_study_options", "poursuites d’études possibles", Kind.VALUE),
    Spec("details", "autres informations ONISEP", Kind.VALUE),
]
# A training that jobs name but that has no sheet in the trainings file: only its label.
PLACEHOLDER_SPECS = [TRAINING_SPECS[0]]

SPECS_BY_MODEL = {
    "job": {spec.name: spec for spec in JOB_SPECS + JOB_SET_SPECS + JOB_LIST_SPECS},
    "training": {spec.name: spec for spec in TRAINING_SPECS},
}


def _empty(value: Any) -> bool:
    return value in ("", None, [], {}, False)


def _equivalent(spec: Spec, one: Any, other: Any) -> bool:
    if one == other:
        return True
    return spec.kind is Kind.HTML and text_key(one) == text_key(other)


def decide(spec: Spec, current: Any, new: Any, snapshot: dict[str, Any]) -> Decision:
    """What to do with one field (see the module docstring)."""
    if current == new:
        return Decision.SAME
    if spec.name not in snapshot:
        if _empty(current) or _equivalent(spec, current, new) or not spec.text:
            return Decision.WRITE
        return Decision.CONFLICT
    previous = snapshot[spec.name]
    if _equivalent(spec, current, previous):  # not edited (the editor may only have re-serialised it)
        return Decision.WRITE
    if new == previous:
        return Decision.KEEP
    return Decision.CONFLICT


def merge_set(current: set[str], new: set[str], previous: list[str] | None) -> set[str]:
    """ONISEP's additions and removals since `previous` applied to the local set.

    Without a previous value (a record never imported), nothing local is removed.
    """
    before = set(previous or ())
    return (current - (before - new)) | (new - before)
