"""The public page cache (catalogue.middleware.PageCacheMiddleware) and its exact invalidation.

Page caching is off in tests by default (PAGE_CACHE_SECONDS=0 outside production): every test here
turns it on with a local-memory cache, emptied before and after each test. Writes bump the version
once their transaction commits: the test transaction never commits, so writes run inside
`django_capture_on_commit_callbacks(execute=True)`, which plays the commit.
"""

from pathlib import Path

import pytest
from django.contrib import admin
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.template import engines
from django.template.loaders.cached import Loader as CachedLoader
from django.test import RequestFactory
from django.urls import reverse
from django.utils.csp import LazyNonce

from catalogue.admin.catalogue import CatalogueWriteMixin
from catalogue.importers.onisep import import_onisep
from catalogue.importers.sheets import import_sheets
from catalogue.middleware import PageCacheMiddleware
from catalogue.models import ImportConflict, ImportRun, Job, JobSlugRedirect, PublicationStatus
from catalogue.services.cache import VERSION_KEY, bump_catalogue_version, catalogue_version

from .factories import JobFactory, TrainingFactory, interest
from .test_admin import change_form_data, form_errors
from .test_settings import PRODUCTION_ENV, load_settings

pytestmark = pytest.mark.django_db

REPO_DIR = Path(__file__).resolve().parent.parent
ONISEP_DATA = Path(__file__).resolve().parent / "data" / "onisep"
VALID_SHEETS = Path(__file__).resolve().parent / "data" / "sheets" / "valid"
INTEREST = "T-IDEO2.4825"


@pytest.fixture(autouse=True)
def page_cache(settings):
    """Page caching on, in an empty local-memory cache that no other test sees warm."""
    settings.PAGE_CACHE_SECONDS = 300
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def job():
    """A published job with a published training and an interest, each with its own page."""
    training = TrainingFactory(name="BTS boulangerie", slug="bts-boulangerie")
    return JobFactory(name="boulanger/ère", slug="boulanger-ere", trainings=[training], interests=[interest(INTEREST)])


def pages_showing(job: Job) -> list[str]:
    """The list, the job's page, its trainings' pages and its interests' pages."""
    return [
        reverse("catalogue:job-list"),
        job.get_absolute_url(),
        *[training.get_absolute_url() for training in job.trainings.all()],
        *[reverse("catalogue:interest-detail", args=[item.slug]) for item in job.interests.all()],
    ]


def public_pages(job: Job) -> list[str]:
    return [
        reverse("catalogue:home"),
        reverse("catalogue:job-list"),
        reverse("catalogue:job-list") + "?q=boulanger",
        reverse("catalogue:job-list") + f"?interets={job.interests.first().slug}",
        job.get_absolute_url(),
        reverse("catalogue:training-list"),
        job.trainings.first().get_absolute_url(),
        reverse("catalogue:interest-list"),
        reverse("catalogue:interest-detail", args=[job.interests.first().slug]),
        reverse("legal-notice"),
        reverse("sources"),
        reverse("accessibility"),
        reverse("catalogue:job-detail", args=["no-such-job"]),  # 404
    ]


# --- Hits cost nothing -------------------------------------------------------------------------------


def test_second_anonymous_visit_of_every_public_page_costs_no_query(client, job, django_assert_num_queries):
    for url in public_pages(job):
        first = client.get(url)
        with django_assert_num_queries(0):
            second = client.get(url)
        assert second.status_code == first.status_code, url
        assert second.content == first.content, url


def test_a_cached_page_keeps_the_headers_of_the_rendered_one(client, job):
    first = client.get(job.get_absolute_url())
    second = client.get(job.get_absolute_url())
    assert dict(second.headers) == dict(first.headers)
    assert first["Content-Security-Policy"] and first["X-Frame-Options"] == "DENY"
    assert "Cookie" in first["Vary"]
    assert "no-cache" in first["Cache-Control"]
    assert first["ETag"]


def test_old_slug_redirect_and_missing_page_are_cached_and_invalidated(client, job, django_capture_on_commit_callbacks):
    JobSlugRedirect.objects.create(old_slug="boulanger", job=job)
    old = reverse("catalogue:job-detail", args=["boulanger"])
    assert client.get(old).status_code == 301
    missing = reverse("catalogue:job-detail", args=["patissier"])
    assert client.get(missing).status_code == 404

    with django_capture_on_commit_callbacks(execute=True):
        JobSlugRedirect.objects.all().delete()
        JobFactory(slug="patissier")
        bump_catalogue_version()

    assert client.get(old).status_code == 404
    assert client.get(missing).status_code == 200


def test_the_query_string_is_part_of_the_key(client, job):
    JobFactory(name="pâtissier/ère", slug="patissier-ere")
    list_url = reverse("catalogue:job-list")
    assert client.get(list_url, {"q": "boulanger"}).content != client.get(list_url, {"q": "patissier"}).content
    assert "pâtissier" in client.get(list_url, {"q": "patissier"}).content.decode()


