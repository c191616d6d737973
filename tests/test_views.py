"""The public pages: content, addresses, status codes and robustness to odd query strings."""

import re
from datetime import UTC, date, datetime
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from catalogue.models import (
    AppellationKind,
    Interest,
    Job,
    JobResource,
    JobSlugRedirect,
    PublicationStatus,
    ResourceKind,
    RomeCode,
    Sector,
    Source,
    Status,
)
from catalogue.services.search import refresh_search_text

from .factories import AppellationFactory, JobFactory, RelatedJobFactory, TrainingFactory, level

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode()


def first_interest() -> Interest:
    return Interest.objects.order_by("pk").first()


class Outline(HTMLParser):
    """Headings, landmarks and attributes of a page, to check its structure."""

    def __init__(self):
        super().__init__()
        self.headings: list[int] = []
        self.tags: list[str] = []
        self.inline_styles = 0
        self.inline_scripts = 0
        self.html_lang = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append(tag)
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if "style" in attributes or tag == "style":
            self.inline_styles += 1
        if tag == "script" and not attributes.get("src"):
            self.inline_scripts += 1
        if any(name.startswith("on") for name in attributes):
            self.inline_scripts += 1
        if tag == "html":
            self.html_lang = attributes.get("lang")


def outline(response) -> Outline:
    parser = Outline()
    parser.feed(text(response))
    return parser


@pytest.fixture
def full_job() -> Job:
    """A job with every part of the sheet filled."""
    training = TrainingFactory(name="BTS bioanalyses en laboratoire de contrôle")
    label_only = TrainingFactory(name="BTSA gestion et maîtrise de l’eau", has_sheet=False)
    related = JobFactory(name="technicien/ne de laboratoire")
    job = JobFactory(
        name="technicien/ne de production en biologie",
        slug="technicien-ne-de-production-en-biologie",
        onisep_id="MET.8063",
        feminine_name="technicienne de production en biologie",
        masculine_name="technicien de production en biologie",
        presentation="<p>Il ou elle pilote la fabrication.</p>",
        summary="<p>Des médicaments, des crèmes hydratantes.</p>",
        study_paths="<h3>Après le bac</h3><p>Un niveau bac + 2 au minimum est requis.</p>",
        nature_of_work="<p>Conduire les bioréacteurs.</p>",
        skills="<h5>Rigueur</h5><p>Rigueur et organisation.</p><h4>Équipe</h4>",
        working_conditions="<p>En salle stérile.</p>",
        access="<p>Après un BTS ou un BUT.</p>",
        career="<p>Évolution vers un poste de chef d’équipe.</p>",
        starting_salary="Salaire variable selon le lieu d’exercice.",
        other_information="<p>Une section non classée.</p>",
        access_level=level("bac-2"),
        is_cross_sector=True,
        source=Source.ONISEP,
        source_export_date=date(2026, 2, 14),
        trainings=[training, label_only],
        interests=[first_interest()],
        statuses=[Status.objects.get(slug="salarie")],
        sectors=[Sector.objects.order_by("pk").first()],
    )
    AppellationFactory(
        job=job, name="opérateur/trice de bioproduction", feminine_name="opératrice", masculine_name="opérateur"
    )
    AppellationFactory(job=job, name="appellation cachée", kind=AppellationKind.SEARCH_ONLY)
    job.rome_codes.add(RomeCode.objects.create(code="H1503", label="Intervention technique en laboratoire"))
    RelatedJobFactory(job=job, target=related, position=1)
    RelatedJobFactory(job=job, target=None, target_name="bio-informaticien/ne", position=2)
    RelatedJobFactory(job=job, target=JobFactory(name="brouillon associé", publication_status="draft"), position=3)
    JobResource.objects.create(
        job=job, kind=ResourceKind.PUBLICATION, title="Les métiers de la biologie", comment="Onisep, 2025"
    )
    JobResource.objects.create(
        job=job, kind=ResourceKind.ONLINE, title="Portail des biotechnologies", url="https://example.org/biotech"
    )
    refresh_search_text([job])
    Job.objects.filter(pk=job.pk).update(updated_at=datetime(2026, 3, 3, 12, tzinfo=UTC))
    return job


