"""Every public page costs a fixed number of queries, whatever the number of rows.

Each test renders the page over a small catalogue (3 of everything) and a larger one (30), and asserts
the same exact count: an N+1 (a query per job, appellation, training...) would change it. Visitors are
anonymous, so no session or user query is made.
"""

import pytest
from django.urls import reverse

from catalogue.models import Interest, Job, JobResource, ResourceKind, RomeCode, Sector, Status, Training

from .factories import AppellationFactory, JobFactory, RelatedJobFactory, TrainingFactory, level
from .test_facets import catalogue_cache  # noqa: F401 -- the fixture, used by name

pytestmark = pytest.mark.django_db

SIZES = [3, 30]


def catalogue_of(size: int) -> tuple[list[Job], Training, Interest]:
    """`size` published jobs sharing a training and an interest, each with appellations and vocabularies."""
    training = TrainingFactory(level=level("bac-2"))
    other_trainings = TrainingFactory.create_batch(2)
    interest = Interest.objects.order_by("pk").first()
    statuses = list(Status.objects.order_by("pk")[:2])
    sectors = list(Sector.objects.order_by("pk")[:2])
    jobs = []
    for _ in range(size):
        job = JobFactory(
            access_level=level("bac-2"),
            trainings=[training, *other_trainings],
            interests=[interest, *Interest.objects.order_by("pk")[1:3]],
            statuses=statuses,
            sectors=sectors,
        )
        AppellationFactory.create_batch(2, job=job)
        jobs.append(job)
    return jobs, training, interest


def fully_linked_job(size: int) -> Job:
    """A job with `size` of every related row (appellations, trainings, related jobs...)."""
    job = JobFactory(
        access_level=level("bac-2"),
        trainings=TrainingFactory.create_batch(size),
        interests=list(Interest.objects.all()[:size]),
        statuses=list(Status.objects.all()[:size]),
        sectors=list(Sector.objects.all()[:size]),
    )
    AppellationFactory.create_batch(size, job=job)
    job.rome_codes.set(RomeCode.objects.create(code=f"M{1000 + n}") for n in range(size))
    for n in range(size):
        RelatedJobFactory(job=job, position=n)
        JobResource.objects.create(job=job, kind=ResourceKind.ONLINE, title=f"source {n}", url="https://example.org")
    return job


@pytest.mark.parametrize("size", SIZES)
def test_home_query_budget(client, django_assert_num_queries, size):
    catalogue_of(size)
    # 1. count of published jobs
    # 2. count of published trainings
    # 3. interests with their number of published jobs (one GROUP BY)
    # 4. ranked levels
    # 5. latest updated jobs, with their level (JOIN)
    with django_assert_num_queries(5):
        response = client.get(reverse("catalogue:home"))
    assert response.status_code == 200


@pytest.mark.parametrize("size", SIZES)
def test_job_list_query_budget(client, django_assert_num_queries, size):
    catalogue_of(size)
    # 1. the interest, status, sector and level vocabularies (one UNION ALL query)
    # 2. count of matching jobs
    # 3. the page of jobs, with their level (JOIN)
    # 4. facet counts of every option (one UNION ALL query)
    with django_assert_num_queries(4):
        response = client.get(reverse("catalogue:job-list"))
    assert response.status_code == 200


@pytest.mark.parametrize("size", SIZES)
def test_filtered_job_list_query_budget(client, django_assert_num_queries, size):
    _jobs, training, interest = catalogue_of(size)
    params = filtered_list_params(training, interest, size)
    # 1. the interest, status, sector and level vocabularies (one UNION ALL query)
    # 2. validation of the training slug
    # 3-6. search: title words starting with the query words (known: no typo query), titles holding them, ROME
    #      appellations holding them, texts holding them (no ROME match: no query for their jobs)
    # 7. count of matching jobs (filters as subqueries, no DISTINCT)
    # 8. the page of jobs, with their level (JOIN)
    # 9. facet counts of every option (one UNION ALL query)
    with django_assert_num_queries(9):
        response = client.get(reverse("catalogue:job-list"), params)
    assert response.context["paginator"].count == size


def filtered_list_params(training: Training, interest: Interest, size: int) -> dict:
    return {
        "q": "technicien",
        "interest": [interest.slug, Interest.objects.order_by("pk")[1].slug],
        "level": "bac-3",
        "training": training.slug,
        "status": Status.objects.order_by("pk").first().slug,
        "sector": [sector.slug for sector in Sector.objects.order_by("pk")[:2]],
        "sort": "updated",
        "page": "2" if size > 20 else "1",
    }


