"""The counsellors' admin: every page opens for a counsellor, search, query budget, write paths."""

from datetime import date

import pytest
from django.contrib import admin
from django.contrib.admin.models import CHANGE, LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalogue.models import (
    AccessLevel,
    Appellation,
    FailedSearch,
    ImportConflict,
    ImportRun,
    Interest,
    Job,
    JobResource,
    JobSlugRedirect,
    PublicationStatus,
    RelatedJob,
    RomeCode,
    Sector,
    Source,
    Status,
    Training,
)
from catalogue.services.search import refresh_search_text
from catalogue.text import fold

from .admin_support import admin_url, change_form_data, form_errors, run_action
from .factories import AppellationFactory, JobFactory, RelatedJobFactory, TrainingFactory, interest, level, sector

pytestmark = pytest.mark.django_db


CATALOGUE_MODELS = sorted(
    (model for model in admin.site._registry if model._meta.app_label == "catalogue"),
    key=lambda model: model._meta.model_name,
)


def make_instance(model):
    """One saved record of `model`, for its change page."""
    makers = {
        Job: JobFactory,
        Appellation: AppellationFactory,
        Training: TrainingFactory,
        RelatedJob: RelatedJobFactory,
        AccessLevel: AccessLevel.objects.first,
        Status: Status.objects.first,
        Sector: Sector.objects.first,
        Interest: Interest.objects.first,
        RomeCode: lambda: RomeCode.objects.create(code="M1805", label="Études et développement informatique"),
        JobResource: lambda: JobResource.objects.create(job=JobFactory(), kind="online", title="Site de l’ONISEP"),
        JobSlugRedirect: lambda: JobSlugRedirect.objects.create(old_slug="ancien-nom", job=JobFactory()),
        ImportRun: lambda: ImportRun.objects.create(kind="sheets"),
        FailedSearch: lambda: FailedSearch.objects.create(
            term="astronaute", count=1, first_searched_on=date.today(), last_searched_on=date.today()
        ),
        ImportConflict: lambda: ImportConflict.objects.create(
            import_run=ImportRun.objects.create(kind="onisep"), job=JobFactory(), field="name"
        ),
    }
    if model not in makers:
        pytest.skip(f"no instance maker for {model.__name__}")
    return makers[model]()


# --- Every page opens for a counsellor, nothing outside the catalogue -------------------------------


@pytest.mark.parametrize("model", CATALOGUE_MODELS, ids=lambda model: model._meta.model_name)
def test_counsellor_opens_changelist_add_and_change_pages(counsellor_client, counsellor, rf, model):
    instance = make_instance(model)
    request = rf.get("/admin/")
    request.user = counsellor
    can_add = admin.site._registry[model].has_add_permission(request)

    assert counsellor_client.get(admin_url(model, "changelist")).status_code == 200
    assert counsellor_client.get(admin_url(model, "add")).status_code == (200 if can_add else 403)
    assert counsellor_client.get(admin_url(model, "change", instance.pk)).status_code == 200


def test_the_registered_catalogue_models_include_every_sheet_part():
    assert {Job, Appellation, Training, Interest, AccessLevel, Status, Sector, RomeCode} <= set(CATALOGUE_MODELS)
    assert {RelatedJob, JobResource, JobSlugRedirect} <= set(CATALOGUE_MODELS)


def test_counsellor_does_not_see_users_and_groups(counsellor_client, counsellor):
    index = counsellor_client.get(reverse("admin:index"))

    assert index.status_code == 200
    app_labels = [app["app_label"] for app in index.context["app_list"]]
    assert app_labels == ["catalogue"]
    assert "/admin/auth/" not in index.content.decode()
    assert counsellor_client.get("/admin/auth/user/").status_code == 403
    assert counsellor_client.get("/admin/auth/group/").status_code == 403
    assert not counsellor.is_superuser
    assert not any(perm.startswith("auth.") for perm in counsellor.get_all_permissions())


