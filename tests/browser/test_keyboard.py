"""Keyboard use, tested by pressing Tab in Chromium: skip link first, every control reachable with a
visible focus, no trap, and the job list's filters operable without a mouse."""

import re

import pytest

from tests.browser.support import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db, pytest.mark.xdist_group("browser")]

PAGES = ["home", "job-list-search", "job-list-empty", "job", "training", "interest", "accessibility", "not-found"]

# Every element that Tab must reach: visible, not disabled, not taken out of the order.
FOCUSABLE = """() => Array.from(document.querySelectorAll(
    "a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]"
)).filter((element) => !element.disabled && element.tabIndex >= 0
    && element.checkVisibility({contentVisibilityAuto: true, visibilityProperty: true}))
    .map((element) => element.outerHTML.slice(0, 120))"""

# What the focused element looks like: a focus ring is an outline of some width that is not
# transparent, or a box shadow.
FOCUSED = """() => {
    const element = document.activeElement;
    if (!element || element === document.body) return null;
    const style = getComputedStyle(element);
    const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2
        && !/rgba\\(.*, 0\\)|transparent/.test(style.outlineColor);
    return {html: element.outerHTML.slice(0, 120), ring: outline || style.boxShadow !== "none"};
}"""


def tab_through(page, limit: int = 400) -> list[dict]:
    """Press Tab until the focus comes back to the first element reached; what was focused, in order."""
    reached = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None:
            continue  # the focus left the document, between its last element and its first
        if reached and focused["html"] == reached[0]["html"]:
            return reached
        reached.append(focused)
    raise AssertionError(f"The focus never came back to the start after {limit} Tabs: {reached[-3:]}")


@pytest.mark.parametrize("kind", PAGES)
def test_tab_reaches_every_control_with_a_visible_focus_and_comes_back(page, demo_urls, kind):
    page.goto(demo_urls[kind])
    reached = tab_through(page)

    assert "skip-link" in reached[0]["html"]
    assert sorted(element["html"] for element in reached) == sorted(page.evaluate(FOCUSABLE))
    assert [element["html"] for element in reached if not element["ring"]] == []


def test_skip_link_is_shown_on_focus_and_moves_to_the_content(page, demo_urls):
    page.goto(demo_urls["job"])
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Aller au contenu")
    expect(skip).to_be_focused()
    assert skip.bounding_box()["y"] >= 0  # moved back onto the screen
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "contenu"
    page.keyboard.press("Tab")
    # The next stop is inside the content (the breadcrumb), not the header's navigation.
    assert page.evaluate("() => document.querySelector('main').contains(document.activeElement)")


def test_filters_work_with_the_keyboard_and_the_new_count_is_announced(page, demo_urls):
    page.goto("/metiers/?q=infirmiere")
    count = page.locator("#nombre-resultats")
    assert count.get_attribute("aria-live") == "polite"
    expect(count).to_have_text("4 métiers")

    statuses = page.locator("details", has=page.locator("summary", has_text="Statuts"))
    statuses.locator("summary").focus()
    page.keyboard.press("Enter")
    expect(statuses).to_have_attribute("open", "")
    # Tab to the first status that these results have, and tick it with the space bar.
    first_enabled = statuses.locator("input[type=checkbox]:not(:disabled)").first
    for _ in range(20):
        page.keyboard.press("Tab")
        if first_enabled.evaluate("(element) => element === document.activeElement"):
            break
    else:
        raise AssertionError("Tab never reached the first status")
    page.keyboard.press("Space")

    expect(first_enabled).to_be_checked()
    expect(count).to_have_text(re.compile(r"^1 métier$"))
    expect(first_enabled).to_be_focused()  # the list refreshed around the control, which kept the focus
    expect(page).to_have_url(re.compile(r"status="))
