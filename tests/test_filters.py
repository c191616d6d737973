"""catalogue.filters: the job list's and training list's FilterSets, exercised without HTTP."""

from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.db.models.functions import Lower
from django.http import QueryDict
from django.utils import timezone

from catalogue.filters import MAX_SEARCH_WORDS, JobFilter, TrainingFilter, search_words
from catalogue.models import AppellationKind, Interest, Job, PublicationStatus, Sector, Status, Training

from .factories import AppellationFactory, JobFactory, TrainingFactory, level

pytestmark = pytest.mark.django_db


def job_filter(**params) -> JobFilter:
    data = QueryDict(urlencode(params, doseq=True))
    return JobFilter(data=data, queryset=Job.objects.published().for_listing())


def names(**params) -> list[str]:
    return [job.name for job in job_filter(**params).qs]


def interests(count: int) -> list[Interest]:
    return list(Interest.objects.order_by("pk")[:count])


# q: words of the generic name or of any appellation -----------------------------------------------


@pytest.fixture
def nurse() -> Job:
    return JobFactory(name="infirmier/ère", feminine_name="infirmière", masculine_name="infirmier")


@pytest.mark.parametrize("query", ["infirmière", "INFIRMIERE", "Infirmier", "  infirmiÈre  ", "infirm"])
def test_search_ignores_case_and_accents(nurse, query):
    JobFactory(name="boulanger/ère", feminine_name="boulangère", masculine_name="boulanger")
    assert names(q=query) == ["infirmier/ère"]


def test_search_matches_a_synonym_and_a_search_only_appellation():
    job = JobFactory(name="infirmier/ère")
    AppellationFactory(job=job, name="IDE", feminine_name="", masculine_name="")
    AppellationFactory(
        job=job,
        name="soignant·e en bloc opératoire",
        feminine_name="",
        masculine_name="",
        kind=AppellationKind.SEARCH_ONLY,
    )
    from catalogue.services.search import refresh_search_text

    refresh_search_text([job])
    JobFactory(name="boulanger/ère")
    assert names(q="ide") == ["infirmier/ère"]
    assert names(q="Opératoire") == ["infirmier/ère"]


def test_search_keeps_jobs_matching_some_words_and_ranks_those_matching_all_first():
    def job(name):
        return JobFactory(name=name, feminine_name="", masculine_name="")

    maintenance = job("technicien/ne de maintenance")
    biology = job("technicien/ne de production en biologie")
    job("boulanger/ère")
    filterset = job_filter(q="technicien biologie")
    assert {job.name for job in filterset.qs} == {maintenance.name, biology.name}
    assert filterset.hit_ids == [biology.pk, maintenance.pk]  # the order the list shows


def test_search_made_only_of_punctuation_leaves_the_list_unfiltered(nurse):
    JobFactory(name="boulanger/ère")
    assert len(names(q="& | ! : * ( ) '")) == 2


def test_search_words_are_folded_deduplicated_and_capped():
    assert search_words("Infirmière  INFIRMIERE d’État") == ["infirmiere", "d", "etat"]
    assert len(search_words(" ".join(f"mot{n}" for n in range(5000)))) == MAX_SEARCH_WORDS


def test_a_very_long_search_is_answered(nurse):
    assert names(q="infirmiere " + "a b " * 5000) == ["infirmier/ère"]
    assert names(q="x" * 10_000) == []


def test_nul_bytes_in_a_search_are_dropped(nurse):
    filterset = job_filter(q="infir\x00miere")
    assert filterset.is_valid()
    assert [job.name for job in filterset.qs] == ["infirmier/ère"]


# Repeated filters: OR within, AND across, no duplicates -----------------------------------------------


def test_interest_filter_keeps_jobs_with_that_interest():
    first, second = interests(2)
    JobFactory(name="a", interests=[first])
    JobFactory(name="b", interests=[second])
    JobFactory(name="c")
    assert names(interest=first.slug) == ["a"]


def test_several_interests_widen_the_list_and_list_each_job_once():
    first, second, third = interests(3)
    JobFactory(name="a", interests=[first, second])
    JobFactory(name="b", interests=[second])
    JobFactory(name="c", interests=[third])
    filterset = job_filter(interest=[first.slug, second.slug])
    assert [job.name for job in filterset.qs] == ["a", "b"]
    assert filterset.qs.count() == 2
    assert "DISTINCT" not in str(filterset.qs.query).upper()