# Every page ---------------------------------------------------------------------------------------


@pytest.fixture
def every_page(full_job) -> list[str]:
    training = full_job.trainings.get(has_sheet=True)
    return [
        reverse("catalogue:home"),
        reverse("catalogue:job-list"),
        full_job.get_absolute_url(),
        reverse("catalogue:training-list"),
        training.get_absolute_url(),
        reverse("catalogue:interest-list"),
        first_interest().get_absolute_url(),
    ]


def test_every_public_page_is_french_accessible_and_free_of_inline_code(client, every_page):
    for url in every_page:
        response = client.get(url)
        assert response.status_code == 200, url
        page = outline(response)
        assert page.html_lang == "fr", url
        assert page.headings.count(1) == 1, url
        assert page.headings[0] == 1, url
        assert all(later - earlier <= 1 for earlier, later in zip(page.headings, page.headings[1:], strict=False)), (
            url,
            page.headings,
        )
        assert {"header", "nav", "main", "footer"} <= set(page.tags), url
        assert page.inline_styles == 0, url
        assert page.inline_scripts == 0, url
        content = text(response)
        assert '<a class="skip-link" href="#contenu">' in content
        assert 'id="contenu"' in content


def test_every_page_has_the_footer(client, every_page):
    for url in every_page:
        content = text(client.get(url))
        assert "Données : Onisep (Idéo, licence ODbL)" in content, url
        assert f'href="{reverse("admin:index")}">Espace conseillers</a>' in content, url
        for name in ("home", "job-list", "training-list", "interest-list"):
            assert f'href="{reverse(f"catalogue:{name}")}"' in content, (url, name)


# Home ---------------------------------------------------------------------------------------------


def test_home_offers_search_interests_levels_latest_jobs_and_counts(client):
    recent = JobFactory(name="infirmier/ère")
    JobFactory(name="brouillon", publication_status=PublicationStatus.DRAFT)
    TrainingFactory()
    response = client.get(reverse("catalogue:home"))
    content = text(response)
    assert response.status_code == 200
    assert 'action="/metiers/"' in content
    assert 'name="q"' in content
    assert "1 fiche métier, 1 formation et 27 centres d’intérêt" in content
    for interest in Interest.objects.all():
        assert interest.get_absolute_url() in content
    assert 'href="/metiers/?level=bac-2"' in content
    assert "autre-formation" not in content
    assert recent.get_absolute_url() in content
    assert "brouillon" not in content


# Job list -----------------------------------------------------------------------------------------


def test_job_list_shows_published_jobs_and_their_count(client):
    JobFactory(name="infirmier/ère", access_level=level("bac-3"))
    JobFactory(name="boulanger/ère")
    JobFactory(name="brouillon", publication_status=PublicationStatus.DRAFT)
    JobFactory(name="retiré", withdrawn_at=timezone.now())
    response = client.get(reverse("catalogue:job-list"))
    content = text(response)
    assert response.status_code == 200
    assert re.search(r'<h2 id="nombre-resultats"[^>]*aria-live="polite"[^>]*>2 métiers</h2>', content)
    assert "infirmier/ère" in content
    assert "Niveau minimum : Bac + 3" in content
    assert "brouillon" not in content
    assert "retiré" not in content


def test_job_list_filter_form_is_labelled_and_works_without_javascript(client):
    content = text(client.get(reverse("catalogue:job-list")))
    assert '<label for="id_q">' in content
    assert '<label for="id_level">' in content
    assert '<label for="id_sort">' in content
    assert content.count("<fieldset>") == 3
    assert "<legend" in content
    assert '<button type="submit"' in content
    assert re.search(r'<script src="/static/js/filters\.js" defer></script>', content)
    for interest in Interest.objects.all():
        assert f'value="{interest.slug}"' in content


