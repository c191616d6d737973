"""Text of the ONISEP export made fit for the catalogue.

ONISEP writes its HTML either in CDATA sections or entity-escaped; once the XML parser has read it,
both are the same markup, except in exports that escape it twice (then it is unescaped once more).
Every fragment goes through the catalogue's one allow-list (`sanitize_html`), then loses the
indentation of the XML file and its empty paragraphs. Non-breaking spaces stay real U+00A0
characters (not `&nbsp;`) and both apostrophe styles are kept as written.
"""

import html
import re

from catalogue.sanitize import sanitize_html
from catalogue.text import fold

# C0/C1 control characters (ONISEP has a stray U+0081); tabs and newlines are kept.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_BLOCK_TAG = re.compile(r"\s*(</?(?:p|h[3-5]|ul|ol|li)>|<br>)\s*")
_BLOCK_END = re.compile(r"(</(?:p|h[3-5]|ul|ol|li)>|<(?:ul|ol)>)")
_LIST_END = re.compile(r"\n(</(?:li|ul|ol)>)")
_EMPTY_BLOCK = re.compile(r"<(p|h[3-5]|li)>(?:\s|<br>)*</\1>")
_TAG = re.compile(r"<[^>]+>")
_ANY_SPACE = re.compile(r"\s+")
# Anything but single ordinary spaces between words: runs, tabs, newlines, non-breaking spaces, controls.
_UNUSUAL_SPACE = re.compile(r"\s\s|[^\S ]|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_HEADING_OR_PARAGRAPH = re.compile(r"<(h[3-5]|p)>(.*?)</\1>\s*", re.S)
_SALARY_HEADING = re.compile(r"^salaire (?:du |de )?debutant$")
_STUDY_PATHS_HEADING = "duree des etudes"


def one_line(value: str | None) -> str:
    """A one-line value: entities decoded, runs of spaces collapsed.

    A run made only of non-breaking spaces stays one non-breaking space ("Bac\u00a0+\u00a02");
    a run that mixes them with ordinary white space becomes one ordinary space.
    """
    if not value:
        return ""
    value = value.strip()
    if "&" in value:
        value = html.unescape(value)
    if _UNUSUAL_SPACE.search(value):
        value = _ANY_SPACE.sub(_collapse, _CONTROL.sub("", value)).strip()
    return value


def _collapse(match: re.Match) -> str:
    run = match.group(0)
    return "\u00a0" if run.count("\u00a0") == len(run) else " "


def clean_html(value: str | None) -> str:
    """An ONISEP HTML fragment cleaned by the catalogue's allow-list, tidy and stable."""
    if not value or not value.strip():
        return ""
    if "<" not in value and "&lt;" in value:  # escaped twice: unescape once more
        value = html.unescape(value)
    value = sanitize_html(_CONTROL.sub("", value))
    value = value.replace("&nbsp;", "\u00a0")
    value = _BLOCK_TAG.sub(r"\1", value)
    previous = None
    while previous != value:  # <li><p> </p></li> empties its <li> too
        previous, value = value, _EMPTY_BLOCK.sub("", value)
    return _LIST_END.sub(r"\1", _BLOCK_END.sub("\\1\n", value)).strip()


def plain_text(fragment: str) -> str:
    """The visible text of an HTML fragment, on one line."""
    return one_line(_TAG.sub(" ", fragment))


def text_key(value: str | None) -> str:
    """What a reader sees of a text: markup, entities, apostrophe styles and spacing set aside.

    Used to tell whether a rich-text field was really edited: the admin's editor may serialise the
    same text with other markup or spacing than the import wrote.
    """
    if not value:
        return ""
    text = html.unescape(_TAG.sub(" ", value)).replace("’", "'")
    return " ".join(text.split())


def split_en_bref(fragment: str) -> tuple[str, str]:
    """Split the cleaned "Dico des métiers" text into (summary, study paths).

    The study paths are what follows the "Durée des études" heading (the heading itself is dropped:
    the job page has its own).
    """
    for match in _HEADING_OR_PARAGRAPH.finditer(fragment):
        if match.group(1).startswith("h") and fold(plain_text(match.group(2))) == _STUDY_PATHS_HEADING:
            return fragment[: match.start()].strip(), fragment[match.end() :].strip()
    return fragment, ""


def extract_salary(fragment: str) -> tuple[str, str]:
    """Take the beginner's salary out of the cleaned "vie professionnelle" text.

    Returns (career, starting salary). The salary is the first paragraph after a heading (or a
    paragraph used as a heading) reading "Salaire du débutant" / "Salaire débutant"; that heading and
    paragraph leave the career text, since the job page shows the salary on its own. A salary heading
    with nothing under it goes too, and so does a "Salaire" section left empty. Any further paragraph
    about pay stays in the career text.
    """
    blocks = list(_HEADING_OR_PARAGRAPH.finditer(fragment))

    def adjacent(index: int, position: int) -> re.Match | None:
        block = blocks[index] if 0 <= index < len(blocks) else None
        return block if block is not None and block.start() == position else None

    for index, match in enumerate(blocks):
        if not _SALARY_HEADING.match(fold(plain_text(match.group(2)))):
            continue
        following = adjacent(index + 1, match.end())
        if following is not None and following.group(1) == "p":
            salary, end, next_index = plain_text(following.group(2)), following.end(), index + 2
        else:
            salary, end, next_index = "", match.end(), index + 1
        start = match.start()
        before = blocks[index - 1] if index and blocks[index - 1].end() == start else None
        after = adjacent(next_index, end)
        section_emptied = (
            before is not None
            and before.group(1) == "h3"
            and fold(plain_text(before.group(2))) == "salaire"
            and (end == len(fragment) or (after is not None and after.group(1) == "h3"))
        )
        if section_emptied:
            start = before.start()
        return (fragment[:start] + fragment[end:]).strip(), salary
    return fragment, ""
