"""The job search engine, on SQLite and PostgreSQL alike."""

import pytest
from django.db import connection

from catalogue.models import AppellationKind, PublicationStatus, RomeCode
from catalogue.models.search import RomeAppellation, SearchTitle, SearchWord
from catalogue.search import edit_distance, query_words, search_jobs
from catalogue.services.search import refresh_search_text
from catalogue.text import fold

from .factories import AppellationFactory, JobFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def nurses():
    nurse = JobFactory(
        name="infirmier/ère",
        feminine_name="infirmière",
        masculine_name="infirmier",
        presentation="<p>Soigne les patients à l’hôpital.</p>",
    )
    theatre = JobFactory(
        name="infirmier/ère de bloc opératoire",
        feminine_name="infirmière de bloc opératoire",
        masculine_name="infirmier de bloc opératoire",
    )
    childcare = JobFactory(name="puériculteur/trice", feminine_name="puéricultrice", masculine_name="puériculteur")
    return nurse, theatre, childcare


def ranked(query, **kwargs):
    return [hit.job_id for hit in search_jobs(query, **kwargs)]


def test_query_words_fold_and_drop_small_words_and_inclusive_suffixes():
    assert query_words("Infirmier·ère d’État") == ["infirmier", "etat"]
    assert query_words("avocat.e") == ["avocat"]
    assert query_words("infirmier / infirmière") == ["infirmier", "infirmiere"]
    assert query_words("  ") == []
    assert query_words("de la") == ["de", "la"]


def test_edit_distance_counts_a_swap_as_one_error():
    assert edit_distance("infirmeire", "infirmiere", 2) == 1
    assert edit_distance("boulenger", "boulanger", 2) == 1
    assert edit_distance("abc", "xyz", 1) == 2  # capped at limit + 1


@pytest.mark.parametrize(
    "query",
    ["infirmiere", "INFIRMIER", "infirmier·ère", "infirmier/ère", "infirmier / infirmière", "infirmeire", "infirmiers"],
)
def test_every_spelling_of_nurse_puts_the_nurse_first(nurses, query):
    nurse, theatre, _ = nurses
    result = ranked(query)
    assert result[0] == nurse.pk
    assert theatre.pk in result


def test_exact_title_then_title_starting_with_the_query_then_all_words(nurses):
    nurse, theatre, _ = nurses
    anywhere = JobFactory(name="cadre de santé infirmier")  # every word, not at the start
    assert ranked("infirmier")[:3] == [nurse.pk, theatre.pk, anywhere.pk]
    assert ranked("infirmier de bloc")[0] == theatre.pk


def test_the_gendered_form_typed_is_the_one_shown(nurses):
    assert search_jobs("infirmière")[0].gender == "feminine"
    assert search_jobs("infirmier")[0].gender == "masculine"
    assert search_jobs("puericultrice")[0].gender == "feminine"


def test_a_job_found_through_a_synonym_says_so():
    singer = JobFactory(name="chanteur/euse", feminine_name="chanteuse", masculine_name="chanteur")
    AppellationFactory(
        job=singer, name="chanteur/euse de jazz", feminine_name="chanteuse de jazz", masculine_name="chanteur de jazz"
    )
    refresh_search_text([singer])
    hit = search_jobs("chanteuse de jazz")[0]
    assert hit.job_id == singer.pk
    assert hit.found_via == "chanteuse de jazz"
    assert hit.gender == "feminine"
    assert search_jobs("chanteuse")[0].found_via == ""


def test_rome_appellations_find_every_job_of_their_code_below_own_titles():
    code = RomeCode.objects.create(code="L1202", label="Musicien et chanteur")
    RomeAppellation.objects.create(ogr_code=1, rome_code=code, label="Choriste", folded=fold("Choriste"))
    RomeAppellation.objects.create(
        ogr_code=2, rome_code=code, label="Musicien / Musicienne de rue", folded=fold("Musicien / Musicienne de rue")
    )
    singer = JobFactory(name="chanteur/euse")
    musician = JobFactory(name="musicien/ne", feminine_name="musicienne", masculine_name="musicien")
    singer.rome_codes.add(code)
    musician.rome_codes.add(code)
    refresh_search_text([singer, musician])

    hits = search_jobs("choriste")
    assert {hit.job_id for hit in hits} == {singer.pk, musician.pk}
    assert all(hit.found_via_rome and hit.found_via == "Choriste" for hit in hits)
    # The musician's own title beats the ROME title that also names musicians.
    assert ranked("musicien")[0] == musician.pk
    assert ranked("musicien") == [musician.pk, singer.pk]


def test_search_only_appellations_find_the_job_but_are_not_displayed():
    nurse = JobFactory(name="aide-soignant/e")
    AppellationFactory(job=nurse, name="ASH", feminine_name="", masculine_name="", kind=AppellationKind.SEARCH_ONLY)
    refresh_search_text([nurse])
    hit = search_jobs("ash")[0]
    assert hit.job_id == nurse.pk
    assert hit.found_via == "ASH"