def test_different_filters_narrow_the_list():
    first, second = interests(2)
    salaried, freelance = Status.objects.order_by("pk")[:2]
    JobFactory(name="a", interests=[first], statuses=[salaried])
    JobFactory(name="b", interests=[first], statuses=[freelance])
    JobFactory(name="c", interests=[second], statuses=[salaried])
    assert names(interest=first.slug, status=salaried.slug) == ["a"]
    assert names(interest=[first.slug, second.slug], status=salaried.slug) == ["a", "c"]


def test_status_filter_widens_with_several_statuses():
    salaried, freelance, civil_servant = Status.objects.order_by("pk")[:3]
    JobFactory(name="a", statuses=[salaried])
    JobFactory(name="b", statuses=[freelance])
    JobFactory(name="c", statuses=[civil_servant])
    assert names(status=salaried.slug) == ["a"]
    assert names(status=[salaried.slug, freelance.slug]) == ["a", "b"]


def test_sector_filter_widens_with_several_sectors():
    health, food, energy = Sector.objects.order_by("pk")[:3]
    JobFactory(name="a", sectors=[health, food])
    JobFactory(name="b", sectors=[food])
    JobFactory(name="c", sectors=[energy])
    assert names(sector=health.slug) == ["a"]
    assert names(sector=[health.slug, food.slug]) == ["a", "b"]


def test_every_filter_at_once():
    (first,) = interests(1)
    salaried = Status.objects.order_by("pk").first()
    health = Sector.objects.order_by("pk").first()
    training = TrainingFactory()
    wanted = dict(
        access_level=level("bac-2"), interests=[first], statuses=[salaried], sectors=[health], trainings=[training]
    )
    JobFactory(name="infirmier/ère", **wanted)
    JobFactory(name="infirmier/ère de bloc", **{**wanted, "trainings": []})
    JobFactory(name="boulanger/ère", **wanted)
    params = dict(
        q="infirmier",
        interest=first.slug,
        level="bac-3",
        training=training.slug,
        status=salaried.slug,
        sector=health.slug,
    )
    assert names(**params) == ["infirmier/ère"]


# level: the student's level; jobs whose minimum level is ranked at or below it ------------------------


@pytest.fixture
def jobs_by_level() -> None:
    JobFactory(name="bac + 2", access_level=level("bac-2"))
    JobFactory(name="cap", access_level=level("cap-ou-equivalent"))
    JobFactory(name="bac + 5", access_level=level("bac-5"))
    JobFactory(name="autre formation", access_level=level("autre-formation"))
    JobFactory(name="sans niveau", access_level=None)


@pytest.mark.parametrize(
    ("student_level", "expected"),
    [
        ("bac-3", ["bac + 2", "cap"]),
        ("bac-2", ["bac + 2", "cap"]),
        ("bac-ou-equivalent", ["cap"]),
        ("bac-9-et-plus", ["bac + 2", "bac + 5", "cap"]),
    ],
)
def test_level_lists_jobs_open_at_that_level(jobs_by_level, student_level, expected):
    assert names(level=student_level) == expected


def test_jobs_without_a_ranked_level_appear_only_without_a_level_filter(jobs_by_level):
    assert "autre formation" in names()
    assert "sans niveau" in names()
    assert "autre formation" not in names(level="bac-9-et-plus")


def test_unranked_level_is_not_a_choice():
    filterset = job_filter(level="autre-formation")
    assert not filterset.is_valid()
    assert "level" in filterset.errors


# training -----------------------------------------------------------------------------------------


def test_training_filter_keeps_the_jobs_it_leads_to():
    training = TrainingFactory()
    JobFactory(name="a", trainings=[training])
    JobFactory(name="b")
    assert names(training=training.slug) == ["a"]


def test_training_filter_ignores_a_training_without_a_public_sheet():
    hidden = TrainingFactory(publication_status=PublicationStatus.DRAFT)
    JobFactory(name="a", trainings=[hidden])
    JobFactory(name="b")
    filterset = job_filter(training=hidden.slug)
    assert filterset.errors["training"] == ["Formation inconnue : ce critère a été ignoré."]
    assert [job.name for job in filterset.qs] == ["a", "b"]


# sort ---------------------------------------------------------------------------------------------