def test_old_job_addresses_are_read_only(counsellor_client):
    redirect = JobSlugRedirect.objects.create(old_slug="ancien-nom", job=JobFactory())

    response = counsellor_client.post(
        admin_url(JobSlugRedirect, "change", redirect.pk), {"old_slug": "autre", "job": redirect.job_id}
    )

    assert response.status_code == 403
    assert counsellor_client.get(admin_url(JobSlugRedirect, "add")).status_code == 403
    redirect.refresh_from_db()
    assert redirect.old_slug == "ancien-nom"


# --- Search ---------------------------------------------------------------------------------------


def search(client, model, term: str) -> list:
    response = client.get(admin_url(model, "changelist"), {"q": term})
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def test_job_search_finds_an_appellation_typed_without_accents_in_upper_case(counsellor_client):
    nurse = JobFactory(name="infirmier/ère")
    AppellationFactory(job=nurse, name="infirmière de bloc", feminine_name="infirmière de bloc", masculine_name="")
    JobFactory(name="infirmier/ère puériculteur/trice")
    JobFactory(name="boulanger/ère")
    refresh_search_text()

    assert search(counsellor_client, Job, "INFIRMIERE DE BLOC") == [nurse]
    assert search(counsellor_client, Job, "bloc infirm") == [nurse]


def test_job_search_finds_the_exact_onisep_id(counsellor_client):
    job = JobFactory(onisep_id="MET.8063")
    JobFactory(onisep_id="MET.80630")

    assert search(counsellor_client, Job, " met.8063 ") == [job]


def test_training_search_ignores_accents_and_case(counsellor_client):
    training = TrainingFactory(name="BTS électrotechnique", acronym="")
    TrainingFactory(name="CAP électricien")

    assert search(counsellor_client, Training, "ELECTROTECHNIQUE") == [training]
    assert search(counsellor_client, Training, "bts électro") == [training]


@pytest.mark.parametrize(
    ("label", "query"),
    [
        ("ÉLECTRICIEN", "electricien"),
        ("Cœur de métier", "COEUR"),
        ("cœur", "eur"),
        ("sœur", "so"),
        ("e\u0301lectricien", "électricien"),  # stored decomposed
        ("Straße", "strasse"),
        ("Ex æquo", "aequo"),
        ("technicien·ne d’État", "d etat"),
        ("bœt", "bet"),
        ("aide-soignant", "aidesoignant"),
        ("BTS électrotechnique", "bts tech elec"),
        ("BTS électrotechnique", "bts cap"),
    ],
)
def test_folded_search_agrees_with_fold_on_the_database(label, query):
    """The admin's database search finds a label exactly when its fold holds every folded query word."""
    training = TrainingFactory(name=label)
    expected = all(word in fold(label) for word in fold(query).split())

    queryset, _ = admin.site._registry[Training].get_search_results(None, Training.objects.all(), query)

    assert (training in queryset) is expected


def test_reference_search_ignores_accents(counsellor_client):
    assert [record.name for record in search(counsellor_client, Interest, "ETRANGER")] == [
        "je rêve de travailler à l'étranger"
    ]
    assert [record.name for record in search(counsellor_client, Sector, "agroequipement")] == ["Agroéquipement"]


def test_appellation_search_ignores_accents(counsellor_client):
    appellation = AppellationFactory(name="infirmière de bloc")
    AppellationFactory(name="infirmière puéricultrice")
    refresh_search_text()

    assert search(counsellor_client, Appellation, "infirmiere BLOC") == [appellation]


