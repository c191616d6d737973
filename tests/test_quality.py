"""The data-quality dashboard, its changelist filters and the checks behind both (catalogue.services.quality)."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from catalogue.models import (
    ConflictState,
    ImportConflict,
    ImportKind,
    ImportRun,
    Interest,
    Job,
    PublicationStatus,
    Training,
)
from catalogue.services import quality

from .factories import AppellationFactory, JobFactory, TrainingFactory, level

pytestmark = pytest.mark.django_db

DASHBOARD = "admin:quality-dashboard"
JOB_CHANGELIST = "admin:catalogue_job_changelist"


def complete_job(**kwargs) -> Job:
    """A job that passes every check (each with a training of its own)."""
    kwargs.setdefault("access_level", level("bac-2"))
    kwargs.setdefault("starting_salary", "1 800 euros brut par mois")
    kwargs.setdefault("interests", [Interest.objects.order_by("pk").first()])
    if "trainings" not in kwargs:
        kwargs["trainings"] = [TrainingFactory()]
    return JobFactory(**kwargs)


def age(record, days: int) -> None:
    """Make `record` look unchanged for `days` days (updated_at is set on every save)."""
    type(record).objects.filter(pk=record.pk).update(updated_at=timezone.now() - timedelta(days=days))


@pytest.fixture
def catalogue() -> dict:
    """Records failing each check in turn, complete records, and withdrawn ones left out of the checks."""
    records = {
        "complete": complete_job(),
        "sans-feminin": complete_job(feminine_name=""),
        "sans-masculin": complete_job(masculine_name=""),
        "sans-formation": complete_job(trainings=[]),
        "sans-interet": complete_job(interests=[]),
        "sans-salaire": complete_job(starting_salary=""),
        "sans-niveau": complete_job(access_level=None),
        "brouillon-ancien": complete_job(publication_status=PublicationStatus.DRAFT),
        "recent-draft": complete_job(publication_status=PublicationStatus.DRAFT),
        "old-published": complete_job(),
        "genre-incoherent": complete_job(masculine_name="infirmière", feminine_name="infirmier"),
        "withdrawn": JobFactory(feminine_name="", withdrawn_at=timezone.now()),
        "training-without-job": TrainingFactory(),
        "old-draft-training": TrainingFactory(publication_status=PublicationStatus.DRAFT),
        "withdrawn-training": TrainingFactory(withdrawn_at=timezone.now()),
    }
    age(records["brouillon-ancien"], 31)
    age(records["recent-draft"], 29)
    age(records["old-published"], 90)
    age(records["old-draft-training"], 45)
    records["complete"].trainings.add(records["old-draft-training"])
    # An appellation whose forms are swapped flags its job too.
    records["appellation-incoherente"] = complete_job()
    AppellationFactory(
        job=records["appellation-incoherente"],
        name="puériculteur/trice",
        masculine_name="puéricultrice",
        feminine_name="puériculteur",
    )
    AppellationFactory(job=records["complete"], name="IADE", masculine_name="IADE", feminine_name="IADE")
    run = ImportRun.objects.create(kind=ImportKind.ONISEP)
    for state in (ConflictState.PENDING, ConflictState.PENDING, ConflictState.KEPT):
        ImportConflict.objects.create(import_run=run, job=records["complete"], field="summary", state=state)
    return records


def dashboard_rows(response) -> list:
    return [row for _heading, rows in response.context["sections"] for row in rows]


def result_count(client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200
    return response.context["cl"].result_count


def changelist_names(client, url: str) -> set[str]:
    response = client.get(url)
    assert response.status_code == 200
    return {record.name for record in response.context["cl"].result_list}


# --- Counts and links agree -----------------------------------------------------------------------


def test_every_dashboard_count_is_the_number_of_records_its_link_lists(counsellor_client, catalogue):
    response = counsellor_client.get(reverse(DASHBOARD))
    assert response.status_code == 200
    rows = dashboard_rows(response)
    assert len(rows) == 8 + 1 + 3 + 1  # job checks + gender, withdrawn jobs; training checks, withdrawn; conflicts
    for row in rows:
        assert result_count(counsellor_client, row.url) == row.count, row.label


def test_dashboard_counts_each_problem_once(counsellor_client, catalogue):
    response = counsellor_client.get(reverse(DASHBOARD))
    counts = {row.label: row.count for row in dashboard_rows(response)}
    assert counts == {
        "Métiers sans appellation au féminin": 1,
        "Métiers sans appellation au masculin": 1,
        "Métiers sans formation recommandée": 1,
        "Métiers sans centre d’intérêt": 1,
        "Métiers sans salaire du débutant": 1,
        "Métiers sans niveau d’accès minimum": 1,
        "Métiers en brouillon, non modifiés depuis plus de 30 jours": 1,
        "Métiers dont les formes féminine et masculine semblent incohérentes": 2,
        "Métiers retirés par l’ONISEP": 1,
        "Formations qui ne mènent à aucun métier": 1,
        "Formations en brouillon, non modifiées depuis plus de 30 jours": 1,
        "Formations retirées par l’ONISEP": 1,
        "Conflits d’import en attente de décision": 2,
    }


def test_dashboard_links_to_the_filtered_changelists(counsellor_client, catalogue):
    html = counsellor_client.get(reverse(DASHBOARD)).content.decode()
    jobs = reverse(JOB_CHANGELIST)
    trainings = reverse("admin:catalogue_training_changelist")
    for slug in ("sans-feminin", "sans-masculin", "sans-formation", "sans-interet", "sans-salaire", "sans-niveau"):
        assert f'href="{jobs}?qualite={slug}"' in html
    assert f'href="{jobs}?qualite=brouillon-ancien"' in html
    assert f'href="{jobs}?qualite=genre-incoherent"' in html
    assert f'href="{jobs}?retiree=oui"' in html
    assert f'href="{trainings}?qualite=sans-metier"' in html
    assert f'href="{trainings}?retiree=oui"' in html
    assert f'href="{reverse("admin:catalogue_importconflict_changelist")}?decision=pending"' in html


@pytest.mark.parametrize(
    "slug", ["sans-feminin", "sans-masculin", "sans-formation", "sans-interet", "sans-salaire", "sans-niveau"]
)
def test_job_filter_lists_the_jobs_missing_that_part(counsellor_client, catalogue, slug):
    names = changelist_names(counsellor_client, reverse(JOB_CHANGELIST) + f"?qualite={slug}")
    assert names == {catalogue[slug].name}


def test_old_drafts_are_drafts_unchanged_for_more_than_30_days(counsellor_client, catalogue):
    names = changelist_names(counsellor_client, reverse(JOB_CHANGELIST) + "?qualite=brouillon-ancien")
    assert names == {catalogue["brouillon-ancien"].name}  # not the 29-day draft nor the old published job
    trainings = changelist_names(
        counsellor_client, reverse("admin:catalogue_training_changelist") + "?qualite=brouillon-ancien"
    )
    assert trainings == {catalogue["old-draft-training"].name}


def test_training_filter_lists_trainings_leading_to_no_job(counsellor_client, catalogue):
    names = changelist_names(counsellor_client, reverse("admin:catalogue_training_changelist") + "?qualite=sans-metier")
    # not the draft training ("complete" leads to it) nor the withdrawn one
    assert names == {catalogue["training-without-job"].name}
    assert Training.objects.filter(jobs=None).count() == 2


def test_gender_filter_lists_jobs_whose_own_or_appellation_pair_looks_inconsistent(counsellor_client, catalogue):
    names = changelist_names(counsellor_client, reverse(JOB_CHANGELIST) + "?qualite=genre-incoherent")
    assert names == {catalogue["genre-incoherent"].name, catalogue["appellation-incoherente"].name}


def test_checks_leave_withdrawn_records_out(catalogue):
    withdrawn = catalogue["withdrawn"]
    assert withdrawn.feminine_name == ""
    assert not quality.jobs_without_feminine(Job.objects.all()).filter(pk=withdrawn.pk).exists()
    assert not quality.jobs_without_training(Job.objects.all()).filter(pk=withdrawn.pk).exists()
    assert quality.withdrawn(Job.objects.all()).get() == withdrawn


def test_checks_compose_with_other_filters(counsellor_client, catalogue):
    url = reverse(JOB_CHANGELIST) + "?qualite=sans-salaire&publication_status__exact=draft"
    assert result_count(counsellor_client, url) == 0
    url = reverse(JOB_CHANGELIST) + "?qualite=sans-formation&publication_status__exact=published"
    assert result_count(counsellor_client, url) == 1


def test_checks_work_with_the_changelist_search_and_facet_counts(counsellor_client, catalogue):
    job = catalogue["genre-incoherent"]
    url = reverse(JOB_CHANGELIST) + f"?qualite=genre-incoherent&_facets=True&q={job.onisep_id}"
    assert changelist_names(counsellor_client, url) == {job.name}
    url = reverse(JOB_CHANGELIST) + "?qualite=sans-feminin&_facets=True"
    assert changelist_names(counsellor_client, url) == {catalogue["sans-feminin"].name}


def test_unknown_filter_value_lists_every_job(counsellor_client, catalogue):
    url = reverse(JOB_CHANGELIST) + "?qualite=n-importe-quoi"
    assert result_count(counsellor_client, url) == Job.objects.count()


def test_filters_are_offered_in_french_in_the_changelist(counsellor_client, catalogue):
    html = counsellor_client.get(reverse(JOB_CHANGELIST)).content.decode()
    assert "Métiers sans appellation au féminin" in html
    assert "?qualite=genre-incoherent" in html
    html = counsellor_client.get(reverse("admin:catalogue_training_changelist")).content.decode()
    assert "Formations qui ne mènent à aucun métier" in html


# --- The inconsistent pairs -----------------------------------------------------------------------


def test_dashboard_lists_inconsistent_pairs_with_links_to_their_jobs(counsellor_client, catalogue):
    response = counsellor_client.get(reverse(DASHBOARD))
    html = response.content.decode()
    for key in ("genre-incoherent", "appellation-incoherente"):
        job = catalogue[key]
        assert f'href="{reverse("admin:catalogue_job_change", args=[job.pk])}"' in html
    pairs = [(item["pair"].masculine, item["pair"].feminine) for item in response.context["inconsistent_pairs"]]
    assert sorted(pairs) == [("infirmière", "infirmier"), ("puéricultrice", "puériculteur")]
    assert "Autre appellation « puériculteur/trice »" in html  # the appellation is named


def test_dashboard_shows_the_first_20_inconsistent_pairs_and_links_to_all(counsellor_client):
    for number in range(23):
        JobFactory(name=f"métier {number:02}", masculine_name="boulangère", feminine_name="boulanger")
    response = counsellor_client.get(reverse(DASHBOARD))
    shown = response.context["inconsistent_pairs"]
    assert len(shown) == 20
    assert [item["pair"].job_name for item in shown] == [f"métier {number:02}" for number in range(20)]
    html = response.content.decode()
    assert "les 20 premières sur 23" in html
    assert f'href="{reverse(JOB_CHANGELIST)}?qualite=genre-incoherent"' in html


def test_dashboard_with_nothing_to_check(counsellor_client):
    response = counsellor_client.get(reverse(DASHBOARD))
    assert response.status_code == 200
    assert "Aucune paire de formes à vérifier." in response.content.decode()
    assert all(row.count == 0 for row in dashboard_rows(response))


# --- Who sees it ----------------------------------------------------------------------------------


def test_dashboard_uses_the_admin_layout(counsellor_client):
    response = counsellor_client.get(reverse(DASHBOARD))
    assert [template.name for template in response.templates][:2] == [
        "admin/catalogue/quality_dashboard.html",
        "admin/base_site.html",
    ]
    html = response.content.decode()
    assert "<title>Qualité des fiches | Orientation</title>" in html
    assert 'id="user-tools"' in html


def test_editors_see_the_dashboard(editor_client):
    assert editor_client.get(reverse(DASHBOARD)).status_code == 200


def test_staff_without_view_permission_on_jobs_get_403(client, account_manager):
    client.force_login(account_manager)
    assert client.get(reverse(DASHBOARD)).status_code == 403


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(reverse(DASHBOARD))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_rows_of_models_the_user_cannot_view_are_left_out(client, django_user_model, catalogue):
    user = django_user_model.objects.create_user("lectrice", password="mot-de-passe-solide-42", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_job"))
    client.force_login(user)
    response = client.get(reverse(DASHBOARD))
    assert response.status_code == 200
    assert [heading for heading, _rows in response.context["sections"]] == ["Métiers"]
    assert "Formations" not in re.sub(r"<[^>]+>", "", response.content.decode().split('id="content-main"')[1])


# --- Query budget ---------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [3, 30])
def test_dashboard_query_budget(counsellor_client, django_assert_num_queries, size):
    for number in range(size):
        job = JobFactory(feminine_name="" if number % 2 else "boulanger", masculine_name="boulangère")
        AppellationFactory.create_batch(2, job=job)
        TrainingFactory()
    # 1. the session
    # 2. the user
    # 3-4. the user's permissions (own, then through groups), once for the request
    # 5. every job count in one aggregate query (checks and withdrawn jobs)
    # 6. the jobs' names, 7. their appellations' names (the gendered pairs)
    # 8. every training count in one aggregate query
    # 9. count of pending import conflicts
    with django_assert_num_queries(9):
        response = counsellor_client.get(reverse(DASHBOARD))
    assert response.status_code == 200
