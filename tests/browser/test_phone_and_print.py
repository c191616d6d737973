"""Phones and paper: no sideways scrolling at 320 px, tap targets of at least 44 px, and a printed job
sheet (Chromium's PDF of the print stylesheet) that carries the whole sheet and nothing else."""

import io
import re
import unicodedata

import pytest

from tests.browser import support
from tests.browser.support import SMALLEST_PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db, pytest.mark.xdist_group("browser")]

PAGES = support.PAGE_KINDS
TAP = 44

# Tap targets: every visible link, button, field and summary, except links inside a sentence (WCAG
# exempts inline links in running text). A checkbox or radio is tapped through its whole label.
TARGETS = """() => {
    const inSentence = (element) => {
        if (getComputedStyle(element).display !== "inline") return false;
        const block = element.parentElement.closest("p, li, dd, td, h1, h2, h3, h4, div");
        return block && block.textContent.trim().length > element.textContent.trim().length;
    };
    return Array.from(document.querySelectorAll("a[href], button, input:not([type=hidden]), select, summary"))
        .filter((element) => element.checkVisibility() && !element.closest(".visually-hidden"))
        .filter((element) => element.tagName !== "A" || !inSentence(element))
        .map((element) => {
            const target = ["checkbox", "radio"].includes(element.type) && element.closest("label")
                ? element.closest("label") : element;
            const box = target.getBoundingClientRect();
            return {html: element.outerHTML.slice(0, 100), width: Math.round(box.width),
                    height: Math.round(box.height)};
        });
}"""


@pytest.mark.parametrize("kind", PAGES)
def test_page_never_scrolls_sideways_at_320_px(chromium, live_url, demo_urls, kind):
    context = chromium.new_context(viewport=SMALLEST_PHONE, is_mobile=True, has_touch=True, base_url=live_url)
    try:
        page = context.new_page()
        page.goto(demo_urls[kind])
        # Open every filter group too: the longest labels are inside.
        page.evaluate("() => document.querySelectorAll('details').forEach((details) => { details.open = true; })")
        overflow = page.evaluate("""() => ({
            page: document.documentElement.scrollWidth,
            screen: document.documentElement.clientWidth,
            wider: Array.from(document.querySelectorAll("body *"))
                .filter((element) => element.getBoundingClientRect().right > document.documentElement.clientWidth + 1
                    && !element.closest(".visually-hidden") && element.checkVisibility())
                .map((element) => element.outerHTML.slice(0, 100)).slice(0, 5),
        })""")
        assert overflow["page"] <= overflow["screen"], overflow["wider"]
    finally:
        context.close()


@pytest.mark.parametrize("kind", PAGES)
def test_tap_targets_are_at_least_44_px(phone_page, demo_urls, kind):
    phone_page.goto(demo_urls[kind])
    phone_page.evaluate("() => document.querySelectorAll('details').forEach((details) => { details.open = true; })")
    targets = phone_page.evaluate(TARGETS)
    assert targets
    small = [target for target in targets if target["height"] < TAP or target["width"] < TAP]
    assert small == []


def pdf_text(pdf: bytes) -> tuple[str, int]:
    """The PDF's text, squeezed (see below), and its page count."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    return squeezed("".join(page.extract_text() for page in reader.pages)), len(reader.pages)


def squeezed(text: str) -> str:
    """Text without spaces and line breaks (lines wrap anywhere), ligatures (ﬁ) spelt out."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text).replace("\u00ad", ""))


def test_printed_job_sheet_has_every_section_and_written_out_links_but_no_navigation(page, demo_urls):
    page.goto(demo_urls["job"])
    headings = page.locator("article h1, article h2, article h3").all_inner_texts()
    last_paragraph = page.locator("article > :last-child").inner_text()
    training = page.locator("#formations").locator("xpath=..").get_by_role("link").first
    training_href = training.get_attribute("href")

    page.emulate_media(media="print")
    hidden = page.evaluate("""() => [".skip-link", ".site-nav", ".breadcrumb", ".site-footer nav"]
        .filter((selector) => document.querySelector(selector)
            && getComputedStyle(document.querySelector(selector)).display !== "none")""")
    assert hidden == []
    text, pages = pdf_text(page.pdf(format="A4", print_background=False))

    assert pages >= 2  # the whole sheet, not its first screen
    missing = [heading for heading in headings if squeezed(heading) not in text]
    assert missing == []
    assert squeezed(last_paragraph) in text
    assert squeezed(f"({training_href})") in text  # the address of a link, written after it
    for navigation in ("Aller au contenu", "Espace conseillers", "Mentions légales"):
        assert squeezed(navigation) not in text