# --- Exact invalidation ------------------------------------------------------------------------------


def test_a_counsellor_edit_shows_at_once_on_every_page_that_shows_the_job(
    client, counsellor_client, job, django_capture_on_commit_callbacks
):
    """An anonymous visitor has the list, the job, its training and its interest cached; a counsellor
    renames the job in the admin; the visitor's next visit of each page shows the new name."""
    anonymous = client.__class__()
    pages = pages_showing(job)
    assert len(pages) == 4
    for url in pages:
        assert "boulanger/ère" in anonymous.get(url).content.decode().lower(), url

    change_url = reverse("admin:catalogue_job_change", args=[job.pk])
    data = change_form_data(counsellor_client.get(change_url))
    data["name"] = "maître boulanger/ère"
    with django_capture_on_commit_callbacks(execute=True):
        response = counsellor_client.post(change_url, data)
    assert response.status_code == 302, form_errors(response)

    for url in pages:
        assert "maître boulanger/ère" in anonymous.get(url).content.decode().lower(), url


def test_unpublishing_from_the_admin_list_removes_the_job_at_once(
    client, counsellor_client, job, django_capture_on_commit_callbacks
):
    anonymous = client.__class__()
    assert anonymous.get(job.get_absolute_url()).status_code == 200
    assert "boulanger/ère" in anonymous.get(reverse("catalogue:job-list")).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        counsellor_client.post(
            reverse("admin:catalogue_job_changelist"), {"action": "unpublish", "_selected_action": [job.pk]}
        )

    assert Job.objects.get(pk=job.pk).publication_status == PublicationStatus.DRAFT
    assert anonymous.get(job.get_absolute_url()).status_code == 404
    assert "boulanger/ère" not in anonymous.get(reverse("catalogue:job-list")).content.decode()


def test_every_catalogue_admin_invalidates_the_cache():
    """Import runs and conflicts write through import_onisep / resolve_conflict, which bump themselves."""
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label == "catalogue" and model not in (ImportRun, ImportConflict):
            assert isinstance(model_admin, CatalogueWriteMixin), model.__name__


def test_a_write_bumps_the_version_only_once_committed(django_capture_on_commit_callbacks):
    before = catalogue_version()
    with django_capture_on_commit_callbacks(execute=True):
        bump_catalogue_version()
        assert catalogue_version() == before  # not before the commit
    assert catalogue_version() != before


def test_a_rolled_back_write_does_not_bump(django_capture_on_commit_callbacks):
    before = catalogue_version()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        bump_catalogue_version()
        raise RuntimeError
    assert catalogue_version() == before


def test_a_flushed_cache_starts_a_new_version_rather_than_reusing_one(django_capture_on_commit_callbacks):
    first = catalogue_version()
    cache.delete(VERSION_KEY)
    second = catalogue_version()
    assert second != first
    cache.delete(VERSION_KEY)
    with django_capture_on_commit_callbacks(execute=True):
        bump_catalogue_version()  # a bump with no version set starts a new one too
    assert catalogue_version() not in (first, second)


def test_a_sheet_import_bumps_the_version_and_a_dry_run_does_not(django_capture_on_commit_callbacks):
    before = catalogue_version()
    with django_capture_on_commit_callbacks(execute=True):
        report = import_sheets([VALID_SHEETS], dry_run=True)
    assert not report.errors
    assert catalogue_version() == before

    with django_capture_on_commit_callbacks(execute=True):
        report = import_sheets([VALID_SHEETS])
    assert not report.errors and report.created
    assert catalogue_version() != before


def test_an_onisep_import_bumps_the_version_and_a_dry_run_does_not(django_capture_on_commit_callbacks):
    jobs = ONISEP_DATA / "Onisep_Ideo_Fiches_metiers_25062024.xml"
    before = catalogue_version()
    with django_capture_on_commit_callbacks(execute=True):
        import_onisep(jobs_path=jobs, dry_run=True)
    assert catalogue_version() == before

    with django_capture_on_commit_callbacks(execute=True):
        import_onisep(jobs_path=jobs)
    assert Job.objects.exists()
    assert catalogue_version() != before


def test_suggestions_follow_the_catalogue_version(client, job, django_capture_on_commit_callbacks):
    url = reverse("catalogue:job-suggestions")
    assert client.get(url, {"q": "boulanger"}).json()["suggestions"]
    with django_capture_on_commit_callbacks(execute=True):
        Job.objects.filter(pk=job.pk).update(publication_status=PublicationStatus.DRAFT)
        bump_catalogue_version()
    assert client.get(url, {"q": "boulanger"}).json()["suggestions"] == []


# --- Counsellors -------------------------------------------------------------------------------------


