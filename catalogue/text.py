"""Text helpers shared by imports, search and filters.

`fold` is the one normalisation of the catalogue: what a label or a query looks like once case,
accents, ligatures, apostrophe styles, hyphens and inclusive-writing marks are set aside. Labels of
reference records are matched on it, and the search column is built from it.
"""

import re
import unicodedata

_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss"})
# Apostrophes, hyphens, slashes, middle dots (inclusive writing) and other punctuation become spaces.
_NON_WORD = re.compile(r"[^0-9a-z]+")


def fold(value: str) -> str:
    """Lower-case ASCII words separated by single spaces.

    >>> fold("  Infirmier·ère d’État ")
    'infirmier ere d etat'
    """
    if not value:
        return ""
    value = value.translate(_LIGATURES)
    value = unicodedata.normalize("NFKD", value)
    value = "".join(char for char in value if not unicodedata.combining(char))
    return _NON_WORD.sub(" ", value.lower()).strip()


def normalize_label(value: str) -> str:
    """Key used to match a reference record by its label (interest, status, level, sector)."""
    return fold(value)


def clean_spaces(value: str) -> str:
    """Collapse runs of white space (including non-breaking spaces) for one-line values."""
    return " ".join((value or "").replace("\u00a0", " ").split())
