"""Searches that found nothing: counted anonymously (cached pages included), listed for counsellors,
and turned into search-only appellations of a job in one step (catalogue.services.failed_searches,
the job list, the page cache and catalogue.admin.failed_searches)."""

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from catalogue.middleware import ENTRY_LENGTH, PageCacheMiddleware
from catalogue.models import Appellation, AppellationKind, FailedSearch, Job, PublicationStatus
from catalogue.permissions import EDITORS_GROUP
from catalogue.services import failed_searches
from catalogue.services.cache import catalogue_version
from catalogue.services.failed_searches import add_as_search_appellation, normalise_search, record_failed_search
from catalogue.services.search import refresh_search_text

from .factories import AppellationFactory, JobFactory, level

pytestmark = pytest.mark.django_db

LIST = reverse("catalogue:job-list")
SUGGESTIONS = reverse("catalogue:job-suggestions")
CHANGELIST = reverse("admin:catalogue_failedsearch_changelist")


def add_url(failed: FailedSearch) -> str:
    return reverse("admin:catalogue_failedsearch_add_to_job", args=[failed.pk])


def failed_search(term: str, count: int = 1, **fields) -> FailedSearch:
    today = timezone.localdate()
    return FailedSearch.objects.create(
        term=term, count=count, first_searched_on=today, last_searched_on=today, **fields
    )


def counts() -> dict[str, int]:
    return dict(FailedSearch.objects.values_list("term", "count"))


def data_queries(captured: CaptureQueriesContext) -> list[str]:
    """The queries of a block, without the savepoints that wrap the counter's write."""
    return [
        query["sql"]
        for query in captured.captured_queries
        if not query["sql"].upper().startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT"))
    ]


@pytest.fixture
def forester():
    return JobFactory(name="garde forestier/ère", feminine_name="garde forestière", masculine_name="garde forestier")


@pytest.fixture
def page_cache(settings):
    """The page cache on, in an empty local-memory cache (as in tests/test_page_cache.py)."""
    settings.PAGE_CACHE_SECONDS = 300
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


# --- Normalisation -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "term"),
    [
        ("astronaute", "astronaute"),
        ("  Électricien·ne   AUTO ! ", "electricien ne auto"),
        ("Chef d’œuvre", "chef d oeuvre"),
        ("ab", "ab"),
        ("", ""),
        (None, ""),
        ("a", ""),
        ("É", ""),
        (" a ! ", ""),
        ("?!… «»", ""),
        ("\x00\x00", ""),
    ],
)
def test_normalise_search_folds_and_ignores_empty_single_letter_and_punctuation(query, term):
    assert normalise_search(query) == term


def test_normalise_search_caps_the_term_at_200_characters():
    term = normalise_search("Ingénieur " * 100)
    assert len(term) <= 200
    assert term.startswith("ingenieur ingenieur")
    assert not term.endswith(" ")
    assert normalise_search("é" * 10_000) == "e" * 200


# --- Counting ----------------------------------------------------------------------------------------


def test_record_failed_search_creates_then_increments_with_dates():
    assert record_failed_search("Astronaute")
    row = FailedSearch.objects.get()
    assert (row.term, row.count) == ("astronaute", 1)
    assert row.first_searched_on == row.last_searched_on == timezone.localdate()

    FailedSearch.objects.filter(pk=row.pk).update(first_searched_on=date(2025, 1, 1), last_searched_on=date(2025, 1, 1))
    assert record_failed_search("astronaute")
    row.refresh_from_db()
    assert row.count == 2
    assert row.first_searched_on == date(2025, 1, 1)
    assert row.last_searched_on == timezone.localdate()


def test_record_failed_search_ignores_what_normalises_to_nothing():
    assert not record_failed_search("!")
    assert not record_failed_search("x")
    assert not FailedSearch.objects.exists()


def test_two_first_searches_at_once_count_twice(monkeypatch):
    """The other request inserts the term between our UPDATE (which found nothing) and our INSERT:
    the unique constraint refuses ours inside a savepoint, and we increment instead."""
    real_increment = failed_searches._increment
    calls = []

    def increment_racing_another_request(term, today):
        calls.append(term)
        if len(calls) == 1:
            failed_search(term)  # the other request's insert, committed meanwhile
            return 0
        return real_increment(term, today)

    monkeypatch.setattr(failed_searches, "_increment", increment_racing_another_request)
    assert record_failed_search("astronaute")
    assert counts() == {"astronaute": 2}
    assert len(calls) == 2
    assert Job.objects.count() == 0  # the connection is still usable after the refused insert (PostgreSQL)