def test_job_list_searches_names_case_and_accent_insensitively(client):
    JobFactory(name="infirmier/ère", feminine_name="infirmière", masculine_name="infirmier")
    JobFactory(name="boulanger/ère")
    content = text(client.get(reverse("catalogue:job-list"), {"q": "INFIRMIÈRE"}))
    assert "1 métier<" in content
    assert ">infirmière</a>" in content  # the form the student typed
    assert "boulanger/ère" not in content


def test_job_list_shows_active_filters_with_removal_links(client):
    interest = first_interest()
    JobFactory(name="a", interests=[interest], access_level=level("bac-2"))
    content = text(client.get(reverse("catalogue:job-list"), {"interest": interest.slug, "level": "bac-2"}))
    assert f"Centre d’intérêt : {escape(interest.display_name)}" in content
    assert 'href="?level=bac-2"' in content
    assert f'href="?interest={interest.slug}"' in content
    assert 'href="/metiers/">Effacer tous les filtres' in content


def test_job_list_without_results_says_so(client):
    JobFactory(name="a")
    content = text(client.get(reverse("catalogue:job-list"), {"q": "astronaute"}))
    assert ">Aucun métier</h2>" in content
    assert "Aucun métier ne correspond à ces critères." in content


def test_job_list_explains_ignored_criteria_in_french(client):
    JobFactory(name="a")
    content = text(client.get(reverse("catalogue:job-list"), {"level": "bac-42", "interest": "inconnu"}))
    assert "Niveau d’études inconnu : ce critère a été ignoré." in content
    assert "Certaines valeurs du filtre « Centres d’intérêt » sont inconnues" in content
    assert "1 métier<" in content


def test_pagination_keeps_the_filters(client, settings):
    settings.CATALOGUE_PAGE_SIZE = 5
    interest = first_interest()
    JobFactory.create_batch(12, interests=[interest], access_level=level("bac-2"))
    JobFactory.create_batch(3)
    url = reverse("catalogue:job-list")
    response = client.get(url, {"interest": interest.slug, "level": "bac-3", "sort": "updated"})
    content = text(response)
    assert "12 métiers" in content
    assert "Page 1 sur 3" in content
    assert f'href="?interest={interest.slug}&amp;level=bac-3&amp;sort=updated&amp;page=2" rel="next"' in content
    second = client.get(url, {"interest": interest.slug, "level": "bac-3", "sort": "updated", "page": 2})
    assert "Page 2 sur 3" in text(second)
    assert f'href="?interest={interest.slug}&amp;level=bac-3&amp;sort=updated&amp;page=1" rel="prev"' in text(second)
    assert len(second.context["object_list"]) == 5


@pytest.mark.parametrize(("page", "expected"), [("abc", 1), ("0", 3), ("-1", 3), ("99999999999999999999", 3)])
def test_page_numbers_out_of_range_or_malformed_show_a_page(client, settings, page, expected):
    settings.CATALOGUE_PAGE_SIZE = 2
    JobFactory.create_batch(5)
    response = client.get(reverse("catalogue:job-list"), {"page": page})
    assert response.status_code == 200
    assert response.context["page_obj"].number == expected


BAD_QUERY_STRINGS = [
    "interest=n-existe-pas",
    "interest=n-existe-pas&interest=",
    "level=autre-formation",
    "level=bac-2&level=bac-3&level=zzz",
    "training=inconnue",
    "status=%00",
    "sector=%25&sector=_",
    "sort=-pk",
    "sort=updated&sort=name&sort=x",
    "page=-1",
    "page=0",
    "page=abc",
    "page=99999999999999999999",
    "page=" + "9" * 5000,
    "page=1&page=2&page=x",
    "page=%00",
    "q=" + "a" * 10_000,
    "q=" + "mot+" * 3000,
    "q=%26+%7C+%21+%3A+%2A+%28+%29+%27",
    "q=%00",
    "q=infirmier%00%00",
    "q=%ff%fe",
    "interest=%ff",
    "level=%c3%28",
    "q=%",
    "q=%%%zz",
    "interest[]=x&level[0]=y",
    "q=a&q=b&q=c",
    "=&&=x&q",
    "q=" + "%F0%9F%98%80" * 100,
]


