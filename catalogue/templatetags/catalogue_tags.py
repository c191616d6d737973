"""Template filters of the public pages."""

import html
import re

from django import template
from django.utils.html import strip_tags
from django.utils.text import Truncator

from catalogue.text import clean_spaces

register = template.Library()

# Block-level tags of the rich-text allow-list: their edges separate words.
_BLOCK_EDGE = re.compile(r"</?(?:p|br|li|ul|ol|h[1-6])\b[^>]*>", re.IGNORECASE)


@register.filter
def plain_excerpt(value: str, words: int = 30) -> str:
    """The first `words` words of stored rich text, as plain text (for result cards)."""
    text = html.unescape(strip_tags(_BLOCK_EDGE.sub(" ", value or "")))
    return Truncator(clean_spaces(text)).words(int(words), truncate="…")


@register.filter
def counted(count: int, forms: str) -> str:
    """'23 métiers', '1 métier', '0 métier': French puts 0 and 1 in the singular.

    `forms` is "singular,plural" ("métier,métiers", "fiche métier,fiches métiers").
    """
    singular, _, plural = forms.partition(",")
    return f"{count} {singular if abs(count) < 2 else plural or singular}"


_HEADING_TAG = re.compile(r"<(/?)h[1-6]\b", re.IGNORECASE)


@register.filter
def flat_headings(value: str) -> str:
    """Headings of stored rich text as h3, sub-headings of the section's h2.

    ONISEP writes h4 and h5 in any order (an h5 "Durée des études" before an h4 "Après le bac"): shown
    as they are, they would skip levels under the page's h2. The value stays unsafe: follow with |safe.
    """
    return _HEADING_TAG.sub(r"<\1h3", value or "")


@register.filter
def web_address(value: str) -> str:
    """`value` when it is an http(s) address, '' otherwise (a stored `javascript:` never becomes a link)."""
    value = (value or "").strip()
    return value if value.lower().startswith(("https://", "http://")) else ""