def test_a_database_error_is_logged_not_raised(monkeypatch, caplog):
    def broken(term, today):
        raise OperationalError("database is locked")

    monkeypatch.setattr(failed_searches, "_increment", broken)
    assert not record_failed_search("astronaute")
    assert "non comptée" in caplog.text
    assert Job.objects.count() == 0  # the transaction is still usable


def test_a_public_search_that_finds_nothing_is_counted(client, forester):
    response = client.get(LIST, {"q": "astronaute"})
    assert response.status_code == 200
    assert response.context["paginator"].count == 0
    assert counts() == {"astronaute": 1}
    client.get(LIST, {"q": "astronaute"})
    assert counts() == {"astronaute": 2}


def test_accents_case_and_spacing_variants_count_as_one_search(client):
    for query in ["Astronaute", "ASTRONAUTÉ ", "  astronaute", "astronaute !"]:
        client.get(LIST, {"q": query})
    assert counts() == {"astronaute": 4}


def test_a_search_that_finds_jobs_is_not_counted(client, forester):
    for query in ["forestier", "garde forestière", "forestiere", "forestrier"]:  # the last one is a typo
        assert client.get(LIST, {"q": query}).context["paginator"].count == 1, query
    assert counts() == {}


def test_a_search_found_only_among_filtered_out_jobs_is_not_counted(client, forester):
    """The words were understood: an appellation would change nothing, the filter emptied the list."""
    Job.objects.filter(pk=forester.pk).update(access_level=level("bac-5"))
    response = client.get(LIST, {"q": "forestier", "level": "cap-ou-equivalent"})
    assert response.context["paginator"].count == 0
    assert counts() == {}


def test_a_search_that_finds_nothing_counts_whatever_the_filters(client, forester):
    response = client.get(LIST, {"q": "astronaute", "level": "bac-5", "sort": "name"})
    assert response.context["paginator"].count == 0
    assert counts() == {"astronaute": 1}


def test_a_search_that_finds_only_an_unpublished_job_is_counted(client):
    JobFactory(name="astronaute", publication_status=PublicationStatus.DRAFT, published_at=None)
    client.get(LIST, {"q": "astronaute"})
    assert counts() == {"astronaute": 1}


def test_no_search_and_a_one_letter_search_are_not_counted(client):
    client.get(LIST)
    client.get(LIST, {"q": "x"})
    client.get(LIST, {"q": " ?! "})
    client.get(LIST, {"q": "\x00"})
    assert counts() == {}


def test_the_suggestions_never_count_keystrokes(client, forester):
    for query in ["as", "ast", "astro", "astronaute"]:
        assert client.get(SUGGESTIONS, {"q": query}).json()["suggestions"] == []
    assert counts() == {}


def test_counsellors_and_head_requests_are_not_counted(client, counsellor_client):
    assert counsellor_client.get(LIST, {"q": "astronaute"}).status_code == 200
    assert client.__class__().head(LIST, {"q": "astronaute"}).status_code == 200
    assert counts() == {}


def test_nothing_but_the_term_counts_and_days_is_stored(client):
    """No address, session, user or time of day: the table has no column for them."""
    fields = {field.name for field in FailedSearch._meta.get_fields()}
    assert fields == {"id", "term", "count", "first_searched_on", "last_searched_on", "added_to", "handled_at"}

    client.cookies["tracking"] = "abc"
    client.get(LIST, {"q": "astronaute"}, REMOTE_ADDR="203.0.113.9", HTTP_USER_AGENT="Mozilla/5.0 Élève")
    row = FailedSearch.objects.values().get()
    assert row == {
        "id": row["id"],
        "term": "astronaute",
        "count": 1,
        "first_searched_on": timezone.localdate(),
        "last_searched_on": timezone.localdate(),
        "added_to_id": None,
        "handled_at": None,
    }
    assert "203.0.113.9" not in str(row) and "Mozilla" not in str(row)


# --- Cached pages count too --------------------------------------------------------------------------