def test_counsellors_never_get_a_cached_page_nor_fill_the_cache(client, counsellor_client):
    draft = JobFactory(publication_status=PublicationStatus.DRAFT, published_at=None)
    anonymous = client.__class__()
    assert anonymous.get(draft.get_absolute_url()).status_code == 404  # cached

    preview = counsellor_client.get(draft.get_absolute_url())
    assert preview.status_code == 200
    assert "brouillon" in preview.content.decode()
    assert "private" in preview["Cache-Control"]
    assert "ETag" not in preview

    assert anonymous.get(draft.get_absolute_url()).status_code == 404


def test_the_admin_and_the_health_check_are_not_cached(client, counsellor_client, django_assert_num_queries):
    counsellor_client.get(reverse("admin:index"))
    assert "ETag" not in counsellor_client.get(reverse("admin:index"))
    client.get(reverse("healthz"))
    with django_assert_num_queries(1):
        client.get(reverse("healthz"))


# --- Conditional GET ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["job", "training"])
def test_a_revisit_with_the_etag_costs_a_304_and_no_query(client, job, kind, django_assert_num_queries):
    url = job.get_absolute_url() if kind == "job" else job.trainings.first().get_absolute_url()
    etag = client.get(url)["ETag"]
    with django_assert_num_queries(0):
        revisit = client.get(url, headers={"If-None-Match": etag})
    assert revisit.status_code == 304
    assert revisit.content == b""
    assert revisit["ETag"] == etag


def test_an_unchanged_page_keeps_its_etag_across_versions(client, job, django_capture_on_commit_callbacks):
    etag = client.get(job.get_absolute_url())["ETag"]
    with django_capture_on_commit_callbacks(execute=True):
        bump_catalogue_version()  # another record changed
    assert client.get(job.get_absolute_url(), headers={"If-None-Match": etag}).status_code == 304


def test_a_changed_page_answers_200_to_an_old_etag(client, job, django_capture_on_commit_callbacks):
    etag = client.get(job.get_absolute_url())["ETag"]
    with django_capture_on_commit_callbacks(execute=True):
        Job.objects.filter(pk=job.pk).update(name="maître boulanger/ère")
        bump_catalogue_version()
    response = client.get(job.get_absolute_url(), headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert "maître boulanger/ère" in response.content.decode().lower()
    assert response["ETag"] != etag


# --- Content-Security-Policy -------------------------------------------------------------------------


def test_cached_public_pages_carry_no_nonce(client, job):
    for url in public_pages(job):
        for response in (client.get(url), client.get(url)):
            assert b"nonce" not in response.content, url
            assert "nonce-" not in response.get("Content-Security-Policy", ""), url


def test_public_templates_never_ask_for_a_nonce():
    templates = [path for path in (REPO_DIR / "templates").rglob("*.html") if "admin" not in path.parts]
    assert templates
    for path in templates:
        assert "nonce" not in path.read_text(encoding="utf-8"), path


def test_a_response_that_used_the_nonce_is_not_stored():
    calls = []

    def view(request):
        calls.append(request)
        return HttpResponse(f'<script nonce="{request._csp_nonce}"></script>')

    middleware = PageCacheMiddleware(view)
    for _ in range(2):
        request = RequestFactory().get(reverse("catalogue:home"))
        request._csp_nonce = LazyNonce()
        assert middleware(request).status_code == 200
    assert len(calls) == 2


# --- Settings ----------------------------------------------------------------------------------------


def test_page_cache_is_on_by_default_only_in_production_with_the_shared_cache():
    assert load_settings()["PAGE_CACHE_SECONDS"] == 0
    assert load_settings(**PRODUCTION_ENV)["PAGE_CACHE_SECONDS"] == 0
    assert load_settings(**PRODUCTION_ENV, REDIS_URL="redis://127.0.0.1:6379/0")["PAGE_CACHE_SECONDS"] == 300
    assert load_settings(**PRODUCTION_ENV, REDIS_URL="redis://x", PAGE_CACHE_SECONDS="0")["PAGE_CACHE_SECONDS"] == 0


def test_page_cache_off_serves_every_request_fresh(client, job, settings, django_assert_num_queries):
    settings.PAGE_CACHE_SECONDS = 0
    client.get(job.get_absolute_url())
    Job.objects.filter(pk=job.pk).update(name="maître boulanger/ère")  # no bump at all
    response = client.get(job.get_absolute_url())
    assert "maître boulanger/ère" in response.content.decode().lower()
    assert "ETag" not in response


def test_templates_go_through_the_cached_loader():
    """Django wraps the loaders in the cached loader when TEMPLATES sets none (all environments)."""
    assert "loaders" not in load_settings(**PRODUCTION_ENV)["TEMPLATES"][0]["OPTIONS"]
    loaders = engines["django"].engine.template_loaders
    assert [type(loader) for loader in loaders] == [CachedLoader]