def test_training_autocomplete_answers_json_to_a_counsellor(counsellor_client):
    training = TrainingFactory(name="BTS bioanalyses en laboratoire de contrôle")
    TrainingFactory(name="licence mention sciences de la vie")

    response = counsellor_client.get(
        "/admin/autocomplete/",
        {"app_label": "catalogue", "model_name": "job", "field_name": "trainings", "term": "BTS"},
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json()["results"] == [{"id": str(training.pk), "text": training.name}]


def test_related_job_autocomplete_searches_jobs_by_appellation(counsellor_client):
    nurse = JobFactory(name="infirmier/ère")
    AppellationFactory(job=nurse, name="infirmière de bloc")
    JobFactory(name="boulanger/ère")
    refresh_search_text()

    response = counsellor_client.get(
        "/admin/autocomplete/",
        {"app_label": "catalogue", "model_name": "relatedjob", "field_name": "target", "term": "infirmiere"},
    )

    assert response.status_code == 200
    assert [result["id"] for result in response.json()["results"]] == [str(nurse.pk)]


# --- Query budget ---------------------------------------------------------------------------------


def job_changelist_queries(client) -> list[str]:
    with CaptureQueriesContext(connection) as context:
        response = client.get(admin_url(Job, "changelist"))
    assert response.status_code == 200
    return [query["sql"] for query in context.captured_queries]


def test_job_changelist_costs_the_same_number_of_queries_for_5_and_50_jobs(counsellor_client):
    bac2 = level("bac-2")
    passion = interest("T-IDEO2.4825")
    JobFactory.create_batch(5, access_level=bac2, interests=[passion], sectors=[sector("T-IDEO2.4852")])
    with_5 = job_changelist_queries(counsellor_client)
    JobFactory.create_batch(45, access_level=bac2, interests=[passion])
    with_50 = job_changelist_queries(counsellor_client)

    # 1 session, 2 user, 3 user's permissions, 4 group's permissions,
    # 5-8 choices of the level, interest, status and sector filters,
    # 9 count (filtered), 10 count (total), 11 the page of jobs with their level (one join),
    # 12 date hierarchy bounds (min/max), 13 date hierarchy links (distinct days),
    # 14-15 the savepoint of django-reversion's revision block around the changelist (its actions write).
    assert len(with_50) == len(with_5) == 15, "\n".join(with_50)


# --- Editing a job --------------------------------------------------------------------------------


def test_counsellor_edits_a_job_text_and_adds_an_appellation(counsellor_client):
    job = JobFactory(name="technicien/ne de production en biologie", slug="technicien-ne-de-production-en-biologie")
    AppellationFactory(job=job, name="technicien/ne de fabrication", feminine_name="", masculine_name="")
    url = admin_url(Job, "change", job.pk)
    data = change_form_data(counsellor_client.get(url))
    data["presentation"] = "<p>Il ou elle pilote la fabrication de médicaments.</p>"
    total = int(data["appellations-TOTAL_FORMS"])
    data["appellations-TOTAL_FORMS"] = str(total + 1)
    data.update(
        {
            f"appellations-{total}-name": "opérateur/trice de bioproduction",
            f"appellations-{total}-feminine_name": "opératrice de bioproduction",
            f"appellations-{total}-masculine_name": "opérateur de bioproduction",
            f"appellations-{total}-kind": "synonym",
            f"appellations-{total}-position": "2",
        }
    )

    response = counsellor_client.post(url, data)

    assert response.status_code == 302, form_errors(response)
    job.refresh_from_db()
    assert job.presentation == "<p>Il ou elle pilote la fabrication de médicaments.</p>"
    assert list(job.appellations.values_list("name", flat=True)) == [
        "technicien/ne de fabrication",
        "opérateur/trice de bioproduction",
    ]
    search_lines = job.search_text.splitlines()
    assert "operatrice de bioproduction" in search_lines
    assert "operateur trice de bioproduction" in search_lines
    assert "technicien ne de fabrication" in search_lines
    assert LogEntry.objects.filter(object_id=str(job.pk), action_flag=CHANGE).exists()
    page = counsellor_client.get(reverse("catalogue:job-detail", kwargs={"slug": job.slug}))
    assert page.status_code == 200
    assert "Il ou elle pilote la fabrication de médicaments." in page.content.decode()
    assert "opérateur/trice de bioproduction" in page.content.decode()


def test_changing_the_slug_records_a_redirect_from_the_old_address(counsellor_client):
    job = JobFactory(name="infirmier/ère", slug="infirmier")
    url = admin_url(Job, "change", job.pk)
    data = change_form_data(counsellor_client.get(url))
    data["slug"] = "infirmier-ere"

    response = counsellor_client.post(url, data)

    assert response.status_code == 302, form_errors(response)
    job.refresh_from_db()
    assert job.slug == "infirmier-ere"
    assert list(JobSlugRedirect.objects.values_list("old_slug", "job")) == [("infirmier", job.pk)]


def test_saving_without_a_slug_change_records_no_redirect(counsellor_client):
    job = JobFactory()
    url = admin_url(Job, "change", job.pk)

    response = counsellor_client.post(url, change_form_data(counsellor_client.get(url)))

    assert response.status_code == 302, form_errors(response)
    assert not JobSlugRedirect.objects.exists()


def test_a_script_typed_in_a_rich_text_field_is_removed_on_save(counsellor_client):
    job = JobFactory()
    url = admin_url(Job, "change", job.pk)
    data = change_form_data(counsellor_client.get(url))
    data["summary"] = '<p>Un métier <strong>utile</strong>.</p><script>alert("x")</script><p onclick="x()">Fin</p>'

    response = counsellor_client.post(url, data)

    assert response.status_code == 302, form_errors(response)
    job.refresh_from_db()
    assert job.summary == "<p>Un métier <strong>utile</strong>.</p><p>Fin</p>"


def test_change_form_loads_the_rich_text_editor(counsellor_client):
    job = JobFactory()

    response = counsellor_client.get(admin_url(Job, "change", job.pk))

    html = response.content.decode()
    assert "django_prose_editor/editor.js" in html
    assert "django_prose_editor/editor.css" in html
    assert "django_prose_editor/overrides.css" in html  # the admin variant of the widget
    assert 'data-django-prose-editor-configurable="' in html
    assert 'name="presentation"' in html


def test_change_form_follows_the_order_of_the_sheet(counsellor_client):
    job = JobFactory()

    html = counsellor_client.get(admin_url(Job, "change", job.pk)).content.decode()

    positions = [
        html.index(marker)
        for marker in [
            'class="fieldset-heading">Identité<',
            'class="fieldset-heading">Appellations<',
            'id="appellations-group"',
            'class="fieldset-heading">Textes<',
            'class="fieldset-heading">Niveau et formations<',
            'class="fieldset-heading">Centres d’intérêt, statuts et secteurs<',
            'id="related_links-group"',
            'id="resources-group"',
            'class="fieldset-heading">Publication<',
        ]
    ]
    assert positions == sorted(positions)
    assert html.count('id="appellations-group"') == 1


def test_counsellor_adds_a_job_which_gets_a_slug_a_source_and_a_publication_date(counsellor_client):
    add_url = admin_url(Job, "add")
    data = change_form_data(counsellor_client.get(add_url))
    data.update({"name": "médiateur/trice numérique", "slug": "", "publication_status": PublicationStatus.PUBLISHED})

    response = counsellor_client.post(add_url, data)

    assert response.status_code == 302, form_errors(response)
    job = Job.objects.get(name="médiateur/trice numérique")
    assert job.slug == "mediateur-trice-numerique"
    assert job.source == Source.COUNSELLOR
    assert job.published_at is not None
    assert job.search_text == "mediateur trice numerique"


def test_publishing_through_the_form_dates_the_publication(counsellor_client):
    job = JobFactory(publication_status=PublicationStatus.DRAFT, published_at=None)
    url = admin_url(Job, "change", job.pk)
    data = change_form_data(counsellor_client.get(url))
    data["publication_status"] = PublicationStatus.PUBLISHED

    response = counsellor_client.post(url, data)

    assert response.status_code == 302, form_errors(response)
    job.refresh_from_db()
    assert job.publication_status == PublicationStatus.PUBLISHED
    assert job.published_at is not None


def test_related_job_picked_in_the_catalogue_keeps_its_label(counsellor_client):
    job = JobFactory()
    target = JobFactory(name="biologiste", onisep_id="MET.100")
    url = admin_url(Job, "change", job.pk)
    data = change_form_data(counsellor_client.get(url))
    data.update(
        {"related_links-TOTAL_FORMS": "1", "related_links-0-target": str(target.pk), "related_links-0-position": "0"}
    )

    response = counsellor_client.post(url, data)

    assert response.status_code == 302, form_errors(response)
    assert list(job.related_links.values_list("target", "target_name", "target_onisep_id")) == [
        (target.pk, "biologiste", "MET.100")
    ]


def test_a_job_cannot_be_related_to_itself(counsellor_client):
    job = JobFactory()
    url = admin_url(Job, "change", job.pk)
    data = change_form_data(counsellor_client.get(url))
    data.update(
        {"related_links-TOTAL_FORMS": "1", "related_links-0-target": str(job.pk), "related_links-0-position": "0"}
    )

    response = counsellor_client.post(url, data)

    assert response.status_code == 200
    assert "Un métier ne peut pas être associé à lui-même." in response.content.decode()
    assert not RelatedJob.objects.exists()


def test_editing_an_appellation_in_its_own_admin_refreshes_the_job_search_text(counsellor_client):
    appellation = AppellationFactory(name="aide-soignant/e", feminine_name="", masculine_name="")
    url = admin_url(Appellation, "change", appellation.pk)
    data = change_form_data(counsellor_client.get(url))
    data["name"] = "auxiliaire de soins"

    response = counsellor_client.post(url, data)

    assert response.status_code == 302, form_errors(response)
    search_lines = Job.objects.get(pk=appellation.job_id).search_text.splitlines()
    assert "auxiliaire de soins" in search_lines
    assert "aide soignant e" not in search_lines


def test_deleting_an_appellation_in_its_own_admin_refreshes_the_job_search_text(counsellor_client):
    appellation = AppellationFactory(name="aide-soignant/e")

    response = counsellor_client.post(admin_url(Appellation, "delete", appellation.pk), {"post": "yes"})

    assert response.status_code == 302
    assert "aide soignant e" not in Job.objects.get(pk=appellation.job_id).search_text


# --- Publication actions --------------------------------------------------------------------------


def test_publish_action_publishes_drafts_and_logs_it(counsellor_client, counsellor):
    drafts = JobFactory.create_batch(2, publication_status=PublicationStatus.DRAFT, published_at=None)
    published = JobFactory()

    messages = run_action(counsellor_client, Job, "publish", [*drafts, published])

    assert messages == ["2 métiers publiés."]
    for job in drafts:
        job.refresh_from_db()
        assert job.publication_status == PublicationStatus.PUBLISHED
        assert job.published_at is not None
    assert LogEntry.objects.filter(user=counsellor, action_flag=CHANGE).count() == 2


def test_unpublish_action_returns_jobs_to_draft(counsellor_client):
    jobs = JobFactory.create_batch(2)

    messages = run_action(counsellor_client, Job, "unpublish", jobs)

    assert messages == ["2 métiers repassés en brouillon."]
    assert set(Job.objects.values_list("publication_status", flat=True)) == {PublicationStatus.DRAFT}


def test_publication_actions_on_trainings(counsellor_client):
    training = TrainingFactory(publication_status=PublicationStatus.DRAFT, published_at=None)

    assert run_action(counsellor_client, Training, "publish", [training]) == ["1 formation publiée."]
    training.refresh_from_db()
    assert training.publication_status == PublicationStatus.PUBLISHED
    assert run_action(counsellor_client, Training, "unpublish", [training]) == ["1 formation repassée en brouillon."]
    training.refresh_from_db()
    assert training.publication_status == PublicationStatus.DRAFT


def test_publish_action_says_when_nothing_changed(counsellor_client):
    job = JobFactory()

    assert run_action(counsellor_client, Job, "publish", [job]) == [
        "Aucun changement : la sélection était déjà publiée."
    ]


def test_view_on_site_leads_to_the_public_job_page(counsellor_client):
    job = JobFactory(publication_status=PublicationStatus.DRAFT, published_at=None)

    response = counsellor_client.get(admin_url(Job, "change", job.pk))

    assert response.context["has_absolute_url"]
    redirect = counsellor_client.get(response.context["absolute_url"])
    assert redirect.status_code == 302
    assert redirect["Location"].endswith(job.get_absolute_url())
    assert counsellor_client.get(job.get_absolute_url()).status_code == 200  # staff preview a draft


@pytest.mark.parametrize("forged", ["abc", "99999999999999999999999", "1\x00"])
def test_a_forged_autocomplete_value_gets_a_form_error_not_a_500(counsellor_client, forged):
    job = JobFactory(name="fleuriste")
    data = change_form_data(counsellor_client.get(admin_url(Job, "change", job.pk)))
    data.update(rome_codes=[forged], trainings=[forged], access_level=forged)

    response = counsellor_client.post(admin_url(Job, "change", job.pk), data)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert {"rome_codes", "trainings", "access_level"} <= set(errors)
