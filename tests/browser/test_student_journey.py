"""The student's journey in Chromium, on a desktop screen and on a phone.

Home → search "infirmiere" → add an interest and a level (the list refreshes in place) → page 2 →
a job → one of its trainings → another job of that training → back, with the browser's back button,
to the results: the search, the filters and the page are all still there.
"""

import re

import pytest

from tests.browser.support import NURSING_INTEREST, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db, pytest.mark.xdist_group("browser")]

INTEREST = re.compile(r"^\s*Je veux être utile aux autres\b", re.IGNORECASE)
LEVEL_LABEL = re.compile(r"^Bac \+ 5 ")
# The results' address, whatever the order of its parameters.
RESULTS_PAGE_2 = re.compile(
    r"/metiers/\?"
    r"(?=.*\bq=infirmiere\b)(?=.*\binterest=" + NURSING_INTEREST + r"\b)(?=.*\blevel=bac-5\b)(?=.*\bpage=2\b)"
)


def press(page, locator, *, phone: bool) -> None:
    """A tap on a phone, a click with a mouse."""
    if phone:
        locator.tap()
    else:
        locator.click()


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_student_finds_a_job_follows_a_training_and_comes_back_to_the_results(request, settings, device):
    settings.CATALOGUE_PAGE_SIZE = 2  # the 4 nurses of the test data fill two pages
    phone = device == "phone"
    page = request.getfixturevalue("phone_page" if phone else "page")

    page.goto("/")
    search = page.get_by_role("combobox", name="Quel métier cherches-tu ?")
    search.fill("infirmiere")
    search.press("Enter")
    expect(page).to_have_url(re.compile(r"/metiers/\?q=infirmiere$"))
    count = page.locator("#nombre-resultats")
    expect(count).to_have_text("4 métiers")

    # The filters come before the results on a phone: reachable by scrolling, inside the screen.
    filters = page.get_by_role("search", name="Rechercher et filtrer les métiers")
    box = filters.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= page.viewport_size["width"]

    # An interest: open its group, tick it; the script refreshes the list and the address in place.
    press(page, page.locator("summary", has_text="Centres d’intérêt"), phone=phone)
    interest = page.get_by_role("checkbox", name=INTEREST)
    press(page, interest, phone=phone)
    expect(page).to_have_url(re.compile("interest=" + NURSING_INTEREST))
    expect(interest).to_be_checked()
    expect(interest).to_be_focused()
    # A level: the list stays at 4 jobs, all open at bac + 5.
    level = page.get_by_label("Mon niveau d’études (actuel ou visé)")
    level.select_option(label=level.locator("option", has_text=LEVEL_LABEL).inner_text())
    expect(page).to_have_url(re.compile("level=bac-5"))
    expect(count).to_have_text("4 métiers")

    pagination = page.get_by_role("navigation", name="Pagination")
    press(page, pagination.get_by_role("link", name="Suivante page"), phone=phone)
    expect(page).to_have_url(RESULTS_PAGE_2)
    expect(page.locator(".pagination__status")).to_have_text("Page 2 sur 2")
    results_on_page_2 = page.locator(".results .card__title").all_inner_texts()
    assert len(results_on_page_2) == 2

    # A job of page 2, then the nursing diploma among its trainings.
    press(page, page.locator(".results .card__title a").first, phone=phone)
    first_job = page.get_by_role("heading", level=1).inner_text()
    # The card showed the feminine form typed; the sheet shows the generic name and both forms.
    expect(page.locator(".facts")).to_contain_text(results_on_page_2[0])
    trainings = page.locator("section", has=page.get_by_role("heading", name="Formations recommandées"))
    press(page, trainings.get_by_role("link", name="Diplôme d'Etat d'infirmier"), phone=phone)
    expect(page.get_by_role("heading", level=1)).to_have_text("Diplôme d'Etat d'infirmier")

    # The other jobs of that training: all four nurses; open another one.
    jobs = page.locator("section", has=page.get_by_role("heading", name="Métiers accessibles après cette formation"))
    titles = jobs.locator(".card__title a")
    expect(titles).to_have_count(4)
    other = titles.filter(has_not_text=re.compile("^" + re.escape(first_job) + "$", re.IGNORECASE)).first
    other_name = other.inner_text()
    press(page, other, phone=phone)
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(re.escape(other_name), re.IGNORECASE))

    # Back to the results: the same address, form and page.
    for _ in range(3):
        page.go_back()
    expect(page).to_have_url(RESULTS_PAGE_2)
    expect(page.get_by_label("Nom du métier")).to_have_value("infirmiere")
    expect(page.get_by_label("Mon niveau d’études (actuel ou visé)")).to_have_value("bac-5")
    expect(page.get_by_role("checkbox", name=INTEREST)).to_be_checked()
    expect(page.locator(".pagination__status")).to_have_text("Page 2 sur 2")
    assert page.locator(".results .card__title").all_inner_texts() == results_on_page_2

    assert page.errors == []
