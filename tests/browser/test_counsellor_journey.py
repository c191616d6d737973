"""The counsellor's journey in Chromium: log in, edit a job sheet in the admin, see it on the public site.

The text is typed into the rich-text editor (django-prose-editor, a ProseMirror contenteditable), the
appellation added through the inline's "add" link, the training picked in the autocomplete (Select2).
"""

import re

import pytest

from tests.browser.support import expect, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db, pytest.mark.xdist_group("browser")]

ADDED_TEXT = "Des stages dès la première année, à l’hôpital et en ville."
APPELLATION = ("infirmier/ère en pratique avancée", "infirmière en pratique avancée", "infirmier en pratique avancée")
TRAINING = "CAP cuisine"


def test_counsellor_edits_a_job_in_the_admin_and_the_public_page_shows_it(page):
    log_in(page)

    # Find the job through the admin's search (accent-insensitive) and open it.
    page.get_by_role("link", name="Métiers", exact=True).first.click()
    page.get_by_role("searchbox").fill("infirmiere")
    page.get_by_role("searchbox").press("Enter")
    page.get_by_role("link", name="infirmier/ère", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Modification de métier")

    # A sentence at the end of the presentation, typed in the editor.
    editor = page.locator(".field-presentation .ProseMirror[contenteditable='true']")
    editor.click()
    page.keyboard.press("Control+End")
    page.keyboard.press("Enter")
    page.keyboard.type(ADDED_TEXT)

    # A new appellation, in a row added to the inline.
    page.locator("#appellations-group").get_by_role("button", name=re.compile("^Ajouter")).click()
    name, feminine, masculine = APPELLATION
    page.locator("#id_appellations-0-name").fill(name)
    page.locator("#id_appellations-0-feminine_name").fill(feminine)
    page.locator("#id_appellations-0-masculine_name").fill(masculine)

    # A training, picked in the autocomplete after typing a few letters.
    page.get_by_role("searchbox", name="Formations recommandées").fill("cap cuis")
    page.locator(".select2-results__option", has_text=TRAINING).first.click()
    expect(page.locator(".field-trainings .select2-selection__choice", has_text=TRAINING)).to_have_count(1)

    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.locator(".messagelist .success")).to_contain_text("infirmier/ère")

    page.goto("/metiers/infirmier-ere/")
    expect(page.locator("#presentation").locator("xpath=..")).to_contain_text(ADDED_TEXT)
    appellations = page.locator("section", has=page.get_by_role("heading", name="Autres appellations"))
    expect(appellations).to_contain_text(name)
    expect(appellations).to_contain_text(feminine)
    trainings = page.locator("section", has=page.get_by_role("heading", name="Formations recommandées"))
    expect(trainings.get_by_role("link", name=TRAINING)).to_be_visible()

    # The new appellation is searchable at once (the admin refreshed the search titles).
    page.goto("/metiers/?q=pratique+avancee")
    expect(page.locator(".results .card__title")).to_have_text(["infirmier/ère"])
    expect(page.locator(".results .card__via")).to_contain_text("pratique avancée")

    assert page.errors == []
