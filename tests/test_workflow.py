"""Draft -> in review -> published: who may do what, by every path (catalogue.services.workflow)."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Group, User
from django.core import mail
from django.urls import reverse

from catalogue.models import Job, PublicationStatus
from catalogue.permissions import EDITORS_GROUP

from .admin_support import admin_url, change_form_data, form_errors, run_action
from .factories import JobFactory, TrainingFactory

pytestmark = pytest.mark.django_db

DRAFT, REVIEW, PUBLISHED = PublicationStatus.DRAFT, PublicationStatus.REVIEW, PublicationStatus.PUBLISHED


def status_of(record) -> str:
    record.refresh_from_db()
    return record.publication_status


# --- A Rédacteur's draft stays invisible until a Validateur publishes it ----------------------------


def test_an_editor_submits_a_draft_which_students_cannot_see_and_staff_preview(editor_client, editor, client):
    job = JobFactory(name="soigneur animalier", publication_status=DRAFT, published_at=None)

    messages = run_action(editor_client, Job, "submit_for_review", [job])

    assert messages == ["1 métier soumis à validation."]
    job.refresh_from_db()
    assert (job.publication_status, job.submitted_by) == (REVIEW, editor)
    assert job.submitted_at is not None
    preview = editor_client.get(job.get_absolute_url())
    assert preview.status_code == 200
    assert "Aperçu réservé aux conseillers – en attente de validation" in preview.content.decode()
    client.logout()
    assert client.get(job.get_absolute_url()).status_code == 404
    assert "soigneur animalier" not in client.get(reverse("catalogue:job-list")).content.decode()


def test_a_validator_publishes_from_the_review_queue_and_students_see_the_job(counsellor_client, counsellor, client):
    job = JobFactory(name="soigneur animalier", publication_status=REVIEW, published_at=None)

    response = counsellor_client.post(
        reverse("admin:review-queue"), {"kind": "job", "pk": job.pk, "decision": "publish"}, follow=True
    )

    assert "« soigneur animalier » est publiée." in [str(m) for m in response.context["messages"]]
    job.refresh_from_db()
    assert (job.publication_status, job.published_by) == (PUBLISHED, counsellor)
    client.logout()
    assert client.get(job.get_absolute_url()).status_code == 200


def test_the_review_queue_lists_what_waits_oldest_first(counsellor_client):
    from django.utils import timezone

    now = timezone.now()
    recent = JobFactory(name="métier récent", publication_status=REVIEW, submitted_at=now)
    old = TrainingFactory(
        name="formation ancienne", publication_status=REVIEW, submitted_at=now - timezone.timedelta(days=9)
    )
    JobFactory(name="brouillon ignoré", publication_status=DRAFT)

    page = counsellor_client.get(reverse("admin:review-queue")).content.decode()

    assert page.index(old.name) < page.index(recent.name)
    assert "brouillon ignoré" not in page
    assert "9 j" in page


def test_the_admin_index_links_the_queue_with_its_size(counsellor_client):
    JobFactory(publication_status=REVIEW)
    page = counsellor_client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:review-queue") in page
    assert "1 fiche en attente" in page


# --- A Rédacteur cannot publish by any path ---------------------------------------------------------


def test_an_editor_has_no_publish_action_and_a_crafted_action_post_publishes_nothing(editor_client):
    job = JobFactory(publication_status=REVIEW)

    changelist = editor_client.get(admin_url(Job, "changelist"))
    actions = dict(changelist.context["action_form"].fields["action"].choices)
    assert "publish" not in actions
    assert "submit_for_review" in actions

    editor_client.post(admin_url(Job, "changelist"), {"action": "publish", "_selected_action": [job.pk]})

    assert status_of(job) == REVIEW


def test_the_change_form_offers_an_editor_draft_and_review_only(editor_client):
    job = JobFactory(publication_status=DRAFT)
    response = editor_client.get(admin_url(Job, "change", job.pk))
    choices = [value for value, _ in response.context["adminform"].form.fields["publication_status"].choices]
    assert choices == [DRAFT, REVIEW]


def test_a_crafted_change_form_post_cannot_publish(editor_client):
    job = JobFactory(publication_status=REVIEW, published_at=None)
    data = change_form_data(editor_client.get(admin_url(Job, "change", job.pk)))
    data["publication_status"] = PUBLISHED

    response = editor_client.post(admin_url(Job, "change", job.pk), data)

    assert response.status_code == 200
    assert "publication_status" in response.context["adminform"].form.errors
    assert status_of(job) == REVIEW


def test_a_crafted_review_queue_post_is_forbidden_to_an_editor(editor_client):
    training = TrainingFactory(publication_status=REVIEW)
    response = editor_client.post(
        reverse("admin:review-queue"), {"kind": "training", "pk": training.pk, "decision": "publish"}
    )
    assert response.status_code == 403
    assert status_of(training) == REVIEW


def test_an_editor_corrects_a_published_job_without_unpublishing_it(editor_client):
    job = JobFactory(name="ancien nom", publication_status=PUBLISHED)
    response = editor_client.get(admin_url(Job, "change", job.pk))
    assert "publication_status" not in response.context["adminform"].form.fields  # read-only for them
    data = change_form_data(response)
    data["name"] = "nom corrigé"

    response = editor_client.post(admin_url(Job, "change", job.pk), data)

    assert response.status_code == 302, form_errors(response)
    job.refresh_from_db()
    assert (job.name, job.publication_status) == ("nom corrigé", PUBLISHED)


def test_an_editor_cannot_unpublish_but_can_withdraw_a_submission(editor_client):
    published = JobFactory(publication_status=PUBLISHED)
    waiting = JobFactory(publication_status=REVIEW)

    messages = run_action(editor_client, Job, "unpublish", [published, waiting])

    assert "1 métier repassé en brouillon." in messages
    assert "1 fiche publiée laissée telle quelle : seul un Validateur peut la dépublier." in messages
    assert (status_of(published), status_of(waiting)) == (PUBLISHED, DRAFT)


def test_a_validator_unpublishes_and_sends_back_from_the_queue(counsellor_client):
    published = JobFactory(publication_status=PUBLISHED)
    waiting = TrainingFactory(publication_status=REVIEW)

    run_action(counsellor_client, Job, "unpublish", [published])
    counsellor_client.post(reverse("admin:review-queue"), {"kind": "training", "pk": waiting.pk, "decision": "draft"})

    assert (status_of(published), status_of(waiting)) == (DRAFT, DRAFT)


def test_bad_review_queue_posts_get_a_message_and_change_nothing(counsellor_client):
    job = JobFactory(publication_status=DRAFT)
    for data in ({}, {"kind": "user", "pk": "1", "decision": "publish"}, {"kind": "job", "pk": "x", "decision": "go"}):
        response = counsellor_client.post(reverse("admin:review-queue"), data, follow=True)
        assert response.status_code == 200
        assert "Demande incomplète" in response.content.decode()
    response = counsellor_client.post(
        reverse("admin:review-queue"), {"kind": "job", "pk": job.pk, "decision": "publish"}, follow=True
    )
    assert "n’attend plus de validation" in response.content.decode()
    assert status_of(job) == DRAFT


def test_training_drafts_are_previewed_by_staff_only(counsellor_client, client):
    training = TrainingFactory(publication_status=DRAFT)
    assert counsellor_client.get(training.get_absolute_url()).status_code == 200
    client.logout()
    assert client.get(training.get_absolute_url()).status_code == 404


# --- Roles ------------------------------------------------------------------------------------------


def test_the_data_migration_moves_the_old_group_members_to_editors():
    migration = importlib.import_module("catalogue.migrations.0007_counsellor_roles")
    Group.objects.filter(name=EDITORS_GROUP).delete()
    old = Group.objects.create(name=migration.OLD_GROUP)
    member = User.objects.create_user("ancienne", is_staff=True)
    old.user_set.add(member)

    migration.split_group(django_apps, None)

    assert list(member.groups.values_list("name", flat=True)) == [EDITORS_GROUP]
    assert not Group.objects.filter(name=migration.OLD_GROUP).exists()


def test_an_account_manager_manages_accounts_but_not_the_catalogue(client, account_manager, django_user_model):
    client.force_login(account_manager)
    root = django_user_model.objects.create_superuser("racine", password="x")

    assert client.get(admin_url(Job, "changelist")).status_code == 403
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 200
    assert client.get(reverse("admin:auth_user_change", args=[root.pk])).status_code == 302  # out of reach
    colleague = django_user_model.objects.create_user("collegue", is_staff=True)
    form = client.get(reverse("admin:auth_user_change", args=[colleague.pk])).context["adminform"].form
    assert "is_superuser" not in form.fields
    assert "user_permissions" not in form.fields
    assert sorted(group.name for group in form.fields["groups"].queryset) == [
        "Administrateurs",
        "Rédacteurs",
        "Validateurs",
    ]


def test_a_counsellor_resets_a_forgotten_password_by_email(client, editor):
    editor.email = "redactrice@example.org"
    editor.save()

    login = client.get(reverse("admin:login")).content.decode()
    assert reverse("admin_password_reset") in login
    response = client.post(reverse("admin_password_reset"), {"email": "redactrice@example.org"})

    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/admin/reinitialisation/" in mail.outbox[0].body


def test_an_editor_cannot_run_an_onisep_import_which_would_publish(editor_client):
    assert editor_client.get(reverse("admin:catalogue_importrun_onisep")).status_code == 403


def test_an_account_manager_cannot_give_themselves_a_role(client, account_manager):
    client.force_login(account_manager)
    form = client.get(reverse("admin:auth_user_change", args=[account_manager.pk])).context["adminform"].form
    assert "groups" not in form.fields


def test_a_review_queue_post_with_an_exotic_digit_gets_a_message(counsellor_client):
    response = counsellor_client.post(
        reverse("admin:review-queue"), {"kind": "job", "pk": "²", "decision": "publish"}, follow=True
    )
    assert response.status_code == 200
    assert "Demande incomplète" in response.content.decode()
