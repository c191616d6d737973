"""No lost edits: a stale change form is refused with the other's changes (catalogue.admin.locking)."""

import pytest
from django.test import Client

from catalogue.models import Interest, Job

from .admin_support import admin_url, change_form_data, form_errors
from .factories import AppellationFactory, JobFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def colleague_client(editor):
    client = Client()
    client.force_login(editor)
    return client


def open_form(client, model, pk) -> dict:
    return change_form_data(client.get(admin_url(model, "change", pk)))


def errors_of(response) -> str:
    return " ".join(response.context["adminform"].form.non_field_errors())


def test_the_second_save_of_a_stale_form_is_refused_with_the_other_changes(counsellor_client, colleague_client):
    job = JobFactory(name="fleuriste", starting_salary="1 700 €")
    mine, theirs = open_form(counsellor_client, Job, job.pk), open_form(colleague_client, Job, job.pk)

    theirs["name"] = "fleuriste d’art"
    assert colleague_client.post(admin_url(Job, "change", job.pk), theirs).status_code == 302
    mine["starting_salary"] = "1 900 €"
    response = counsellor_client.post(admin_url(Job, "change", job.pk), mine)

    assert response.status_code == 200
    message = errors_of(response)
    assert "modifiée par redactrice" in message
    assert "Nom générique : « fleuriste » → « fleuriste d’art »" in message
    assert "rien n’a été enregistré" in message
    assert 'value="1 900 €"' in response.content.decode()  # the refused input stays in the form
    job.refresh_from_db()
    assert (job.name, job.starting_salary) == ("fleuriste d’art", "1 700 €")


def test_saving_again_after_the_refusal_goes_through_on_purpose(counsellor_client, colleague_client):
    job = JobFactory(name="fleuriste")
    mine, theirs = open_form(counsellor_client, Job, job.pk), open_form(colleague_client, Job, job.pk)
    theirs["name"] = "fleuriste d’art"
    colleague_client.post(admin_url(Job, "change", job.pk), theirs)
    mine["starting_salary"] = "1 900 €"
    refused = counsellor_client.post(admin_url(Job, "change", job.pk), mine)

    again = change_form_data(refused)  # the form as re-rendered: my input, the renewed snapshot
    again["name"] = "fleuriste d’art"  # having read the other's change, I keep it
    response = counsellor_client.post(admin_url(Job, "change", job.pk), again)

    assert response.status_code == 302, form_errors(response)
    job.refresh_from_db()
    assert (job.name, job.starting_salary) == ("fleuriste d’art", "1 900 €")


def test_a_stale_inline_appellation_edit_is_refused(counsellor_client, colleague_client):
    job = JobFactory(name="horticulteur/trice")
    AppellationFactory(job=job, name="pépiniériste")
    mine, theirs = open_form(counsellor_client, Job, job.pk), open_form(colleague_client, Job, job.pk)

    theirs["appellations-0-name"] = "pépiniériste confirmé"
    assert colleague_client.post(admin_url(Job, "change", job.pk), theirs).status_code == 302
    mine["appellations-0-name"] = "jardinier"
    response = counsellor_client.post(admin_url(Job, "change", job.pk), mine)

    assert response.status_code == 200
    assert "Appellations : ajouté : pépiniériste → pépiniériste confirmé" in errors_of(response)
    assert list(job.appellations.values_list("name", flat=True)) == ["pépiniériste confirmé"]


def test_a_change_made_by_an_import_in_between_is_caught_too(counsellor_client):
    job = JobFactory(name="fleuriste")
    mine = open_form(counsellor_client, Job, job.pk)
    Job.objects.filter(pk=job.pk).update(starting_salary="2 000 €")  # a bulk write, as imports do

    response = counsellor_client.post(admin_url(Job, "change", job.pk), mine)

    assert response.status_code == 200
    assert "Salaire du débutant : « (vide) » → « 2 000 € »" in errors_of(response)


def test_a_missing_or_forged_snapshot_is_refused_without_saving(counsellor_client):
    job = JobFactory(name="fleuriste")
    for token in ("", "forgé:par:quelqu’un"):
        data = open_form(counsellor_client, Job, job.pk)
        data.update(edit_snapshot=token, name="autre nom")
        response = counsellor_client.post(admin_url(Job, "change", job.pk), data)
        assert response.status_code == 200
        assert "rien n’a été enregistré" in errors_of(response)
    job.refresh_from_db()
    assert job.name == "fleuriste"


def test_vocabularies_are_locked_as_well(counsellor_client, colleague_client):
    passion = Interest.objects.first()
    mine, theirs = open_form(counsellor_client, Interest, passion.pk), open_form(colleague_client, Interest, passion.pk)
    theirs["description"] = "Nouvelle description"
    assert colleague_client.post(admin_url(Interest, "change", passion.pk), theirs).status_code == 302

    response = counsellor_client.post(admin_url(Interest, "change", passion.pk), mine)

    assert response.status_code == 200
    assert "Nouvelle description" in errors_of(response)