def test_a_failed_search_served_from_the_page_cache_is_counted(client, page_cache, forester):
    first = client.get(LIST, {"q": "astronaute"})
    assert counts() == {"astronaute": 1}
    with CaptureQueriesContext(connection) as captured:
        second = client.get(LIST, {"q": "astronaute"})
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]
    # Served from the cache: the only query is the counter's UPDATE (no view, no search, no page).
    queries = data_queries(captured)
    assert len(queries) == 1
    assert queries[0].upper().startswith("UPDATE") and "catalogue_failedsearch" in queries[0]
    assert counts() == {"astronaute": 2}


def test_a_304_revalidation_of_a_failed_search_is_counted(client, page_cache):
    etag = client.get(LIST, {"q": "astronaute"})["ETag"]
    revisit = client.get(LIST, {"q": "astronaute"}, headers={"If-None-Match": etag})
    assert revisit.status_code == 304
    assert counts() == {"astronaute": 2}


def test_variants_cached_under_different_addresses_count_as_one_term(client, page_cache):
    for query in ["Astronaute", "astronaute", "Astronaute"]:  # the third one is a hit of the first
        client.get(LIST, {"q": query})
    assert counts() == {"astronaute": 3}


def test_a_cached_page_that_found_jobs_still_costs_no_query(client, page_cache, forester, django_assert_num_queries):
    client.get(LIST, {"q": "forestier"})
    with django_assert_num_queries(0):
        assert client.get(LIST, {"q": "forestier"}).status_code == 200
    assert counts() == {}


def test_a_cached_failed_search_is_not_counted_for_head_requests(client, page_cache):
    client.get(LIST, {"q": "astronaute"})
    assert client.head(LIST, {"q": "astronaute"}).status_code == 200
    assert counts() == {"astronaute": 1}


def test_the_cache_entry_keeps_the_term_only_and_no_header_leaks_it(client, page_cache, rf):
    response = client.get(LIST, {"q": "Astronaute !"}, REMOTE_ADDR="203.0.113.9")
    assert not any("astronaute" in value.lower() for name, value in response.items() if name != "Content-Length")
    request = rf.get(LIST, {"q": "Astronaute !"})
    entry = cache.get(PageCacheMiddleware(lambda request: None).page_key(request))
    assert len(entry) == ENTRY_LENGTH
    assert entry[-1] == "astronaute"
    assert "203.0.113.9" not in repr(entry)


def test_an_entry_stored_by_the_previous_release_is_rendered_again(client, page_cache, rf):
    """Entries used to be (version, status, headers, content): such an entry is a miss, not a 500."""
    request = rf.get(LIST, {"q": "astronaute"})
    key = PageCacheMiddleware(lambda request: None).page_key(request)
    cache.set(key, (catalogue_version(), 200, [], b"old page"))
    response = client.get(LIST, {"q": "astronaute"})
    assert response.status_code == 200
    assert b"old page" not in response.content
    assert counts() == {"astronaute": 1}


def test_a_database_outage_does_not_break_a_cached_failed_search(client, page_cache, monkeypatch):
    first = client.get(LIST, {"q": "astronaute"})

    def broken(term, today):
        raise OperationalError("server closed the connection")

    monkeypatch.setattr(failed_searches, "_increment", broken)
    second = client.get(LIST, {"q": "astronaute"})
    assert second.status_code == 200
    assert second.content == first.content


# --- The counsellors' list ---------------------------------------------------------------------------


def test_the_admin_lists_failed_searches_most_frequent_first(editor_client):
    failed_search("astronaute", 3)
    failed_search("dresseur de dragons", 12)
    failed_search("youtubeur", 7)
    failed_search("cosmonaute", 3)
    response = editor_client.get(CHANGELIST)
    assert response.status_code == 200
    assert [row.term for row in response.context["cl"].result_list] == [
        "dresseur de dragons",
        "youtubeur",
        "astronaute",
        "cosmonaute",
    ]
    content = response.content.decode()
    assert content.count("Ajouter à un métier") == 4
    assert add_url(FailedSearch.objects.get(term="youtubeur")) in content


def test_the_admin_list_is_read_only(counsellor_client):
    failed = failed_search("astronaute", 3)
    assert counsellor_client.get(reverse("admin:catalogue_failedsearch_add")).status_code == 403
    change_url = reverse("admin:catalogue_failedsearch_change", args=[failed.pk])
    assert counsellor_client.get(change_url).status_code == 200
    assert counsellor_client.post(change_url, {"term": "autre", "count": 99}).status_code == 403
    failed.refresh_from_db()
    assert (failed.term, failed.count) == ("astronaute", 3)


