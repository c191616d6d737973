"""Facet counts (catalogue/facets.py): the facet index of the catalogue cache gives the counts of the SQL
query, for every kind of filter, and an edit shows in them at once.

The `catalogue` cache is off in tests (a DummyCache, as in development: writes made with factories
do not move the catalogue version on); `catalogue_cache` turns it on with local memory, emptied with
the default cache (which holds the version) before and after each test.
"""

import pytest
from django.core.cache import cache, caches
from django.http import QueryDict
from django.urls import reverse

from catalogue import facets, filters
from catalogue.facets import FacetIndex, facet_index, load_vocabularies
from catalogue.filters import JobFilter
from catalogue.models import Job, PublicationStatus, Sector, Status
from catalogue.services.cache import bump_catalogue_version
from catalogue.services.search import refresh_search_text

from .admin_support import change_form_data, form_errors
from .factories import JobFactory, TrainingFactory, interest, level

pytestmark = pytest.mark.django_db

LIST = reverse("catalogue:job-list")
NATURE, HANDS, OUTSIDE = "T-IDEO2.4824", "T-IDEO2.4806", "T-IDEO2.4823"


@pytest.fixture
def catalogue_cache(settings):
    settings.CACHES = {
        **settings.CACHES,
        "catalogue": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "test-catalogue"},
    }
    cache.clear()
    caches["catalogue"].clear()
    yield
    cache.clear()
    caches["catalogue"].clear()


@pytest.fixture
def catalogue():
    """Published jobs over interests, levels, statuses, sectors and a training; a draft and a withdrawn
    job carrying the same options, which no count may include."""
    nature, hands, outside = interest(NATURE), interest(HANDS), interest(OUTSIDE)
    statuses = list(Status.objects.order_by("pk")[:2])
    sectors = list(Sector.objects.order_by("pk")[:2])
    training = TrainingFactory(slug="bts-amenagements-paysagers")
    jobs = [
        JobFactory(name="jardinier/ère", slug="jardinier-ere", interests=[nature, hands], trainings=[training],
                   access_level=level("cap-ou-equivalent")),
        JobFactory(name="garde forestier/ère", slug="garde-forestier-ere", interests=[nature, outside],
                   trainings=[training], access_level=level("bac-2")),
        JobFactory(name="maçon/ne", slug="macon-ne", interests=[hands], access_level=level("cap-ou-equivalent")),
        JobFactory(name="paysagiste", slug="paysagiste", interests=[nature, hands, outside], access_level=None),
        JobFactory(name="jardinier/ère d'intérieur", slug="jardinier-interieur", interests=[hands],
                   access_level=level("bac-5")),
    ]  # fmt: skip
    jobs[0].statuses.set(statuses)
    jobs[1].statuses.set(statuses[:1])
    jobs[2].sectors.set(sectors)
    jobs[3].sectors.set(sectors[1:])
    hidden = [
        JobFactory(publication_status=PublicationStatus.DRAFT, published_at=None),
        JobFactory(withdrawn_at="2026-01-01T00:00:00Z"),
    ]
    for job in hidden:
        job.interests.set([nature, hands, outside])
        job.trainings.set([training])
        job.statuses.set(statuses)
        job.sectors.set(sectors)
    return {"jobs": jobs, "training": training, "statuses": statuses, "sectors": sectors}


def shown(client, params: dict) -> tuple[dict, list]:
    """Every option's count and the rescue links of the list at these parameters."""
    response = client.get(LIST, params)
    assert response.status_code == 200
    counts = {
        name: [(option.slug, option.count) for option in options]
        for name, options in response.context["facets"].items()
    }
    rescue = [(link.label, link.count, link.query) for link in response.context["rescue_links"]]
    return counts, rescue


def count(client, params: dict, facet: str, slug: str) -> int:
    counts, _rescue = shown(client, params)
    return dict(counts[facet])[slug]


FILTERS = {
    "none": {},
    "one interest": {"interest": "nature"},
    "two interests": {"interest": ["nature", "outside"]},
    "interest and level": {"interest": "hands", "level": "bac-2"},
    "status and sector": {"status": "status0", "sector": "sector1"},
    "search": {"q": "jardinier"},
    "search and interest": {"q": "jardinier", "interest": "hands"},
    "training": {"training": "bts-amenagements-paysagers"},
    "training, search and interests": {
        "training": "bts-amenagements-paysagers", "q": "garde", "interest": ["nature", "hands"],
    },
    "empty: level": {"interest": "outside", "level": "cap-ou-equivalent", "sector": "sector1"},
    "empty: search": {"q": "astronaute", "interest": "nature"},
    "empty: search and training": {"q": "macon", "training": "bts-amenagements-paysagers", "level": "bac-2"},
}  # fmt: skip


def resolve(params: dict, catalogue: dict) -> dict:
    """Placeholders of FILTERS -> slugs of the fixture's records."""
    names = {
        "nature": interest(NATURE).slug,
        "hands": interest(HANDS).slug,
        "outside": interest(OUTSIDE).slug,
        "status0": catalogue["statuses"][0].slug,
        "sector1": catalogue["sectors"][1].slug,
    }
    return {
        key: [names.get(v, v) for v in value] if isinstance(value, list) else names.get(value, value)
        for key, value in params.items()
    }


