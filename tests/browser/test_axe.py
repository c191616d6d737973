"""axe-core on every kind of public page and on the admin job form: no WCAG 2.1 A/AA violation."""

import re

import pytest

from tests.browser import support
from tests.browser.support import describe_violations, expect, run_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db, pytest.mark.xdist_group("browser")]

PUBLIC_PAGES = support.PAGE_KINDS


@pytest.mark.parametrize("kind", PUBLIC_PAGES)
def test_public_page_has_no_axe_violation(page, demo_urls, kind):
    page.goto(demo_urls[kind])
    violations = run_axe(page)
    assert violations == [], describe_violations(violations)


def test_axe_harness_reports_an_unlabelled_field(page, demo_urls):
    """The harness itself: axe runs under the site's CSP and reports a field without a label."""
    page.goto(demo_urls["home"])
    page.evaluate("() => document.querySelector('main').append(document.createElement('input'))")
    assert "label" in {violation["id"] for violation in run_axe(page)}


def test_admin_job_form_has_no_axe_violation(admin_page, demo_urls):
    from catalogue.models import Job

    job = Job.objects.get(onisep_id="MET.38")
    admin_page.goto(f"/admin/catalogue/job/{job.pk}/change/")
    admin_page.locator(".ProseMirror[contenteditable='true']").first.wait_for()
    violations = run_axe(admin_page)
    assert violations == [], describe_violations(violations)


def test_search_suggestions_have_no_axe_violation(page, demo_urls):
    """The suggestions list that opens under the search box while typing, an option highlighted."""
    page.goto(demo_urls["home"])
    box = page.get_by_role("combobox", name="Quel métier cherches-tu ?")
    box.press_sequentially("infir")
    expect(page.get_by_role("listbox")).to_be_visible()
    box.press("ArrowDown")
    expect(box).to_have_attribute("aria-activedescendant", re.compile(".+"))
    violations = run_axe(page)
    assert violations == [], describe_violations(violations)