def test_the_admin_filters_handled_searches_and_searches_terms_without_accents(editor_client, forester):
    failed_search("astronaute", 3)
    failed_search("cosmonaute", 2, added_to=forester, handled_at=timezone.now())

    def terms(**params):
        return [row.term for row in editor_client.get(CHANGELIST, params).context["cl"].result_list]

    assert terms(traitee="non") == ["astronaute"]
    assert terms(traitee="oui") == ["cosmonaute"]
    assert terms(q="ASTRONAUTÉ") == ["astronaute"]


def test_searches_can_be_marked_handled_without_adding_anything(editor_client):
    failed = failed_search("qsdfqsdf", 2)
    response = editor_client.post(CHANGELIST, {"action": "mark_handled", "_selected_action": [failed.pk]}, follow=True)
    assert "1 recherche marquée comme traitée." in response.content.decode()
    failed.refresh_from_db()
    assert failed.handled_at is not None
    assert failed.added_to is None
    assert not Appellation.objects.exists()


# --- Adding a search to a job ------------------------------------------------------------------------


def test_the_add_page_prefills_the_term_and_offers_a_job_autocomplete(editor_client, forester):
    failed = failed_search("astronaute", 5)
    response = editor_client.get(add_url(failed))
    assert response.status_code == 200
    content = response.content.decode()
    assert 'value="astronaute"' in content
    assert 'data-field-name="added_to"' in content and "admin-autocomplete" in content
    assert "5 fois" in content

    autocomplete = editor_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "catalogue", "model_name": "failedsearch", "field_name": "added_to", "term": "FORESTIERE"},
    )
    assert [result["id"] for result in autocomplete.json()["results"]] == [str(forester.pk)]


def test_adding_a_search_to_a_job_makes_the_same_search_find_it(
    client, editor_client, editor, forester, django_capture_on_commit_callbacks
):
    anonymous = client.__class__()
    anonymous.get(LIST, {"q": "Astronaute"})
    failed = FailedSearch.objects.get(term="astronaute")
    version = catalogue_version()

    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(add_url(failed), {"job": forester.pk, "name": "astronaute"}, follow=True)

    assert response.redirect_chain[-1][0] == CHANGELIST
    assert "La recherche « astronaute » trouve désormais le métier « garde forestier/ère »" in response.content.decode()
    appellation = Appellation.objects.get(job=forester)
    assert (appellation.name, appellation.kind) == ("astronaute", AppellationKind.SEARCH_ONLY)
    assert (appellation.feminine_name, appellation.masculine_name) == ("", "")
    failed.refresh_from_db()
    assert failed.added_to == forester
    assert failed.handled_at is not None
    assert catalogue_version() != version  # cached pages are invalidated
    # History: one revision of the job, by the counsellor, saying what happened.
    revision = Version.objects.get_for_object(forester).get().revision
    assert revision.user == editor
    assert "« astronaute »" in revision.comment and "recherches sans résultat" in revision.comment

    found = anonymous.get(LIST, {"q": "ASTRONAUTE"})
    assert [job.pk for job in found.context["object_list"]] == [forester.pk]
    assert "Trouvé via : astronaute" in found.content.decode()
    assert "astronaute" not in anonymous.get(forester.get_absolute_url()).content.decode()  # search only
    failed.refresh_from_db()
    assert failed.count == 1  # found now: no longer counted


def test_the_counsellor_may_restore_accents_but_not_change_the_words(editor_client, forester, client):
    failed = failed_search("electricien auto")
    refused = editor_client.post(add_url(failed), {"job": forester.pk, "name": "mécanicien auto"})
    assert refused.status_code == 200
    assert "L’appellation doit rester la recherche « electricien auto »" in refused.content.decode()
    assert not Appellation.objects.exists()

    editor_client.post(add_url(failed), {"job": forester.pk, "name": " Électricien   Auto "})
    assert Appellation.objects.get(job=forester).name == "Électricien Auto"
    assert "Trouvé via : Électricien Auto" in client.get(LIST, {"q": "electricien auto"}).content.decode()