@pytest.mark.parametrize("query_string", BAD_QUERY_STRINGS)
@pytest.mark.parametrize("url_name", ["catalogue:job-list", "catalogue:training-list"])
def test_odd_query_strings_never_cause_a_server_error(client, query_string, url_name):
    JobFactory(interests=[first_interest()], access_level=level("bac-2"))
    TrainingFactory()
    response = client.get(f"{reverse(url_name)}?{query_string}")
    assert response.status_code == 200


@pytest.mark.parametrize("query_string", ["page=abc", "page=-1", "page=99999999999999999999", "q=%00&page=%ff"])
def test_odd_query_strings_on_other_pages_never_cause_a_server_error(client, full_job, query_string):
    training = full_job.trainings.get(has_sheet=True)
    for url in [
        reverse("catalogue:home"),
        full_job.get_absolute_url(),
        training.get_absolute_url(),
        reverse("catalogue:interest-list"),
        first_interest().get_absolute_url(),
    ]:
        assert client.get(f"{url}?{query_string}").status_code == 200, url


# Job page -----------------------------------------------------------------------------------------


def test_job_page_shows_every_part_of_the_sheet(client, full_job):
    response = client.get(full_job.get_absolute_url())
    content = text(response)
    assert response.status_code == 200
    expected = [
        "<h1>Technicien/ne de production en biologie</h1>",
        "Fiche MET.8063",
        "technicienne de production en biologie",
        "technicien de production en biologie",
        ">Autres appellations</h2>",
        "opérateur/trice de bioproduction",
        "au féminin : opératrice ; au masculin : opérateur",
        "H1503 – Intervention technique en laboratoire",
        ">Présentation</h2>",
        "<p>Il ou elle pilote la fabrication.</p>",
        ">En bref</h2>",
        "<p>Des médicaments, des crèmes hydratantes.</p>",
        ">Durée des études</h2>",
        "<h3>Après le bac</h3><p>Un niveau bac + 2 au minimum est requis.</p>",
        ">Nature du travail</h2>",
        "<p>Conduire les bioréacteurs.</p>",
        ">Compétences requises</h2>",
        "<h3>Rigueur</h3><p>Rigueur et organisation.</p><h3>Équipe</h3>",
        ">Conditions de travail</h2>",
        "<p>En salle stérile.</p>",
        ">Accès au métier</h2>",
        "<p>Après un BTS ou un BUT.</p>",
        ">Vie professionnelle</h2>",
        "<p>Évolution vers un poste de chef d’équipe.</p>",
        "<h3>Salaire du débutant</h3>",
        "Salaire variable selon le lieu d’exercice.",
        ">Niveau d’accès minimum</h2>",
        "<p>Bac + 2</p>",
        ">Formations recommandées</h2>",
        ">Statuts possibles</h2>",
        "<li>salarié</li>",
        ">Centres d’intérêt</h2>",
        f'<a href="{first_interest().get_absolute_url()}">{escape(first_interest().display_name)}</a>',
        ">Secteurs d’activité</h2>",
        escape(Sector.objects.order_by("pk").first().name),
        "Ce métier s’exerce dans de nombreux secteurs.",
        ">Métiers associés</h2>",
        ">Pour en savoir plus</h2>",
        "<h3>Publications</h3>",
        "Les métiers de la biologie – Onisep, 2025",
        "<h3>Sources en ligne</h3>",
        '<a href="https://example.org/biotech">Portail des biotechnologies</a>',
        ">Autres informations</h2>",
        "<p>Une section non classée.</p>",
        'Mis à jour le <time datetime="2026-03-03">3 mars 2026</time>',
        "Source : Onisep, Idéo-Fiches métiers, export du 14/02/2026",
    ]
    for part in expected:
        assert part in content, part
    assert "appellation cachée" not in content
    assert "Aperçu réservé aux conseillers" not in content


