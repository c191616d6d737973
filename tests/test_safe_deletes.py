"""Nothing that published jobs use disappears by accident (catalogue.admin.catalogue.SafeDeleteMixin)."""

import pytest

from catalogue.models import Interest, PublicationStatus, Sector, Status, Training

from .admin_support import admin_url
from .factories import JobFactory, TrainingFactory, interest, level, sector

pytestmark = pytest.mark.django_db


def test_a_training_used_by_a_published_job_cannot_be_deleted(counsellor_client):
    training = TrainingFactory(name="BTS fleuriste")
    job = JobFactory(name="fleuriste", trainings=[training], publication_status=PublicationStatus.PUBLISHED)

    page = counsellor_client.get(admin_url(Training, "delete", training.pk))
    counsellor_client.post(admin_url(Training, "delete", training.pk), {"post": "yes"})

    assert "Métier publié" in page.content.decode()
    assert admin_url(type(job), "change", job.pk) in page.content.decode()
    assert Training.objects.filter(pk=training.pk).exists()
    assert list(job.trainings.all()) == [training]


def test_the_bulk_delete_action_refuses_too(counsellor_client):
    used = interest("T-IDEO2.4825")
    JobFactory(interests=[used], publication_status=PublicationStatus.PUBLISHED)

    response = counsellor_client.post(
        admin_url(Interest, "changelist"), {"action": "delete_selected", "_selected_action": [used.pk], "post": "yes"}
    )

    assert "Métier publié" in response.content.decode()
    assert Interest.objects.filter(pk=used.pk).exists()


@pytest.mark.parametrize(
    ("model", "make", "link"),
    [
        (Status, lambda: Status.objects.first(), "statuses"),
        (Sector, lambda: sector("T-IDEO2.4852"), "sectors"),
    ],
)
def test_statuses_and_sectors_in_use_are_protected(counsellor_client, model, make, link):
    record = make()
    JobFactory(publication_status=PublicationStatus.PUBLISHED, **{link: [record]})
    page = counsellor_client.get(admin_url(model, "delete", record.pk)).content.decode()
    assert "Métier publié" in page


def test_a_level_in_use_is_protected_by_the_database_and_the_admin(counsellor_client):
    bac2 = level("bac-2")
    JobFactory(access_level=bac2, publication_status=PublicationStatus.PUBLISHED)
    counsellor_client.post(admin_url(type(bac2), "delete", bac2.pk), {"post": "yes"})
    assert type(bac2).objects.filter(pk=bac2.pk).exists()


def test_a_training_linked_to_drafts_only_is_deleted_after_a_confirmation_that_lists_the_links(counsellor_client):
    training = TrainingFactory(name="BTS fleuriste")
    draft = JobFactory(trainings=[training], publication_status=PublicationStatus.DRAFT)

    page = counsellor_client.get(admin_url(Training, "delete", training.pk)).content.decode()
    assert "Métier publié" not in page
    assert "relation" in page.lower()  # the job-training link to be removed is listed
    response = counsellor_client.post(admin_url(Training, "delete", training.pk), {"post": "yes"})

    assert response.status_code == 302
    assert not Training.objects.filter(pk=training.pk).exists()
    assert draft.trainings.count() == 0
