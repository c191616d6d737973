"""What a screen reader relies on, read from the page as Chromium built it: the language, one h1,
headings in order, a label on every filter."""

import itertools

import pytest

from tests.browser import support

pytestmark = [pytest.mark.browser, pytest.mark.django_db, pytest.mark.xdist_group("browser")]

PAGES = support.PAGE_KINDS

HEADINGS = """() => Array.from(document.querySelectorAll("h1, h2, h3, h4, h5, h6"))
    .filter((heading) => heading.checkVisibility() || heading.closest("details"))
    .map((heading) => [Number(heading.tagName[1]), heading.textContent.trim().slice(0, 60)])"""

UNLABELLED = """() => Array.from(document.querySelectorAll("input:not([type=hidden]), select, textarea"))
    .filter((field) => !(field.labels && field.labels.length) && !field.getAttribute("aria-label")
        && !field.getAttribute("aria-labelledby"))
    .map((field) => field.outerHTML.slice(0, 120))"""


@pytest.mark.parametrize("kind", PAGES)
def test_page_is_in_french_with_one_h1_and_headings_in_order(page, demo_urls, kind):
    page.goto(demo_urls[kind])
    assert page.locator("html").get_attribute("lang") == "fr"
    headings = page.evaluate(HEADINGS)
    assert [level for level, _text in headings].count(1) == 1, headings
    assert headings[0][0] == 1, headings
    skips = [(before, after) for before, after in itertools.pairwise(headings) if after[0] > before[0] + 1]
    assert skips == []


@pytest.mark.parametrize("kind", ["job-list", "job-list-search", "job-list-empty", "training-list"])
def test_every_search_field_and_filter_has_a_label(page, demo_urls, kind):
    page.goto(demo_urls[kind])
    assert page.locator("form[role=search] input:not([type=hidden]), form[role=search] select").count() > 1
    assert page.evaluate(UNLABELLED) == []
    # Each group of checkboxes is a fieldset with a legend naming the filter.
    for fieldset in page.locator("form[role=search] fieldset").all():
        assert fieldset.locator("legend").text_content().strip() != ""