def test_job_page_links_trainings_with_a_public_sheet_and_names_the_others(client, full_job):
    content = text(client.get(full_job.get_absolute_url()))
    training = full_job.trainings.get(has_sheet=True)
    assert f'<a href="{training.get_absolute_url()}">BTS bioanalyses en laboratoire de contrôle</a>' in content
    assert "<li>BTSA gestion et maîtrise de l’eau</li>" in content


def test_job_page_links_published_related_jobs_and_names_the_others(client, full_job):
    content = text(client.get(full_job.get_absolute_url()))
    related = Job.objects.get(name="technicien/ne de laboratoire")
    assert f'<a href="{related.get_absolute_url()}">technicien/ne de laboratoire</a>' in content
    assert "<li>bio-informaticien/ne</li>" in content
    assert "<li>brouillon associé</li>" in content


def test_job_page_omits_empty_sections(client):
    job = JobFactory(presentation="", summary="<p>Court.</p>")
    content = text(client.get(job.get_absolute_url()))
    for heading in ["Présentation", "Durée des études", "Vie professionnelle", "Formations recommandées", "Codes ROME"]:
        assert f">{heading}</h2>" not in content
    assert ">En bref</h2>" in content
    assert "Source : Onisep" not in content


def test_draft_job_is_not_found_for_visitors(client):
    draft = JobFactory(publication_status=PublicationStatus.DRAFT)
    response = client.get(draft.get_absolute_url())
    assert response.status_code == 404
    assert "Page introuvable" in text(response)


def test_staff_preview_a_draft_with_a_banner(counsellor_client):
    draft = JobFactory(name="métier en préparation", publication_status=PublicationStatus.DRAFT)
    response = counsellor_client.get(draft.get_absolute_url())
    assert response.status_code == 200
    assert "Aperçu réservé aux conseillers – brouillon, non visible des élèves" in text(response)


def test_old_job_address_redirects_permanently_to_the_current_one(client):
    job = JobFactory(slug="nouveau-nom")
    JobSlugRedirect.objects.create(old_slug="ancien-nom", job=job)
    response = client.get(reverse("catalogue:job-detail", kwargs={"slug": "ancien-nom"}))
    assert response.status_code == 301
    assert response["Location"] == "/metiers/nouveau-nom/"


def test_withdrawn_job_answers_gone_with_links_to_related_jobs(client):
    withdrawn = JobFactory(name="métier disparu", withdrawn_at=timezone.now())
    successor = JobFactory(name="métier qui le remplace")
    RelatedJobFactory(job=withdrawn, target=successor)
    RelatedJobFactory(job=withdrawn, target=None, target_name="métier pas encore au catalogue")
    response = client.get(withdrawn.get_absolute_url())
    content = text(response)
    assert response.status_code == 410
    assert "Cette fiche métier n’est plus disponible" in content
    assert "« métier disparu » a été retirée par l’Onisep" in content
    assert f'<a href="{successor.get_absolute_url()}">métier qui le remplace</a>' in content
    assert "<li>métier pas encore au catalogue</li>" in content


def test_unknown_job_is_a_french_404(client):
    response = client.get(reverse("catalogue:job-detail", kwargs={"slug": "n-existe-pas"}))
    assert response.status_code == 404
    assert "Page introuvable" in text(response)
    assert '<html lang="fr">' in text(response)


# Trainings ----------------------------------------------------------------------------------------


def test_training_list_shows_published_trainings_with_a_sheet(client):
    TrainingFactory(name="BTS bioanalyses", level=level("bac-2"), type_label="brevet de technicien supérieur")
    TrainingFactory(name="libellé sans fiche", has_sheet=False)
    TrainingFactory(name="formation en brouillon", publication_status=PublicationStatus.DRAFT)
    response = client.get(reverse("catalogue:training-list"))
    content = text(response)
    assert response.status_code == 200
    assert "1 formation<" in content
    assert "BTS bioanalyses" in content
    assert "brevet de technicien supérieur" in content
    assert "Niveau : Bac + 2" in content
    assert "libellé sans fiche" not in content
    assert "formation en brouillon" not in content


