"""factory_boy factories for the catalogue's models."""

import factory
from django.utils import timezone

from catalogue.models import (
    AccessLevel,
    Appellation,
    Interest,
    Job,
    PublicationStatus,
    RelatedJob,
    Sector,
    Status,
    Training,
)


class JobFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Job
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"technicien/ne numéro {n}")
    slug = factory.Sequence(lambda n: f"technicien-ne-numero-{n}")
    onisep_id = factory.Sequence(lambda n: f"MET.{90000 + n}")
    feminine_name = factory.Sequence(lambda n: f"technicienne numéro {n}")
    masculine_name = factory.Sequence(lambda n: f"technicien numéro {n}")
    presentation = "<p>Une présentation.</p>"
    summary = "<p>En bref.</p>"
    publication_status = PublicationStatus.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def interests(self, create, extracted, **kwargs):
        if create and extracted:
            self.interests.set(extracted)

    @factory.post_generation
    def trainings(self, create, extracted, **kwargs):
        if create and extracted:
            self.trainings.set(extracted)

    @factory.post_generation
    def statuses(self, create, extracted, **kwargs):
        if create and extracted:
            self.statuses.set(extracted)

    @factory.post_generation
    def sectors(self, create, extracted, **kwargs):
        if create and extracted:
            self.sectors.set(extracted)

    @factory.post_generation
    def refresh_search(self, create, extracted, **kwargs):
        if create:
            from catalogue.services.search import refresh_search_text

            refresh_search_text([self])
            self.refresh_from_db(fields=["search_text"])


class AppellationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Appellation

    job = factory.SubFactory(JobFactory)
    name = factory.Sequence(lambda n: f"appellation/e {n}")
    feminine_name = factory.Sequence(lambda n: f"appellatione {n}")
    masculine_name = factory.Sequence(lambda n: f"appellation {n}")


class TrainingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Training

    name = factory.Sequence(lambda n: f"BTS formation {n}")
    slug = factory.Sequence(lambda n: f"bts-formation-{n}")
    onisep_id = factory.Sequence(lambda n: f"FOR.{90000 + n}")
    type_acronym = "BTS"
    duration = "2 ans"
    publication_status = PublicationStatus.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)


class RelatedJobFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RelatedJob

    job = factory.SubFactory(JobFactory)
    target = factory.SubFactory(JobFactory)
    target_name = factory.LazyAttribute(lambda o: o.target.name if o.target else "métier absent")


def level(label_slug: str) -> AccessLevel:
    """A level from the reference vocabulary loaded by the migrations ('bac-2', 'cap-ou-equivalent'...)."""
    return AccessLevel.objects.get(slug=label_slug)


def interest(onisep_id: str) -> Interest:
    return Interest.objects.get(onisep_id=onisep_id)


def status(onisep_id: str) -> Status:
    return Status.objects.get(onisep_id=onisep_id)


def sector(onisep_id: str) -> Sector:
    return Sector.objects.get(onisep_id=onisep_id)