@pytest.mark.parametrize("case", FILTERS)
def test_the_facet_index_gives_the_counts_of_the_sql_query(client, settings, catalogue, case):
    params = resolve(FILTERS[case], catalogue)
    from_sql = shown(client, params)
    settings.CACHES = {
        **settings.CACHES,
        "catalogue": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "test-catalogue"},
    }
    caches["catalogue"].clear()
    try:
        from_index = shown(client, params)
        assert facet_index() is not None  # the counts did come from the index
    finally:
        caches["catalogue"].clear()
    assert from_index == from_sql
    if case.startswith("empty"):
        assert from_sql[1], "an empty list offers a way out"


@pytest.mark.parametrize("case", [case for case, params in FILTERS.items() if "q" in params])
def test_with_the_search_ids_the_index_counts_a_search_without_a_query(
    monkeypatch, django_assert_num_queries, catalogue_cache, catalogue, case
):
    """JobFilter.facets() gives the search's own ids: they spare the query of the search's ids."""
    data = QueryDict(mutable=True)
    for name, value in resolve(FILTERS[case], catalogue).items():
        data.setlist(name, value if isinstance(value, list) else [value])
    jobs = JobFilter(data, queryset=Job.objects.published().for_listing())
    result_count = jobs.qs.count()
    arguments = {}

    def count_facets(**kwargs):
        arguments.update(kwargs)
        return facets.count_facets(**kwargs)

    monkeypatch.setattr(filters, "count_facets", count_facets)
    expected = jobs.facets(result_count=result_count)
    training = "training" in FILTERS[case]
    assert arguments["search_ids"] == jobs.hit_ids
    with django_assert_num_queries(1 if training else 0):
        assert facets.count_facets(**arguments) == expected


def test_the_index_leaves_out_drafts_and_withdrawn_jobs(catalogue_cache, catalogue):
    index = FacetIndex.build()
    assert index.everyone.bit_count() == 5
    assert sorted(index.ids) == sorted(job.pk for job in catalogue["jobs"])


def test_a_facet_count_is_right_at_once_after_an_edit_in_the_admin(
    client, counsellor_client, catalogue_cache, catalogue, django_capture_on_commit_callbacks
):
    anonymous = client.__class__()
    outside = interest(OUTSIDE)
    assert count(anonymous, {}, "interest", outside.slug) == 2
    assert count(anonymous, {"level": "bac-2"}, "interest", outside.slug) == 1
    assert count(anonymous, {}, "level", "cap-ou-equivalent") == 2

    mason = catalogue["jobs"][2]
    change_url = reverse("admin:catalogue_job_change", args=[mason.pk])
    data = change_form_data(counsellor_client.get(change_url))
    data["interests"] = [str(interest(HANDS).pk), str(outside.pk)]
    data["access_level"] = str(level("bac-2").pk)
    with django_capture_on_commit_callbacks(execute=True):
        response = counsellor_client.post(change_url, data)
    assert response.status_code == 302, form_errors(response)

    assert count(anonymous, {}, "interest", outside.slug) == 3
    assert count(anonymous, {"level": "bac-2"}, "interest", outside.slug) == 2
    assert count(anonymous, {}, "level", "cap-ou-equivalent") == 1
    assert count(anonymous, {"q": "macon"}, "interest", outside.slug) == 1


def test_unpublishing_a_job_takes_it_out_of_the_counts_at_once(
    client, counsellor_client, catalogue_cache, catalogue, django_capture_on_commit_callbacks
):
    nature = interest(NATURE)
    assert count(client, {}, "interest", nature.slug) == 3
    with django_capture_on_commit_callbacks(execute=True):
        counsellor_client.post(
            reverse("admin:catalogue_job_changelist"),
            {"action": "unpublish", "_selected_action": [catalogue["jobs"][0].pk]},
        )
    assert count(client, {}, "interest", nature.slug) == 2
    assert count(client, {"training": catalogue["training"].slug}, "interest", nature.slug) == 1


def test_the_index_is_built_once_per_catalogue_version(
    catalogue_cache, catalogue, django_assert_num_queries, django_capture_on_commit_callbacks
):
    with django_assert_num_queries(1):
        first = facet_index()
    with django_assert_num_queries(0):
        assert facet_index().ids == first.ids
    with django_capture_on_commit_callbacks(execute=True):
        JobFactory(interests=[interest(NATURE)])
        bump_catalogue_version()
    with django_assert_num_queries(1):
        assert len(facet_index().ids) == len(first.ids) + 1


def test_a_job_the_index_does_not_know_sends_the_count_back_to_sql(client, catalogue_cache, catalogue):
    """A safety net for a write that forgot to move the version on: the ids of a search come from the
    database, and one unknown to the index makes the counts come from SQL."""
    nature = interest(NATURE)
    assert count(client, {"q": "jardinier"}, "interest", nature.slug) == 1
    botanist = JobFactory(name="jardinier/ère botaniste", slug="jardinier-botaniste", interests=[nature])
    refresh_search_text([botanist])  # and no bump_catalogue_version()
    assert count(client, {"q": "jardinier"}, "interest", nature.slug) == 2


def test_each_call_gets_its_own_vocabulary_records(catalogue_cache, django_assert_num_queries):
    first = load_vocabularies()
    first["interest"][0].name = "changed"
    with django_assert_num_queries(0):
        second = load_vocabularies()
    assert second["interest"][0].name != "changed"
    assert [record.slug for record in second["level"]] == [record.slug for record in first["level"]]
