"""The one HTML allow-list of the catalogue.

The admin's rich-text editor (django-prose-editor) offers exactly these elements, and every import
(sheets, ONISEP, spreadsheets) cleans its HTML with `sanitize_html` before it is stored. Public
templates may then render stored rich text with `|safe`: nothing else ever reaches those columns.
"""

import nh3

ALLOWED_TAGS = {"p", "br", "h3", "h4", "h5", "ul", "ol", "li", "strong", "em", "b", "i", "a"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}

# The editor's extensions, kept in step with ALLOWED_TAGS.
EDITOR_EXTENSIONS = {
    "Bold": True,
    "Italic": True,
    "Heading": {"levels": [3, 4, 5]},
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "HardBreak": True,
    "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto"]},
}

_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    url_schemes=ALLOWED_URL_SCHEMES,
    link_rel="noopener noreferrer nofollow",
    strip_comments=True,
)


def sanitize_html(value: str | None) -> str:
    """Clean `value` down to the allow-list; an empty editor paragraph becomes ''."""
    if not value:
        return ""
    cleaned = _cleaner.clean(value).strip()
    if cleaned in {"<p></p>", "<p><br></p>"}:
        return ""
    return cleaned