def test_sort_by_name_is_the_default_and_updated_puts_recent_edits_first():
    older = JobFactory(name="a")
    newer = JobFactory(name="b")
    Job.objects.filter(pk=older.pk).update(updated_at=timezone.now())
    Job.objects.filter(pk=newer.pk).update(updated_at=timezone.now() - timedelta(days=3))
    assert names() == ["a", "b"]
    assert names(sort="name") == ["a", "b"]
    Job.objects.filter(pk=older.pk).update(updated_at=timezone.now() - timedelta(days=5))
    assert names(sort="updated") == ["b", "a"]


# Unknown and malformed values: ignored, explained, never a database error ---------------------------


def test_unknown_interest_alone_is_ignored_with_a_french_message():
    JobFactory(name="a", interests=interests(1))
    JobFactory(name="b")
    filterset = job_filter(interest="n-existe-pas")
    assert [job.name for job in filterset.qs] == ["a", "b"]
    assert filterset.form.non_field_errors() == [
        "Certaines valeurs du filtre « Centres d’intérêt » sont inconnues : elles ont été ignorées."
    ]


def test_unknown_interest_next_to_a_known_one_keeps_the_known_one():
    (first,) = interests(1)
    JobFactory(name="a", interests=[first])
    JobFactory(name="b")
    assert names(interest=[first.slug, "n-existe-pas", "x" * 10_000, "nul\x00"]) == ["a"]


@pytest.mark.parametrize(
    "params",
    [
        {"level": "nul\x00"},
        {"level": "x" * 10_000},
        {"level": "bac + 2"},
        {"training": "\x00"},
        {"training": "' OR 1=1 --"},
        {"status": "\x00"},
        {"sector": ["%", "_", "\\"]},
        {"sort": "pk; DROP TABLE"},
        {"interest": ""},
    ],
)
def test_malformed_values_never_reach_the_database(params):
    JobFactory(name="a")
    filterset = job_filter(**params)
    assert [job.name for job in filterset.qs] == ["a"]


def test_repeated_single_value_parameter_uses_the_last_value():
    JobFactory(name="bac + 2", access_level=level("bac-2"))
    JobFactory(name="bac + 5", access_level=level("bac-5"))
    assert names(level=["bac-9-et-plus", "bac-2"]) == ["bac + 2"]


# Active filters ---------------------------------------------------------------------------------


def test_active_filters_link_to_the_list_without_each_one():
    first, second = Interest.objects.order_by(Lower("name"))[:2]  # the order of the checkboxes
    filterset = job_filter(q="infirmier", interest=[first.slug, second.slug], level="bac-2", sort="updated", page="3")
    active = filterset.active_filters()
    assert [(item.label, item.value) for item in active] == [
        ("Recherche", "« infirmier »"),
        ("Centre d’intérêt", first.display_name),
        ("Centre d’intérêt", second.display_name),
        ("Niveau d’études", "Bac + 2"),
    ]
    removal = dict((item.value, QueryDict(item.remove_query[1:])) for item in active)
    without_first = removal[first.display_name]
    assert without_first.getlist("interest") == [second.slug]
    assert without_first["q"] == "infirmier"
    assert without_first["level"] == "bac-2"
    assert without_first["sort"] == "updated"
    assert "page" not in without_first
    assert "q" not in removal["« infirmier »"]


def test_no_active_filter_on_an_unfiltered_list():
    assert JobFilter(data=None, queryset=Job.objects.all()).active_filters() == []


# Training list --------------------------------------------------------------------------------------


def training_names(**params) -> list[str]:
    data = QueryDict(urlencode(params, doseq=True))
    return [t.name for t in TrainingFilter(data=data, queryset=Training.objects.published()).qs]


def test_training_search_ignores_case_and_accents():
    TrainingFactory(name="BTS électrotechnique", slug="bts-electrotechnique")
    TrainingFactory(name="CAP boulanger", slug="cap-boulanger")
    assert training_names(q="Electrotechnique") == ["BTS électrotechnique"]
    assert training_names(q="bts ÉLECTRO") == ["BTS électrotechnique"]


def test_training_level_filter_keeps_trainings_of_that_level():
    TrainingFactory(name="BTS", level=level("bac-2"))
    TrainingFactory(name="licence", level=level("bac-3"))
    assert training_names(level="bac-2") == ["BTS"]
    assert training_names(level="n-existe-pas") == ["BTS", "licence"]
