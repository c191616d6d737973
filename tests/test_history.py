"""History and undo (django-reversion, catalogue.services.history, catalogue.admin.history)."""

import pytest
from django.test import Client
from django.urls import reverse
from reversion.models import Revision, Version

from catalogue.importers.sheets import import_sheets
from catalogue.models import Appellation, Job, PublicationStatus
from catalogue.services.history import record_revision

from .admin_support import admin_url, change_form_data, form_errors
from .factories import AppellationFactory, JobFactory, TrainingFactory, interest

pytestmark = pytest.mark.django_db


def save_job(client, job, **changes):
    """Open the job's change form, change some values (and appellations), save it."""
    data = change_form_data(client.get(admin_url(Job, "change", job.pk)))
    data.update(changes)
    response = client.post(admin_url(Job, "change", job.pk), data)
    assert response.status_code == 302, form_errors(response)


def add_appellation(data: dict, name: str) -> dict:
    index = int(data["appellations-TOTAL_FORMS"])
    data.update(
        {
            "appellations-TOTAL_FORMS": str(index + 1),
            f"appellations-{index}-name": name,
            f"appellations-{index}-kind": "synonym",
            f"appellations-{index}-position": "0",
        }
    )
    return data


def versions_of(job) -> list[Version]:
    return list(Version.objects.get_for_object(job).select_related("revision__user"))


def test_an_admin_edit_is_recorded_with_who_when_and_a_readable_diff(counsellor_client, counsellor):
    training = TrainingFactory(name="BTS diététique")
    job = JobFactory(name="diététicien/ne", starting_salary="1 800 €")
    save_job(counsellor_client, job)  # first version
    data = change_form_data(counsellor_client.get(admin_url(Job, "change", job.pk)))
    data = add_appellation(data, "nutritionniste")
    data.update(starting_salary="2 000 €", trainings=[str(training.pk)])
    counsellor_client.post(admin_url(Job, "change", job.pk), data)

    latest = versions_of(job)[0]
    assert latest.revision.user == counsellor
    page = counsellor_client.get(admin_url(Job, "history", job.pk)).content.decode()
    assert "« 1 800 € » → « 2 000 € »" in page
    assert "ajouté : BTS diététique" in page
    assert "ajouté : nutritionniste" in page
    assert "conseiller" in page


def test_a_revert_restores_fields_appellations_and_links_and_is_itself_in_the_history(counsellor_client):
    passion = interest("T-IDEO2.4825")
    job = JobFactory(name="soigneur", interests=[passion])
    AppellationFactory(job=job, name="animalier")
    save_job(counsellor_client, job)
    first = versions_of(job)[0]
    data = change_form_data(counsellor_client.get(admin_url(Job, "change", job.pk)))
    data = add_appellation(data, "garde")
    data.update({"name": "soigneur modifié", "interests": [], "appellations-0-DELETE": "on"})
    response = counsellor_client.post(admin_url(Job, "change", job.pk), data)
    assert response.status_code == 302, form_errors(response)
    assert list(job.appellations.values_list("name", flat=True)) == ["garde"]

    revision_url = reverse("admin:catalogue_job_revision", args=[job.pk, first.pk])
    form = change_form_data(counsellor_client.get(revision_url))
    response = counsellor_client.post(revision_url, form)

    assert response.status_code == 302, form_errors(response)
    job.refresh_from_db()
    assert job.name == "soigneur"
    assert list(job.interests.all()) == [passion]
    assert list(job.appellations.values_list("name", flat=True)) == ["animalier"]
    assert "animalier" in job.search_text and "garde" not in job.search_text
    comments = [version.revision.comment for version in versions_of(job)]
    assert comments[0].startswith("Retour à la version du ")
    assert len(comments) == 3


def test_opening_an_old_version_changes_nothing_until_saved(counsellor_client):
    job = JobFactory(name="premier nom")
    save_job(counsellor_client, job)
    first = versions_of(job)[0]
    save_job(counsellor_client, job, name="second nom")

    counsellor_client.get(reverse("admin:catalogue_job_revision", args=[job.pk, first.pk]))

    job.refresh_from_db()
    assert job.name == "second nom"


def test_a_deleted_job_comes_back_with_its_appellations_and_links(counsellor_client):
    training = TrainingFactory(name="CAP boulanger")
    job = JobFactory(name="boulanger/ère", trainings=[training], interests=[interest("T-IDEO2.4825")])
    AppellationFactory(job=job, name="mitron")
    save_job(counsellor_client, job)
    pk = job.pk
    response = counsellor_client.post(admin_url(Job, "delete", pk), {"post": "yes"})
    assert response.status_code == 302
    assert not Job.objects.filter(pk=pk).exists()

    recover_list = counsellor_client.get(admin_url(Job, "recoverlist")).content.decode()
    assert "boulanger/ère" in recover_list
    version = Version.objects.get_deleted(Job).get(object_id=str(pk))
    recover_url = admin_url(Job, "recover", version.pk)
    response = counsellor_client.post(recover_url, change_form_data(counsellor_client.get(recover_url)))

    assert response.status_code == 302, form_errors(response)
    job = Job.objects.get(pk=pk)
    assert list(job.trainings.all()) == [training]
    assert job.interests.count() == 1
    assert list(job.appellations.values_list("name", flat=True)) == ["mitron"]


