"""Two counsellors edit the same job in two browsers: the second save is refused, nothing is lost.

The first save goes through; the second, made on a form opened before it, is refused with what
the first changed, and keeps its own input in the form (catalogue.admin.locking).
"""

import re

import pytest

from tests.browser.conftest import _new_page
from tests.browser.support import DESKTOP, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db, pytest.mark.xdist_group("browser")]

JOB = "MET.918"


@pytest.fixture
def second_admin_page(chromium, live_url, counsellor_session):
    yield from _new_page(chromium, live_url, viewport=DESKTOP, storage_state=counsellor_session)


@pytest.fixture
def job():
    from catalogue.models import Job

    job = Job.objects.get(onisep_id=JOB)
    before = Job.objects.filter(pk=job.pk).values("name", "starting_salary").get()
    yield job
    Job.objects.filter(pk=job.pk).update(**before)  # the demo catalogue is shared by the package


def test_the_second_of_two_concurrent_saves_is_refused_with_the_first_ones_changes(admin_page, second_admin_page, job):
    from catalogue.models import Job

    change_url = f"/admin/catalogue/job/{job.pk}/change/"
    admin_page.goto(change_url)
    second_admin_page.goto(change_url)

    admin_page.get_by_label("Salaire du débutant").fill("2 100 euros brut par mois")
    admin_page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(admin_page.locator(".messagelist .success")).to_be_visible()

    second_admin_page.get_by_label("Nom générique").fill("nom changé dans le second navigateur")
    second_admin_page.get_by_role("button", name="Enregistrer", exact=True).click()

    refusal = second_admin_page.locator(".errorlist.nonfield")
    expect(refusal).to_contain_text("pendant que vous la modifiiez : rien n’a été enregistré")
    expect(refusal).to_contain_text(re.compile(r"Salaire du débutant : « .* » → « 2 100 euros brut par mois »"))
    expect(second_admin_page.get_by_label("Nom générique")).to_have_value("nom changé dans le second navigateur")
    saved = Job.objects.get(pk=job.pk)
    assert saved.starting_salary == "2 100 euros brut par mois"
    assert saved.name == job.name
    assert second_admin_page.errors == []
