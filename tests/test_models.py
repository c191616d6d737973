import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from catalogue.models import AccessLevel, Interest, Job, PublicationStatus, Sector, Status
from catalogue.text import fold

from .factories import AppellationFactory, JobFactory, TrainingFactory

pytestmark = pytest.mark.django_db


def test_reference_vocabularies_exist_from_the_migrations():
    assert AccessLevel.objects.count() == 16
    assert Status.objects.count() == 9
    assert Interest.objects.count() == 27
    assert Sector.objects.count() == 49


def test_access_levels_are_ranked_in_educational_order():
    ranked = list(AccessLevel.objects.exclude(rank=None).values_list("onisep_id", flat=True))
    assert ranked[:6] == ["REF.414", "REF.406", "REF.408", "REF.413", "REF.404", "REF.412"]
    assert ranked[-1] == "REF.426"
    assert AccessLevel.objects.get(onisep_id="REF.415").rank is None  # "autre formation"
    assert AccessLevel.objects.get(onisep_id="REF.411").rank < AccessLevel.objects.get(onisep_id="REF.421").rank


def test_onisep_id_format_is_validated():
    job = JobFactory.build(onisep_id="FOR.12")
    with pytest.raises(ValidationError) as error:
        job.full_clean()
    assert "onisep_id" in error.value.message_dict


def test_onisep_id_format_is_enforced_by_the_database():
    job = JobFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Job.objects.filter(pk=job.pk).update(onisep_id="MET-12")


def test_onisep_id_is_unique_when_set_and_optional():
    JobFactory(onisep_id=None)
    JobFactory(onisep_id=None)
    JobFactory(onisep_id="MET.1")
    with pytest.raises(IntegrityError), transaction.atomic():
        JobFactory(onisep_id="MET.1")


def test_publication_status_is_a_closed_set():
    job = JobFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Job.objects.filter(pk=job.pk).update(publication_status="whatever")


def test_published_excludes_drafts_and_withdrawn_records():
    from django.utils import timezone

    public = JobFactory()
    JobFactory(publication_status=PublicationStatus.DRAFT)
    JobFactory(withdrawn_at=timezone.now())
    assert list(Job.objects.published()) == [public]


def test_appellation_names_are_unique_per_job():
    appellation = AppellationFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        AppellationFactory(job=appellation.job, name=appellation.name)


def test_search_text_holds_every_folded_title():
    job = JobFactory(name="infirmier/ère", feminine_name="infirmière", masculine_name="infirmier")
    AppellationFactory(job=job, name="infirmier·ère de bloc", feminine_name="infirmière de bloc", masculine_name="")
    from catalogue.services.search import refresh_search_text

    refresh_search_text([job])
    job.refresh_from_db()
    assert job.search_text.splitlines() == [
        "infirmier ere",
        "infirmiere",
        "infirmier",
        "infirmier ere de bloc",
        "infirmiere de bloc",
    ]


def test_fold_sets_aside_case_accents_ligatures_and_punctuation():
    assert fold("Œnologue") == "oenologue"
    assert fold("INFIRMIÈRE") == fold("infirmiere")
    assert fold("d’État") == fold("d'etat") == "d etat"
    assert fold("  ") == ""


def test_training_attribution_names_the_export():
    import datetime

    training = TrainingFactory(source="onisep", source_export_date=datetime.date(2024, 6, 25))
    assert training.attribution == "Source : Onisep, Idéo-Fiches formations, export du 25/06/2024"
    assert TrainingFactory().attribution == ""