def test_typos_are_tolerated_one_or_two_per_word():
    baker = JobFactory(name="boulanger/ère", feminine_name="boulangère", masculine_name="boulanger")
    JobFactory(name="pâtissier/ère")
    assert ranked("boulenger")[0] == baker.pk
    assert ranked("bolangere")[0] == baker.pk
    assert ranked("patisier")[0] != baker.pk


def test_words_in_any_order_and_jobs_matching_all_words_first():
    games = JobFactory(name="développeur/euse de jeux vidéo")
    JobFactory(name="développeur/euse informatique")
    JobFactory(name="testeur/euse de jeux vidéo")
    assert ranked("jeux video developpeur")[0] == games.pk
    assert ranked("developpeur jeux video")[0] == games.pk


def test_abbreviations_match_word_starts():
    educator = JobFactory(name="éducateur/trice spécialisé/e")
    JobFactory(name="éducateur/trice de jeunes enfants")
    assert ranked("educ spé")[0] == educator.pk
    lab = JobFactory(name="technicien/ne de laboratoire", feminine_name="technicienne de laboratoire")
    assert ranked("technicienne labo")[0] == lab.pk


def test_texts_count_with_a_lower_weight(nurses):
    nurse, _, _ = nurses
    named = JobFactory(name="patient/e expert/e")
    result = ranked("patients")
    assert result == [named.pk, nurse.pk]
    assert search_jobs("patients")[1].found_in_text


def test_drafts_are_not_searched_unless_the_queryset_includes_them():
    from catalogue.models import Job

    draft = JobFactory(name="cordiste", publication_status=PublicationStatus.DRAFT)
    assert ranked("cordiste") == []
    assert ranked("cordiste", jobs=Job.objects.all()) == [draft.pk]


@pytest.mark.parametrize(
    "query",
    [
        "",
        " ",
        "'",
        '"',
        "&",
        "|",
        "!",
        ":*",
        "a & b | !c",
        "(()",
        "\x00",
        "é" * 10_000,
        "x" * 10_000,
        "de la",
        "%_",
        "\\",
    ],
)
def test_any_query_gives_an_answer_never_an_error(nurses, query):
    assert isinstance(search_jobs(query), list)


def test_refresh_builds_titles_and_vocabulary(nurses):
    nurse, _, _ = nurses
    kinds = set(SearchTitle.objects.filter(job=nurse).values_list("kind", flat=True))
    assert kinds == {"name", "feminine", "masculine"}
    assert SearchWord.objects.filter(word="infirmiere").exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="GIN indexes exist on PostgreSQL only")
def test_postgresql_search_queries_use_the_gin_indexes(nurses):
    """EXPLAIN what the engine asks for a typo search that also reaches the texts."""
    from django.test.utils import CaptureQueriesContext

    from catalogue.models.search import SearchDocument
    from catalogue.search import TEXT_MATCH_SQL, JobSearch

    search = JobSearch("infirmeire patients")
    with CaptureQueriesContext(connection) as captured:
        assert search.hits()
    text_expression = TEXT_MATCH_SQL.split("%s")[0]  # the engine sends the index's very expression
    assert any(text_expression in query["sql"] for query in captured.captured_queries)
    sqls = [query["sql"] for query in captured.captured_queries]
    statements = {
        "typo": next(sql for sql in sqls if "FROM catalogue_searchword WHERE word %" in sql),
    }
    plans = {}
    with connection.cursor() as cursor:
        # A vocabulary at about ten times the 2024 catalogue, analysed, as the planner will see it.
        cursor.execute(
            "INSERT INTO catalogue_searchword (word, length) SELECT substr(md5(i::text), 1, 9), 9 "
            "FROM generate_series(1, 70000) AS i ON CONFLICT DO NOTHING"
        )
        cursor.execute("ANALYZE catalogue_searchword")
        # Without scans, the planner would rather read the whole unique btree than the trigram index
        # (it cannot serve LIKE or % but is cheaper to walk); set it aside for this transaction only.
        cursor.execute("ALTER TABLE catalogue_searchword DROP CONSTRAINT searchword_unique_word")
        cursor.execute("SET enable_seqscan = off")  # show the index choice on these small tables
        for name, sql in statements.items():
            cursor.execute(f"EXPLAIN {sql}")
            plans[name] = "\n".join(row[0] for row in cursor.fetchall())
        # The title condition alone (the engine adds the published-jobs restriction to it).
        plans["title"] = SearchTitle.objects.filter(search.title_condition()).order_by().values("job_id").explain()
        documents = SearchDocument.objects.extra(where=[TEXT_MATCH_SQL], params=["patient:*"])
        plans["text"] = documents.order_by().values("job_id").explain()
        cursor.execute("SET enable_seqscan = on")
    assert "searchword_word_trgm" in plans["typo"]
    assert "searchtitle_folded_trgm" in plans["title"]
    assert "searchdocument_body_fts" in plans["text"]