def test_reverting_one_job_leaves_the_other_records_of_an_import_alone(counsellor_client):
    first, second = JobFactory(name="premier"), JobFactory(name="second")
    record_revision({Job: [first.pk, second.pk]}, comment="Import de test")
    import_version = versions_of(first)[0]
    Job.objects.filter(pk__in=[first.pk, second.pk]).update(name="renommé")

    url = reverse("admin:catalogue_job_revision", args=[first.pk, import_version.pk])
    response = counsellor_client.post(url, change_form_data(counsellor_client.get(url)))

    assert response.status_code == 302, form_errors(response)
    assert Job.objects.get(pk=first.pk).name == "premier"
    assert Job.objects.get(pk=second.pk).name == "renommé"


def test_a_sheet_import_is_recorded_as_one_revision_by_the_import(sample_sheet, counsellor):
    before = Revision.objects.count()

    report = import_sheets([sample_sheet], user=counsellor)

    assert not report.errors
    assert Revision.objects.count() == before + 1
    revision = Revision.objects.latest("pk")
    assert revision.user == counsellor
    assert revision.comment == f"Fiches au format du catalogue (import n° {report.import_run.pk})"
    job = Job.objects.get(onisep_id="MET.8063")
    job_version = Version.objects.get_for_object(job).get(revision=revision)
    assert job_version.field_dict["name"] == job.name
    assert set(job_version.field_dict["trainings"]) == set(job.trainings.values_list("pk", flat=True))
    appellations = revision.version_set.filter(content_type__model="appellation")
    assert appellations.count() == Appellation.objects.filter(job=job).count()

    import_sheets([sample_sheet], user=counsellor)  # unchanged: nothing more to record
    assert Revision.objects.count() == before + 1


def test_status_changes_are_in_the_history(counsellor_client, counsellor):
    job = JobFactory(publication_status=PublicationStatus.DRAFT)
    counsellor_client.post(admin_url(Job, "changelist"), {"action": "publish", "_selected_action": [job.pk]})
    latest = versions_of(job)[0]
    assert latest.revision.user == counsellor
    assert latest.field_dict["publication_status"] == PublicationStatus.PUBLISHED
    page = counsellor_client.get(admin_url(Job, "history", job.pk)).content.decode()
    assert "Statut : publiée" in page


@pytest.fixture
def editor_browser(editor):
    """The Rédacteur in a client of their own (counsellor_client and editor_client share one)."""
    client = Client()
    client.force_login(editor)
    return client


def test_an_editor_cannot_publish_or_unpublish_by_going_back_to_a_version(counsellor_client, editor_browser):
    job = JobFactory(name="fleuriste", publication_status=PublicationStatus.PUBLISHED)
    save_job(counsellor_client, job)
    published_version = versions_of(job)[0]
    counsellor_client.post(admin_url(Job, "changelist"), {"action": "unpublish", "_selected_action": [job.pk]})

    url = reverse("admin:catalogue_job_revision", args=[job.pk, published_version.pk])
    response = editor_browser.post(url, {}, follow=True)

    assert "Retour impossible : Seul un Validateur peut publier ce métier." in [
        str(message) for message in response.context["messages"]
    ]
    job.refresh_from_db()
    assert job.publication_status == PublicationStatus.DRAFT


def test_an_editor_cannot_bring_back_a_deleted_published_job(counsellor_client, editor_browser):
    job = JobFactory(name="fleuriste", publication_status=PublicationStatus.PUBLISHED)
    save_job(counsellor_client, job)
    pk = job.pk
    counsellor_client.post(admin_url(Job, "delete", pk), {"post": "yes"})
    version = Version.objects.get_deleted(Job).get(object_id=str(pk))

    response = editor_browser.post(admin_url(Job, "recover", version.pk), {}, follow=True)

    assert "Seul un Validateur peut publier ce métier." in response.content.decode()

    assert not Job.objects.filter(pk=pk).exists()


def test_going_back_to_an_old_slug_keeps_the_newer_address_answering(counsellor_client, client):
    job = JobFactory(name="soigneur", slug="soigneur", publication_status=PublicationStatus.PUBLISHED)
    save_job(counsellor_client, job)
    first = versions_of(job)[0]
    save_job(counsellor_client, job, slug="soigneur-animalier")

    url = reverse("admin:catalogue_job_revision", args=[job.pk, first.pk])
    response = counsellor_client.post(url, change_form_data(counsellor_client.get(url)))

    assert response.status_code == 302, form_errors(response)
    client.logout()
    assert client.get("/metiers/soigneur-animalier/").status_code == 301
    assert client.get("/metiers/soigneur/").status_code == 200