def test_training_list_filters_by_name_and_level(client):
    TrainingFactory(name="BTS électrotechnique", slug="bts-electrotechnique", level=level("bac-2"))
    TrainingFactory(name="licence électronique", slug="licence-electronique", level=level("bac-3"))
    content = text(client.get(reverse("catalogue:training-list"), {"q": "ELECTRO", "level": "bac-3"}))
    assert "licence électronique" in content
    assert "BTS électrotechnique" not in content


def test_training_page_shows_its_sheet_and_the_published_jobs_it_leads_to(client):
    training = TrainingFactory(
        name="BTS bioanalyses en laboratoire de contrôle",
        type_label="brevet de technicien supérieur",
        duration="2 ans",
        level=level("bac-2"),
        certification_level="niveau 5 (bac + 2)",
        certificate_nature="diplôme national",
        description="<p>Former des techniciens d’analyse.</p>",
        access="<p>Après un bac STL.</p>",
        expectations="<p>Intérêt pour la biologie.</p>",
        further_studies="<p>Licence professionnelle.</p>",
        further_study_options=["licence pro bio-industries"],
        url="https://www.onisep.fr/http/redirection/formation/slug/FOR.9975",
        source=Source.ONISEP,
        source_export_date=date(2026, 2, 14),
    )
    published = JobFactory(name="technicien/ne de laboratoire", trainings=[training])
    JobFactory(name="métier en brouillon", trainings=[training], publication_status=PublicationStatus.DRAFT)
    response = client.get(training.get_absolute_url())
    content = text(response)
    assert response.status_code == 200
    for part in [
        "<h1>BTS bioanalyses en laboratoire de contrôle</h1>",
        "brevet de technicien supérieur",
        "2 ans",
        "Bac + 2",
        "niveau 5 (bac + 2)",
        "diplôme national",
        "<p>Former des techniciens d’analyse.</p>",
        "<p>Après un bac STL.</p>",
        "<p>Intérêt pour la biologie.</p>",
        "<p>Licence professionnelle.</p>",
        "licence pro bio-industries",
        'href="https://www.onisep.fr/http/redirection/formation/slug/FOR.9975"',
        "Source : Onisep, Idéo-Fiches formations, export du 14/02/2026",
        f'<a href="{published.get_absolute_url()}">technicien/ne de laboratoire</a>',
        f'href="/metiers/?training={training.slug}"',
    ]:
        assert part in content, part
    assert "métier en brouillon" not in content


@pytest.mark.parametrize(
    "attributes",
    [{"has_sheet": False}, {"publication_status": PublicationStatus.DRAFT}, {"withdrawn_at": timezone.now()}],
)
def test_training_without_a_public_sheet_has_no_page(client, attributes):
    training = TrainingFactory(**attributes)
    assert client.get(training.get_absolute_url()).status_code == 404


def test_job_list_filtered_by_training_names_it(client):
    training = TrainingFactory(name="BTS bioanalyses")
    JobFactory(name="a", trainings=[training])
    JobFactory(name="b")
    content = text(client.get(reverse("catalogue:job-list"), {"training": training.slug}))
    assert "Formation : BTS bioanalyses" in content
    assert "1 métier<" in content


# Interests ----------------------------------------------------------------------------------------


def test_interest_list_shows_each_interest_with_its_number_of_published_jobs(client):
    interest = first_interest()
    JobFactory.create_batch(2, interests=[interest])
    JobFactory(interests=[interest], publication_status=PublicationStatus.DRAFT)
    response = client.get(reverse("catalogue:interest-list"))
    content = text(response)
    assert response.status_code == 200
    assert content.count('class="tiles__label"') == 27
    assert re.search(
        rf"{re.escape(escape(interest.display_name))}</span> <span class=\"tiles__count\">2 métiers<", content
    )
    assert "0 métier<" in content