@pytest.mark.parametrize("size", SIZES)
def test_job_list_query_budget_with_the_catalogue_cache(
    client,
    django_assert_num_queries,
    catalogue_cache,  # noqa: F811
    size,
):
    catalogue_of(size)
    facet_filters = {"interest": Interest.objects.order_by("pk")[1].slug, "level": "bac-3"}
    # First request of a catalogue version in this process:
    # 1. the interest, status, sector and level vocabularies (one UNION ALL query), then kept
    # 2. count of matching jobs
    # 3. the page of jobs, with their level (JOIN)
    # 4. the facet index: every published job and its options (one UNION ALL query), then kept
    with django_assert_num_queries(4):
        client.get(reverse("catalogue:job-list"))
    # Any other page of the list, or with filters on interests, levels, statuses and sectors:
    # 1. count of matching jobs
    # 2. the page of jobs, with their level (JOIN)
    with django_assert_num_queries(2):
        response = client.get(reverse("catalogue:job-list"), {"sort": "name", "page": "2"})
    with django_assert_num_queries(2):
        filtered = client.get(reverse("catalogue:job-list"), facet_filters)
    assert response.status_code == 200
    assert filtered.context["paginator"].count == size


@pytest.mark.parametrize("size", SIZES)
def test_filtered_job_list_query_budget_with_the_catalogue_cache(
    client,
    django_assert_num_queries,
    catalogue_cache,  # noqa: F811
    size,
):
    _jobs, training, interest = catalogue_of(size)
    params = filtered_list_params(training, interest, size)
    client.get(reverse("catalogue:job-list"))
    # 1. validation of the training slug
    # 2-5. search: title words starting with the query words, titles holding them, ROME appellations
    #      holding them, texts holding them
    # 6. count of matching jobs
    # 7. the page of jobs, with their level (JOIN)
    # 8. ids of the jobs matching all filters but each active facet's own (one UNION ALL query)
    with django_assert_num_queries(8):
        response = client.get(reverse("catalogue:job-list"), params)
    assert response.context["paginator"].count == size


@pytest.mark.parametrize("size", SIZES)
def test_job_page_query_budget(client, django_assert_num_queries, size):
    job = fully_linked_job(size)
    # 1. the job and its level (JOIN)
    # 2. its displayed appellations
    # 3. ROME codes
    # 4. trainings
    # 5. statuses
    # 6. interests
    # 7. sectors
    # 8. related jobs with their targets (JOIN)
    # 9. publications and online sources
    with django_assert_num_queries(9):
        response = client.get(job.get_absolute_url())
    assert response.status_code == 200
    assert response.content.decode().count("source ") >= size


@pytest.mark.parametrize("size", SIZES)
def test_withdrawn_job_page_query_budget(client, django_assert_num_queries, size):
    job = fully_linked_job(size)
    Job.objects.filter(pk=job.pk).update(withdrawn_at="2026-01-01T00:00:00Z")
    # 1. the job among visible ones (none)
    # 2. the job among withdrawn ones
    # 3. its related jobs with their targets (JOIN)
    with django_assert_num_queries(3):
        response = client.get(job.get_absolute_url())
    assert response.status_code == 410


@pytest.mark.parametrize("size", SIZES)
def test_training_list_query_budget(client, django_assert_num_queries, size):
    TrainingFactory.create_batch(size, level=level("bac-2"))
    # 1. count of published trainings with a sheet
    # 2. the page of trainings, with their level (JOIN)
    # 3. choices of the level select
    with django_assert_num_queries(3):
        response = client.get(reverse("catalogue:training-list"))
    assert response.status_code == 200


@pytest.mark.parametrize("size", SIZES)
def test_filtered_training_list_query_budget(client, django_assert_num_queries, size):
    TrainingFactory.create_batch(size, level=level("bac-2"))
    # 1. validation of the level slug
    # 2. count of matching trainings
    # 3. the page of trainings, with their level (JOIN)
    # 4. choices of the level select
    with django_assert_num_queries(4):
        response = client.get(reverse("catalogue:training-list"), {"level": "bac-2", "q": "bts"})
    assert response.context["paginator"].count == size


@pytest.mark.parametrize("size", SIZES)
def test_training_page_query_budget(client, django_assert_num_queries, size):
    _jobs, training, _interest = catalogue_of(size)
    # 1. the training and its level (JOIN)
    # 2. its published jobs, with their level (JOIN)
    with django_assert_num_queries(2):
        response = client.get(training.get_absolute_url())
    assert response.content.decode().count('class="card"') == size


@pytest.mark.parametrize("size", SIZES)
def test_interest_list_query_budget(client, django_assert_num_queries, size):
    catalogue_of(size)
    # 1. interests with their number of published jobs (one GROUP BY)
    with django_assert_num_queries(1):
        response = client.get(reverse("catalogue:interest-list"))
    assert response.status_code == 200


@pytest.mark.parametrize("size", SIZES)
def test_interest_page_query_budget(client, django_assert_num_queries, size):
    _jobs, _training, interest = catalogue_of(size)
    # 1. the interest
    # 2. count of its published jobs
    # 3. the page of jobs, with their level (JOIN)
    with django_assert_num_queries(3):
        response = client.get(interest.get_absolute_url())
    assert response.context["paginator"].count == size
