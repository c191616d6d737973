"""The job list as students use it: ranked search, facets with counts, ways out of an empty list, suggestions."""

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils.html import escape

from catalogue.models import RomeCode
from catalogue.models.search import RomeAppellation
from catalogue.services.search import refresh_search_text
from catalogue.text import fold

from .factories import AppellationFactory, JobFactory, interest, level

pytestmark = pytest.mark.django_db

LIST = reverse("catalogue:job-list")
SUGGESTIONS = reverse("catalogue:job-suggestions")


def job(name, feminine="", masculine="", **kwargs):
    return JobFactory(name=name, feminine_name=feminine, masculine_name=masculine, **kwargs)


def page(client, **params):
    response = client.get(LIST, params)
    assert response.status_code == 200
    return response


def titles(response) -> list[str]:
    return [getattr(job, "shown_name", job.name) for job in response.context["object_list"]]


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


def test_results_come_in_relevance_order_with_the_form_typed(client):
    job("infirmier/ère de bloc opératoire", "infirmière de bloc opératoire", "infirmier de bloc opératoire")
    job("infirmier/ère", "infirmière", "infirmier")
    job("aide-soignant/e")
    assert titles(page(client, q="infirmiere")) == ["infirmière", "infirmière de bloc opératoire"]
    assert titles(page(client, q="infirmier")) == ["infirmier", "infirmier de bloc opératoire"]


def test_explicit_sort_by_name_overrides_relevance(client):
    job("infirmier/ère de bloc opératoire")
    job("infirmier/ère")
    names = [j.name for j in page(client, q="infirmier", sort="name").context["object_list"]]
    assert names == ["infirmier/ère", "infirmier/ère de bloc opératoire"]


def test_a_result_found_through_a_synonym_says_so(client):
    singer = job("chanteur/euse", "chanteuse", "chanteur")
    AppellationFactory(job=singer, name="chanteur/euse de jazz", feminine_name="chanteuse de jazz", masculine_name="")
    refresh_search_text([singer])
    content = page(client, q="chanteuse de jazz").content.decode()
    assert "Trouvé via : chanteuse de jazz" in content
    assert ">chanteuse</a>" in content


def test_a_rome_title_is_shown_with_its_source(client):
    code = RomeCode.objects.create(code="L1202")
    RomeAppellation.objects.create(ogr_code=1, rome_code=code, label="Choriste", folded=fold("Choriste"))
    singer = job("chanteur/euse")
    singer.rome_codes.add(code)
    refresh_search_text([singer])
    content = page(client, q="choriste").content.decode()
    assert "Trouvé via : Choriste" in content
    assert "Source : France Travail, ROME 4.0 (v4.60)" in content


def test_every_option_shows_the_jobs_it_would_give_against_the_other_filters(client):
    nature, hands = interest("T-IDEO2.4824"), interest("T-IDEO2.4806")
    job("jardinier/ère", interests=[nature, hands], access_level=level("cap-ou-equivalent"))
    job("garde forestier/ère", interests=[nature], access_level=level("bac-2"))
    job("maçon/ne", interests=[hands], access_level=level("cap-ou-equivalent"))
    facets = page(client, interest=nature.slug).context["facets"]
    counts = {option.slug: option.count for option in facets["interest"]}
    # The interest facet ignores the interest filter itself: ticking "hands" would add the mason.
    assert counts[nature.slug] == 2
    assert counts[hands.slug] == 2
    levels = {option.slug: option.count for option in facets["level"]}
    # Levels are counted among the nature jobs: CAP opens one of them, bac + 2 both.
    assert levels["cap-ou-equivalent"] == 1
    assert levels["bac-2"] == 2
    assert levels["sans-diplome"] == 0


def test_options_that_would_give_nothing_stay_visible_and_disabled(client):
    nature = interest("T-IDEO2.4824")
    job("jardinier/ère", interests=[nature])
    content = page(client).content.decode()
    animals = interest("T-IDEO2.4828")
    assert escape(animals.display_name) in content
    assert f'value="{animals.slug}" id="id_interest_' in content
    option = next(o for o in page(client).context["facets"]["interest"] if o.slug == animals.slug)
    assert option.disabled
    assert (
        f'value="{animals.slug}" id="id_interest_{page(client).context["facets"]["interest"].index(option)}" disabled'
        in content
    )


def test_an_empty_list_says_which_single_filter_to_drop(client):
    nature = interest("T-IDEO2.4824")
    job("garde forestier/ère", interests=[nature], access_level=level("bac-2"))
    job("jardinier/ère", interests=[nature], access_level=level("bac-2"))
    response = page(client, interest=nature.slug, level="cap-ou-equivalent")
    assert response.context["paginator"].count == 0
    links = {link.label: (link.count, link.query) for link in response.context["rescue_links"]}
    assert links == {"Sans le filtre CAP ou équivalent": (2, f"?interest={nature.slug}")}
    assert "Sans le filtre CAP ou équivalent : 2 métiers" in response.content.decode()