def test_interest_page_lists_its_published_jobs_page_by_page(client, settings):
    settings.CATALOGUE_PAGE_SIZE = 2
    interest = first_interest()
    JobFactory(name="a", interests=[interest])
    JobFactory(name="b", interests=[interest])
    JobFactory(name="c", interests=[interest])
    JobFactory(name="d")
    JobFactory(name="e", interests=[interest], publication_status=PublicationStatus.DRAFT)
    response = client.get(interest.get_absolute_url())
    content = text(response)
    assert response.status_code == 200
    assert f"<h1>{escape(interest.display_name)}</h1>" in content
    assert "3 métiers" in content
    assert [job.name for job in response.context["object_list"]] == ["a", "b"]
    assert 'href="?page=2" rel="next"' in content
    assert [job.name for job in client.get(interest.get_absolute_url(), {"page": 2}).context["object_list"]] == ["c"]


def test_unknown_interest_is_a_404(client):
    assert client.get(reverse("catalogue:interest-detail", kwargs={"slug": "inconnu"})).status_code == 404


def test_result_cards_show_the_presentation_as_plain_text(client):
    JobFactory(presentation="<p>Soigner &amp; <strong>rassurer</strong>.</p><p>Chaque jour.</p>")
    content = text(client.get(reverse("catalogue:job-list")))
    assert '<p class="card__text">Soigner &amp; rassurer. Chaque jour.</p>' in content


def test_only_web_addresses_become_links(client):
    job = JobFactory()
    JobResource.objects.create(job=job, kind=ResourceKind.ONLINE, title="Adresse piégée", url="javascript:alert(1)")
    content = text(client.get(job.get_absolute_url()))
    assert "<li>Adresse piégée</li>" in content
    assert "javascript:" not in content


def test_server_error_page_is_french_and_needs_no_context(rf):
    from django.views.defaults import server_error

    response = server_error(rf.get("/"))
    content = text(response)
    assert response.status_code == 500
    assert '<html lang="fr">' in content
    assert "Une erreur est survenue" in content
    assert "Données : Onisep (Idéo, licence ODbL)" in content


def test_the_sample_sheet_shows_every_fact_and_answers_its_filters(client, sample_sheet):
    """Issue 2's reference: import ../shared/seeds/MET.8063.md, read its page, filter the list."""
    from catalogue.importers.sheets import import_sheets

    import_sheets([sample_sheet])
    job = Job.objects.get(onisep_id="MET.8063")
    html = text(client.get(job.get_absolute_url()))
    for fact in (
        "technicienne de production en biologie",
        "technicien de production en biologie",
        "pilote la fabrication sur des équipements industriels",  # Présentation
        "selon le planning défini avec les responsables de production",  # En bref
        "Après le bac",
        "BTS biotechnologie en recherche et en production",  # Durée des études
        "Salaire variable selon le lieu d'exercice.",
        "Bac + 2",
        "salarié",
        "Je me passionne pour les nouvelles technologies",
    ):
        assert escape(fact) in html, fact
    trainings = list(job.trainings.all())
    assert len(trainings) == 12
    for training in trainings:
        assert f'href="{training.get_absolute_url()}"' in html

    interest = job.interests.get()
    listed = client.get(reverse("catalogue:job-list"), {"interest": interest.slug}).context["object_list"]
    assert job in list(listed)
    below = client.get(reverse("catalogue:job-list"), {"interest": interest.slug, "level": "bac-1"})
    assert job not in list(below.context["object_list"])
    at_level = client.get(reverse("catalogue:job-list"), {"interest": interest.slug, "level": "bac-2"})
    assert job in list(at_level.context["object_list"])


def test_the_standalone_500_page_links_the_legal_pages_like_every_footer():
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    for name in ("legal-notice", "sources", "accessibility", "catalogue:home", "catalogue:job-list"):
        assert f'href="{reverse(name)}"' in html


def test_every_page_declares_its_icon(client):
    assert 'rel="icon" href="/static/favicon.svg"' in text(client.get(reverse("catalogue:home")))