def test_a_job_that_already_has_the_title_gets_nothing_new(editor_client, forester):
    AppellationFactory(job=forester, name="Garde-chasse", feminine_name="", masculine_name="")
    refresh_search_text([forester])
    failed = failed_search("garde chasse")
    response = editor_client.post(add_url(failed), {"job": forester.pk, "name": "garde chasse"}, follow=True)
    assert "porte déjà ce nom : rien n’a été ajouté" in response.content.decode()
    assert list(Appellation.objects.values_list("name", flat=True)) == ["Garde-chasse"]
    failed.refresh_from_db()
    assert failed.added_to == forester and failed.handled_at is not None


def test_the_service_places_the_appellation_after_the_others_and_checks_the_name(forester, editor):
    AppellationFactory(job=forester, name="agent/e forestier/ère", position=4)
    failed = failed_search("astronaute")
    result = add_as_search_appellation(failed, forester, editor)
    assert result.created and result.appellation.position == 5
    with pytest.raises(ValueError, match="ne correspond pas"):
        add_as_search_appellation(failed_search("cosmonaute"), forester, editor, name="spationaute")


@pytest.mark.parametrize(
    ("job_value", "message"),
    [
        ("", "Choisissez le métier que cette recherche doit trouver."),
        ("999999", "Ce métier n’existe pas ou plus"),
        ("abc", "Ce métier n’existe pas ou plus"),
        ("99999999999999999999999", "Ce métier n’existe pas ou plus"),
        ("1\x00", "Le caractère nul n’est pas autorisé"),
    ],
)
def test_bad_input_on_the_add_page_gets_a_french_error(editor_client, job_value, message):
    failed = failed_search("astronaute")
    response = editor_client.post(add_url(failed), {"job": job_value, "name": "astronaute"})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Appellation.objects.exists()
    failed.refresh_from_db()
    assert failed.handled_at is None


def test_a_missing_name_or_job_field_gets_a_french_error(editor_client, forester):
    failed = failed_search("astronaute")
    response = editor_client.post(add_url(failed), {})
    content = response.content.decode()
    assert response.status_code == 200
    assert "Choisissez le métier" in content and "Indiquez l’appellation." in content


def test_an_unknown_failed_search_redirects_with_a_message(editor_client):
    for object_id in ("999999", "abc"):
        response = editor_client.get(reverse("admin:catalogue_failedsearch_add_to_job", args=[object_id]))
        assert response.status_code == 302
        assert response["Location"] == reverse("admin:index")


# --- Who may ----------------------------------------------------------------------------------------


def test_editors_and_reviewers_may_add_a_search_to_a_job(editor_client, counsellor_client, forester):
    failed = failed_search("astronaute")
    assert editor_client.get(CHANGELIST).status_code == 200
    assert editor_client.get(add_url(failed)).status_code == 200
    assert counsellor_client.get(add_url(failed)).status_code == 200
    counsellor_client.post(add_url(failed), {"job": forester.pk, "name": "astronaute"})
    assert Appellation.objects.filter(job=forester, kind=AppellationKind.SEARCH_ONLY).count() == 1


def test_account_managers_and_others_may_not(client, account_manager, django_user_model, forester):
    failed = failed_search("astronaute")
    client.force_login(account_manager)
    assert client.get(CHANGELIST).status_code == 403
    assert client.get(add_url(failed)).status_code == 403
    assert client.post(add_url(failed), {"job": forester.pk, "name": "astronaute"}).status_code == 403

    # A staff member who may read the list (view permission) but not write appellations.
    reader = django_user_model.objects.create_user("lectrice", password="mot-de-passe-solide-42", is_staff=True)
    reader.user_permissions.add(*Group.objects.get(name=EDITORS_GROUP).permissions.filter(codename="view_failedsearch"))
    client.force_login(reader)
    assert client.get(CHANGELIST).status_code == 200
    assert client.post(add_url(failed), {"job": forester.pk, "name": "astronaute"}).status_code == 403

    anonymous = client.__class__()
    assert anonymous.get(add_url(failed)).status_code == 302  # to the admin's login page
    assert not Appellation.objects.exists()
    failed.refresh_from_db()
    assert failed.handled_at is None


def test_a_page_view_moves_the_last_date_and_keeps_the_first(client):
    yesterday = timezone.localdate() - timedelta(days=1)
    failed_search("astronaute", 2)
    FailedSearch.objects.update(first_searched_on=yesterday, last_searched_on=yesterday)
    client.get(LIST, {"q": "astronaute"})
    row = FailedSearch.objects.get()
    assert (row.count, row.first_searched_on, row.last_searched_on) == (3, yesterday, timezone.localdate())