def test_an_empty_search_offers_the_list_without_the_words(client):
    nature = interest("T-IDEO2.4824")
    job("garde forestier/ère", interests=[nature])
    response = page(client, q="astronaute", interest=nature.slug)
    labels = [link.label for link in response.context["rescue_links"]]
    assert labels == ["Sans la recherche « astronaute »"]
    assert response.context["rescue_links"][0].count == 1


def test_several_interests_list_jobs_matching_more_of_them_first(client):
    nature, hands, outside = interest("T-IDEO2.4824"), interest("T-IDEO2.4806"), interest("T-IDEO2.4823")
    job("a-one", interests=[nature])
    job("b-three", interests=[nature, hands, outside])
    job("c-two", interests=[hands, outside])
    response = page(client, interest=[nature.slug, hands.slug, outside.slug])
    assert [j.name for j in response.context["object_list"]] == ["b-three", "c-two", "a-one"]
    assert "3 centres d’intérêt sur 3" in response.content.decode()


def test_several_interests_rank_after_relevance_to_the_words(client):
    nature, hands = interest("T-IDEO2.4824"), interest("T-IDEO2.4806")
    job("jardinier/ère paysagiste", interests=[nature])
    job("jardinier/ère", interests=[nature])
    job("jardinier/ère d’intérieur", interests=[nature, hands])
    response = page(client, q="jardinier", interest=[nature.slug, hands.slug])
    # The exact title first; among titles starting with the word, the one matching both interests.
    assert [j.name for j in response.context["object_list"]] == [
        "jardinier/ère",
        "jardinier/ère d’intérieur",
        "jardinier/ère paysagiste",
    ]


def test_the_search_list_costs_a_constant_number_of_queries(client, django_assert_max_num_queries):
    nature = interest("T-IDEO2.4824")
    for n in range(30):
        job(f"infirmier/ère spécialité {n}", interests=[nature])
    # A typo search with every filter: vocabularies (1), training (1), search (6 at most: title
    # words, typo candidates, titles, ROME appellations and their jobs, texts), ids of the results
    # (1), the page (1), facets (1) = 11 at most, within the budget of 12.
    with django_assert_max_num_queries(11):
        page(client, q="infirmeire", interest=nature.slug, level="bac-5", status="salarie", sector="sante", page=2)


def test_suggestions_answer_json_with_the_form_typed_and_the_appellation_found(client):
    singer = job("chanteur/euse", "chanteuse", "chanteur")
    AppellationFactory(job=singer, name="chanteur/euse lyrique", feminine_name="chanteuse lyrique", masculine_name="")
    refresh_search_text([singer])
    data = client.get(SUGGESTIONS, {"q": "chanteuse lyr"}).json()
    assert data["suggestions"] == [
        {"title": "chanteuse", "found_via": "chanteuse lyrique", "url": singer.get_absolute_url()}
    ]


def test_suggestions_start_at_the_second_letter_and_stop_at_eight(client):
    for n in range(12):
        job(f"technicien/ne {n}")
    assert client.get(SUGGESTIONS, {"q": "t"}).json()["suggestions"] == []
    assert len(client.get(SUGGESTIONS, {"q": "te"}).json()["suggestions"]) == 8


def test_suggestions_have_a_query_budget_and_a_short_cache(client, django_assert_max_num_queries):
    job("boulanger/ère", "boulangère", "boulanger")
    # title words, typo candidates, titles, ROME appellations (and their jobs), then the jobs
    with django_assert_max_num_queries(6):
        response = client.get(SUGGESTIONS, {"q": "boulenger"})
    assert "max-age=60" in response["Cache-Control"]
    with django_assert_max_num_queries(0):
        assert client.get(SUGGESTIONS, {"q": "boulenger"}).json()["suggestions"][0]["title"] == "boulanger"


@pytest.mark.parametrize("query", ["\x00", "é" * 10_000, "& | ! : * ( ) '", "%ff", "' OR 1=1 --"])
def test_suggestions_never_fail(client, query):
    response = client.get(SUGGESTIONS, {"q": query})
    assert response.status_code == 200
    assert isinstance(response.json()["suggestions"], list)


def test_search_boxes_offer_suggestions_as_an_enhancement(client):
    for url in (reverse("catalogue:home"), LIST):
        content = client.get(url).content.decode()
        assert f'data-suggest="{SUGGESTIONS}"' in content
        assert "js/suggest.js" in content
