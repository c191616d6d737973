"""The other gendered form proposed while a counsellor fills a job's titles (static/js/admin-gender.js).

The script asks the admin's endpoint (catalogue.admin.quality.gender_proposal_view) when a field is
left and shows a button; the strict Content-Security-Policy of the admin stays on (`page.errors`
collects any refusal).
"""

import re

import pytest

from tests.browser.support import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db, pytest.mark.xdist_group("browser")]


def test_typing_a_masculine_title_proposes_the_feminine_and_the_button_fills_it(admin_page):
    page = admin_page
    page.goto("/admin/catalogue/job/add/")
    masculine, feminine = page.locator("#id_masculine_name"), page.locator("#id_feminine_name")

    masculine.fill("boulanger")
    masculine.press("Tab")  # leaving the field asks for the other form
    proposal = page.get_by_role("button", name="Utiliser « boulangère »")
    expect(proposal).to_be_visible()
    expect(feminine).to_have_value("")  # only proposed, not written

    proposal.click()
    expect(feminine).to_have_value("boulangère")
    expect(proposal).to_have_count(0)

    # A row added to the appellations inline gets the same help (events are delegated), and what
    # the counsellor types wins over a proposal.
    page.locator("#appellations-group").get_by_role("button", name=re.compile("^Ajouter")).click()
    row_feminine, row_masculine = (
        page.locator("#id_appellations-0-feminine_name"),
        page.locator("#id_appellations-0-masculine_name"),
    )
    row_feminine.fill("pâtissière")
    row_feminine.press("Tab")
    row_proposal = page.get_by_role("button", name="Utiliser « pâtissier »")
    expect(row_proposal).to_be_visible()
    row_masculine.fill("pâtissier chocolatier")
    expect(row_proposal).to_have_count(0)
    expect(row_masculine).to_have_value("pâtissier chocolatier")

    assert page.errors == []
