from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalogue.importers.sheets import guess_training_type, import_sheets, parse_sheet
from catalogue.models import (
    Appellation,
    AppellationKind,
    ImportKind,
    ImportRun,
    Job,
    PublicationStatus,
    RelatedJob,
    RomeCode,
    Source,
    Training,
)

from .factories import AppellationFactory, JobFactory, TrainingFactory, interest, level, sector, status

pytestmark = pytest.mark.django_db

SHEETS = Path(__file__).resolve().parent / "data" / "sheets"
VALID = SHEETS / "valid"
MALFORMED = SHEETS / "malformed"
NBSP = "\u00a0"


def db_state() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Job, Training, Appellation, RelatedJob, RomeCode, ImportRun, Job.trainings.through)
    }


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def sample_variant(sample_sheet: Path, tmp_path: Path, *replacements: tuple[str, str], name="MET.8063.md") -> Path:
    text = sample_sheet.read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text
        text = text.replace(old, new)
    return write(tmp_path, name, text)


# -- the reference sheet


def test_sample_sheet_is_imported_field_by_field(sample_sheet):
    report = import_sheets([sample_sheet])

    assert report.errors == []
    assert report.warnings == []
    assert (report.created, report.updated, report.unchanged) == (["MET.8063"], [], [])
    job = Job.objects.get(onisep_id="MET.8063")
    assert job.name == "technicien/ne de production en biologie"
    assert job.feminine_name == "technicienne de production en biologie"
    assert job.masculine_name == "technicien de production en biologie"
    assert job.slug == "technicien-ne-de-production-en-biologie"
    assert job.source == Source.SHEET
    assert job.publication_status == PublicationStatus.PUBLISHED
    assert job.published_at is not None
    assert job.presentation.startswith("<p>Dans une entreprise de médicaments, de cosmétiques")
    assert "coordonner une équipe d’opérateurs.</p>" in job.presentation
    assert job.summary.startswith("<p>Des médicaments, des crèmes hydratantes")
    assert job.summary.endswith("des procédures et des règlementations.</p>")
    assert "Après le bac" not in job.summary
    assert "BTS bioanalyses" not in job.summary
    assert "Durée des études" not in job.summary
    assert job.study_paths.startswith("<h4>Après le bac</h4><p>Un niveau bac + 2 au minimum est requis")
    assert "<p>2 ans pour préparer le BTS bioanalyses en laboratoire de contrôle ;" in job.study_paths
    assert "<p>3 ans pour obtenir le BUT génie biologique" in job.study_paths
    assert job.starting_salary == "Salaire variable selon le lieu d'exercice."
    assert job.career == ""  # "Salaire" held nothing but the starting salary
    assert job.other_information == ""
    assert job.access_level == level("bac-2")
    assert sorted(job.trainings.values_list("onisep_id", flat=True)) == sorted(
        [
            "FOR.317",
            "FOR.7683",
            "FOR.9975",
            "FOR.9970",
            "FOR.9166",
            "FOR.7838",
            "FOR.7842",
            "FOR.7844",
            "FOR.11340",
            "FOR.11354",
            "FOR.11759",
            "FOR.10544",
        ]
    )
    assert list(job.statuses.all()) == [status("T-ITM.9")]
    assert list(job.interests.all()) == [interest("T-IDEO2.4825")]
    assert "technicienne de production en biologie" in job.search_text.splitlines()


def test_trainings_cited_by_a_sheet_are_created_published_with_a_guessed_type(sample_sheet):
    report = import_sheets([sample_sheet])

    assert report.trainings_created == 12
    training = Training.objects.get(onisep_id="FOR.11340")
    assert training.name == "licence pro mention bio-industries et biotechnologies"
    assert training.slug == "licence-pro-mention-bio-industries-et-biotechnologies"
    assert training.has_sheet
    assert training.source == Source.SHEET
    assert training.publication_status == PublicationStatus.PUBLISHED
    assert training.published_at is not None
    assert training.type_acronym == "licence pro"
    assert Training.objects.get(onisep_id="FOR.317").type_acronym == "BTSA"
    assert Training.objects.get(onisep_id="FOR.7838").type_acronym == "BUT"
    assert Training.objects.get(onisep_id="FOR.10544").type_acronym == "licence"


def test_existing_training_is_linked_and_never_renamed(sample_sheet):
    training = TrainingFactory(onisep_id="FOR.9970", name="BTS biotechnologies (intitulé officiel)")

    report = import_sheets([sample_sheet])

    training.refresh_from_db()
    assert training.name == "BTS biotechnologies (intitulé officiel)"
    assert training.source == Source.COUNSELLOR
    assert report.trainings_created == 11
    assert training in Job.objects.get(onisep_id="MET.8063").trainings.all()


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("BTSA gestion et maîtrise de l'eau", "BTSA"),
        ("bac pro technicien d'usinage", "bac pro"),
        ("master mention informatique", "master"),
        ("CAP cuisine", "CAP"),
        ("Expert en informatique (EPSI)", ""),
    ],
)
def test_training_type_is_guessed_from_the_first_words(label, expected):
    assert guess_training_type(label) == expected


# -- idempotence


def test_reimporting_an_unchanged_sheet_writes_nothing(sample_sheet):
    import_sheets([sample_sheet])
    job = Job.objects.get(onisep_id="MET.8063")
    before = db_state()

    report = import_sheets([sample_sheet])

    assert (report.created, report.updated, report.unchanged) == ([], [], ["MET.8063"])
    assert report.summary() == "Fiches : 0 créées, 0 mises à jour, 1 inchangées, 0 erreur(s)."
    after = Job.objects.get(pk=job.pk)
    assert after.updated_at == job.updated_at
    assert db_state() == {**before, "ImportRun": before["ImportRun"] + 1}


def test_reimporting_an_edited_sheet_updates_the_job_and_keeps_its_slug(sample_sheet, tmp_path):
    import_sheets([sample_sheet])
    job = Job.objects.get(onisep_id="MET.8063")
    edited = sample_variant(
        sample_sheet,
        tmp_path,
        ("# technicien/ne de production en biologie", "# technicien/ne de fabrication en biologie"),
        ("Il ou elle peut coordonner", "Il ou elle coordonne parfois"),
        ("- salarié", "- salarié\n- indépendant"),
    )

    report = import_sheets([edited])

    assert (report.created, report.updated, report.unchanged) == ([], ["MET.8063"], [])
    job.refresh_from_db()
    assert job.name == "technicien/ne de fabrication en biologie"
    assert job.slug == "technicien-ne-de-production-en-biologie"
    assert "Il ou elle coordonne parfois" in job.presentation
    assert set(job.statuses.values_list("onisep_id", flat=True)) == {"T-ITM.9", "T-ITM.5"}
    assert job.updated_at > job.created_at
    assert "technicien ne de fabrication en biologie" in job.search_text.splitlines()
    assert Job.objects.count() == 1


def test_a_sheet_whose_only_change_is_a_link_is_updated(sample_sheet, tmp_path):
    import_sheets([sample_sheet])
    stamp = Job.objects.get(onisep_id="MET.8063").updated_at
    edited = sample_variant(sample_sheet, tmp_path, ("- BTS bioqualité (ID: FOR.11759)\n", ""))

    report = import_sheets([edited])

    assert report.updated == ["MET.8063"]
    job = Job.objects.get(onisep_id="MET.8063")
    assert job.trainings.count() == 11
    assert job.updated_at > stamp
    assert Training.objects.filter(onisep_id="FOR.11759").exists()  # unlinked, not deleted


def test_reimporting_unchanged_sheets_costs_the_same_queries_for_ten_or_thirty_sheets(sample_sheet, tmp_path):
    def run(count: int) -> int:
        folder = tmp_path / str(count)
        folder.mkdir()
        for number in range(count):
            sample_variant(
                sample_sheet,
                folder,
                ("**ID:** MET.8063", f"**ID:** MET.{70000 + number}"),
                ("# technicien/ne de production", f"# technicien/ne {number} de production"),
                name=f"{number}.md",
            )
        import_sheets([folder])
        with CaptureQueriesContext(connection) as queries:
            report = import_sheets([folder])
        assert len(report.unchanged) == count
        return len(queries)

    assert run(10) == run(30)


# -- a fuller sheet


def test_fuller_sheet_keeps_every_section():
    report = import_sheets([VALID])

    assert report.errors == []
    assert report.warnings == []
    assert report.created == ["MET.12", "MET.14"]
    job = Job.objects.get(onisep_id="MET.12")
    assert [(a.name, a.feminine_name, a.masculine_name, a.kind, a.position) for a in job.appellations.all()] == [
        ("analyste-programmeur/euse", "analyste-programmeuse", "analyste-programmeur", AppellationKind.SYNONYM, 0),
        (
            "ingénieur/e d'études et de développement",
            "ingénieure d'études et de développement",
            "ingénieur d'études et de développement",
            AppellationKind.SYNONYM,
            1,
        ),
    ]
    assert "analyste programmeuse" in job.search_text.splitlines()
    assert [(code.code, code.label) for code in job.rome_codes.all()] == [
        ("M1805", ""),
        ("M1806", "Conseil et maîtrise d'ouvrage en systèmes d'information"),
    ]
    assert job.presentation.startswith("<p>Spécialiste des langages de programmation")
    assert job.summary == (
        "<p>Le développeur informatique conçoit, écrit, teste et fait évoluer des programmes "
        "à partir d’un cahier des charges.</p>"
    )
    assert job.study_paths.startswith("<h4>Après le bac</h4><p>Un bac + 2 au minimum")
    assert job.nature_of_work == (
        "<h4>Analyser les besoins</h4><p>Avec le chef de projet, il ou elle étudie ce que l’application doit faire.</p>"
        "<h4>Écrire et tester le code</h4><p>Le développeur écrit le programme puis vérifie qu'il fonctionne&nbsp;:</p>"
        "<ul><li>tests unitaires ;</li><li>recette avec les utilisateurs.</li></ul>"
    )
    assert job.skills.startswith("<h4>Rigueur et curiosité</h4><p>Les langages évoluent vite")
    assert job.working_conditions.startswith("<p>Le plus souvent en équipe")
    assert job.career == (
        "<h4>Intégrer le marché du travail</h4>"
        "<h5>Une demande forte</h5><p>Les entreprises recrutent de nombreux développeurs, surtout en alternance.</p>"
        "<h5>Évolutions possibles</h5><p>Avec de l’expérience, il ou elle peut devenir chef/fe de projet.</p>"
    )
    assert job.starting_salary == f"2{NBSP}830 euros brut par mois."
    assert job.access.startswith("<p>Les diplômes vont du bac + 2 au bac + 5")
    assert job.other_information == ""
    assert job.access_level == level("bac-2")
    assert set(job.statuses.all()) == {status("T-ITM.9"), status("T-ITM.5")}
    assert set(job.sectors.all()) == {sector("T-IDEO2.4835"), sector("T-IDEO2.5713")}
    assert set(job.interests.all()) == {interest("T-IDEO2.4825"), interest("T-IDEO2.4809"), interest("T-IDEO2.5723")}
    assert set(job.trainings.values_list("onisep_id", "type_acronym")) == {("FOR.7777", "BUT"), ("FOR.9199", "BTS")}
    links = list(job.related_links.order_by("position"))
    assert [(link.target_onisep_id, link.target_name, link.position) for link in links] == [
        ("MET.14", "administrateur/trice de base de données", 0),
        ("MET.718", "architecte web", 1),
    ]
    assert links[0].target == Job.objects.get(onisep_id="MET.14")  # created in the same run
    assert links[1].target is None  # kept with its identifier and name until that job exists
    assert Job.objects.get(onisep_id="MET.14").related_links.get().target == job


@pytest.mark.parametrize("indent", ["", "            "])
def test_vie_professionnelle_parts_become_sub_headings_and_the_salary_is_taken_out(indent):
    sheet = parse_sheet(
        "# test/euse\n**ID:** MET.5\n## Vie professionnelle\n\n## Salaire\n"
        "            ### Salaire du débutant\n            1 800 euros\n\n"
        f"{indent}## Intégrer le marché du travail\n            ### Des débouchés\n            Beaucoup.\n",
        source_name="test.md",
    )

    assert sheet.errors == sheet.warnings == []
    assert sheet.starting_salary == "1 800 euros"
    assert sheet.texts["career"] == "<h4>Intégrer le marché du travail</h4><h5>Des débouchés</h5><p>Beaucoup.</p>"


# Vie professionnelle of a fuller sheet: the Salaire part, then sub-sections with their own sub-headings.
SALARY_PART = "## Salaire\n            ### Salaire du débutant\n            1 800 euros brut par mois.\n\n"
CAREER_SUB_SECTION = (
    "            ### Évolutions possibles\n            Avec l’expérience, il ou elle encadre une équipe.\n"
    "            #### Vers l'encadrement\n            Après quelques années, chef/fe d’atelier.\n\n"
)
INTEGRER_PART = "            ## Intégrer le marché du travail\n            ### Des débouchés\n            Beaucoup.\n\n"
CAREER_SUB_SECTION_HTML = (
    "<h4>Évolutions possibles</h4><p>Avec l’expérience, il ou elle encadre une équipe.</p>"
    "<h5>Vers l'encadrement</h5><p>Après quelques années, chef/fe d’atelier.</p>"
)
INTEGRER_PART_HTML = "<h4>Intégrer le marché du travail</h4><h5>Des débouchés</h5><p>Beaucoup.</p>"


@pytest.mark.parametrize(
    ("vie_professionnelle", "career"),
    [
        pytest.param(SALARY_PART + CAREER_SUB_SECTION, CAREER_SUB_SECTION_HTML, id="after-salaire"),
        pytest.param(CAREER_SUB_SECTION + SALARY_PART, CAREER_SUB_SECTION_HTML, id="before-salaire"),
        pytest.param(
            SALARY_PART + CAREER_SUB_SECTION + INTEGRER_PART,
            CAREER_SUB_SECTION_HTML + INTEGRER_PART_HTML,
            id="after-salaire-then-integrer",
        ),
        pytest.param(
            CAREER_SUB_SECTION + SALARY_PART + INTEGRER_PART,
            CAREER_SUB_SECTION_HTML + INTEGRER_PART_HTML,
            id="before-salaire-then-integrer",
        ),
    ],
)
def test_vie_professionnelle_sub_sections_keep_their_nesting_without_an_empty_salaire_heading(
    tmp_path, vie_professionnelle, career
):
    path = write(
        tmp_path,
        "MET.5.md",
        f"# test/euse\n**ID:** MET.5\n\n## Vie professionnelle\n\n{vie_professionnelle}"
        "**Niveau d'accès minimum:** bac + 2\n",
    )

    report = import_sheets([path])

    assert report.errors == report.warnings == []
    job = Job.objects.get(onisep_id="MET.5")
    assert job.career == career
    assert job.starting_salary == "1 800 euros brut par mois."
    assert job.other_information == ""


def test_salaire_heading_is_kept_in_career_when_it_holds_more_than_the_salary():
    sheet = parse_sheet(
        "# test/euse\n**ID:** MET.5\n## Vie professionnelle\n## Salaire\n"
        "    Selon la convention collective.\n    ### Salaire du débutant\n    Smic\n"
        "    #### En Île-de-France\n    Un peu plus.\n    ### Primes\n    Selon l’entreprise.\n",
        source_name="test.md",
    )

    assert sheet.errors == sheet.warnings == []
    assert sheet.starting_salary == "Smic"
    # Text before the salary and a heading under it stay in Salaire; a heading at the salary's
    # level after it ends the Salaire part and starts a sub-section of Vie professionnelle.
    assert sheet.texts["career"] == (
        "<h4>Salaire</h4><p>Selon la convention collective.</p><h5>En Île-de-France</h5><p>Un peu plus.</p>"
        "<h4>Primes</h4><p>Selon l’entreprise.</p>"
    )


def test_dangling_related_job_is_linked_when_a_later_run_creates_it():
    import_sheets([VALID / "MET.12.md"])
    link = RelatedJob.objects.get(target_onisep_id="MET.14")
    assert link.target is None

    report = import_sheets([VALID / "MET.14.md"])

    link.refresh_from_db()
    assert link.target == Job.objects.get(onisep_id="MET.14")
    assert report.related_linked == 1
    assert report.unchanged == []  # MET.12 was not part of this run
    assert import_sheets([VALID]).unchanged == ["MET.12", "MET.14"]


def test_synonym_supersedes_a_search_only_title_of_the_same_name():
    job = JobFactory(onisep_id="MET.12", name="développeur/euse informatique")
    AppellationFactory(job=job, name="analyste-programmeur/euse", kind=AppellationKind.SEARCH_ONLY)
    AppellationFactory(job=job, name="programmeur/euse", kind=AppellationKind.SEARCH_ONLY)

    report = import_sheets([VALID / "MET.12.md"])

    assert report.updated == ["MET.12"]
    assert set(job.appellations.values_list("name", "kind")) == {
        ("analyste-programmeur/euse", AppellationKind.SYNONYM),
        ("ingénieur/e d'études et de développement", AppellationKind.SYNONYM),
        ("programmeur/euse", AppellationKind.SEARCH_ONLY),  # other search-only titles are left alone
    }


# -- unknown headings, labels, HTML


def test_unknown_heading_is_kept_with_its_text_and_reported():
    path = SHEETS / "unknown_heading.md"

    report = import_sheets([path])

    assert report.errors == []
    assert report.created == ["MET.9001"]
    job = Job.objects.get(onisep_id="MET.9001")
    assert job.presentation == (
        "<p>Il ou elle conduit une ligne de production.</p>"
        "<h3>Le saviez-vous ?</h3><p>La moitié des opérateurs travaillent en équipes alternées.</p>"
    )
    # After a list section there is no text section to append to.
    assert job.other_information == (
        "<h3>Pour aller plus loin</h3><p>Visiter une usine lors des journées portes ouvertes.</p>"
    )
    assert job.starting_salary == "Smic."
    assert [(w.source, w.line) for w in report.warnings] == [(str(path), 12), (str(path), 35)]
    assert "« Le saviez-vous ? »" in str(report.warnings[0])
    assert str(report.warnings[0]).startswith(f"{path}, ligne 12 : titre de section inconnu")


def test_labels_match_regardless_of_case_accents_apostrophes_and_spaces(sample_sheet, tmp_path):
    path = sample_variant(
        sample_sheet,
        tmp_path,
        ("**Niveau d'accès minimum:** bac + 2", "**Niveau d’acces minimum :**   BAC+2  "),
        ("- salarié", "-   SALARIE "),
        (
            "- je me passionne pour les nouvelles technologies",
            "- JE ME PASSIONNE pour les nouvelles technologies\n- j’aime bouger\n- Je reve de travailler a l’etranger",
        ),
    )

    report = import_sheets([path])

    assert report.errors == []
    job = Job.objects.get(onisep_id="MET.8063")
    assert job.access_level == level("bac-2")
    assert list(job.statuses.all()) == [status("T-ITM.9")]
    assert set(job.interests.values_list("onisep_id", flat=True)) == {"T-IDEO2.4825", "T-IDEO2.4809", "T-IDEO2.4810"}


def test_script_in_a_section_does_not_survive(sample_sheet, tmp_path):
    path = sample_variant(
        sample_sheet,
        tmp_path,
        (
            "## En bref\n",
            "<script>alert('xss')</script> <img src=x onerror=alert(1)> **attention**\n\n## En bref\n",
        ),
    )

    import_sheets([path])

    presentation = Job.objects.get(onisep_id="MET.8063").presentation
    assert "<script" not in presentation
    assert "<img" not in presentation
    assert "&lt;script&gt;alert('xss')&lt;/script&gt;" in presentation  # shown as text, never run
    assert "<strong>attention</strong>" in presentation


def test_parse_sheet_is_pure_and_keeps_non_breaking_spaces_and_apostrophes():
    sheet = parse_sheet(
        "# test/euse\n**ID:** MET.5\n## Présentation\nL’équipe d'accueil\u00a0: 2\u00a0830 euros.\n",
        source_name="test.md",
    )

    assert sheet.errors == []
    assert sheet.texts["presentation"] == "<p>L’équipe d'accueil&nbsp;: 2&nbsp;830 euros.</p>"


# -- malformed sheets: every one leaves the database as it was


@pytest.mark.parametrize(
    ("name", "line", "problem"),
    [
        ("no_title.md", 1, "titre manquant"),
        ("no_identifier.md", 1, "identifiant manquant"),
        ("bad_identifier.md", 2, "identifiant « FOR-12 » invalide"),
        ("unknown_interest.md", 12, "centre d’intérêt inconnu « j'aime les licornes »"),
        ("unknown_level.md", 4, "niveau d’accès inconnu « bac + 12 »"),
    ],
)
def test_malformed_sheet_is_refused_with_file_and_line_and_nothing_is_written(name, line, problem):
    JobFactory()
    before = db_state()
    path = MALFORMED / name

    report = import_sheets([path])

    assert not report.ok
    assert any(str(error).startswith(f"{path}, ligne {line} : {problem}") for error in report.errors), report.errors
    assert db_state() == before
    assert report.summary().endswith(f"{len(report.errors)} erreur(s).")


@pytest.mark.parametrize(
    ("old", "new", "line", "problem"),
    [
        ("- BTS bioqualité (ID: FOR.11759)", "- BTS bioqualité", 43, "formation sans identifiant"),
        ("- BTS bioqualité (ID: FOR.11759)", "- BTS bioqualité (ID: MET.11759)", 43, "identifiant de formation"),
        ("- salarié", "- astronaute", 47, "statut inconnu « astronaute »"),
        ("- Féminin:", "- Épicène:", 5, "ligne « Épicène:"),
    ],
)
def test_malformed_lines_of_the_sample_are_refused(sample_sheet, tmp_path, old, new, line, problem):
    path = sample_variant(sample_sheet, tmp_path, (old, new))

    report = import_sheets([path])

    assert any(str(error).startswith(f"{path}, ligne {line} : {problem}") for error in report.errors), report.errors
    assert Job.objects.count() == 0
    assert Training.objects.count() == 0


def test_undecodable_file_is_refused_with_its_line(tmp_path):
    path = tmp_path / "latin1.md"
    path.write_bytes("# électricien/ne\n**ID:** MET.1\n## Présentation\n".encode("latin-1"))

    report = import_sheets([path])

    assert [str(error) for error in report.errors] == [
        f"{path}, ligne 1 : fichier illisible : il n’est pas encodé en UTF-8 (réenregistrez-le en UTF-8)."
    ]
    assert Job.objects.count() == 0


def test_missing_path_is_an_error(tmp_path):
    report = import_sheets([tmp_path / "absent.md"])

    assert [error.text for error in report.errors] == ["fichier ou dossier introuvable."]


def test_same_identifier_twice_in_one_run_writes_nothing(sample_sheet, tmp_path):
    copy = sample_variant(sample_sheet, tmp_path, ("# technicien/ne", "# autre technicien/ne"), name="copie.md")
    before = db_state()

    report = import_sheets([sample_sheet, copy])

    assert [str(error) for error in report.errors] == [
        f"{copy}, ligne 2 : identifiant MET.8063 déjà utilisé par {sample_sheet} (ligne 2) dans cet import."
    ]
    assert db_state() == before


def test_a_good_sheet_and_bad_ones_in_one_run_write_nothing_and_every_problem_is_listed():
    before = db_state()

    report = import_sheets([VALID / "MET.14.md", MALFORMED / "unknown_interest.md", MALFORMED / "bad_identifier.md"])

    assert {error.source for error in report.errors} == {
        str(MALFORMED / "unknown_interest.md"),
        str(MALFORMED / "bad_identifier.md"),
    }
    assert (report.created, report.updated, report.unchanged) == ([], [], [])
    assert db_state() == before


# -- runs, dry runs and the command


def test_a_run_is_recorded(sample_sheet, django_user_model):
    user = django_user_model.objects.create_user("conseillere")

    report = import_sheets([sample_sheet], user=user)

    run = ImportRun.objects.get()
    assert report.import_run == run
    assert run.kind == ImportKind.SHEETS
    assert run.user == user
    assert run.files == [str(sample_sheet)]
    assert run.counts["created"] == 1
    assert run.counts["trainings_created"] == 12
    assert run.report.endswith("Fiches : 1 créées, 0 mises à jour, 0 inchangées, 0 erreur(s).")


def test_dry_run_counts_but_writes_no_sheet(sample_sheet):
    report = import_sheets([sample_sheet], dry_run=True)

    assert report.created == ["MET.8063"]
    assert Job.objects.count() == 0
    assert Training.objects.count() == 0
    assert ImportRun.objects.get().dry_run


def test_command_prints_warnings_then_one_summary_line():
    out = StringIO()

    call_command("import_sheets", str(VALID), str(SHEETS / "unknown_heading.md"), stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[-1] == "Fiches : 3 créées, 0 mises à jour, 0 inchangées, 0 erreur(s)."
    assert [line for line in lines if line.startswith("Fiches :")] == [lines[-1]]
    assert lines[0].startswith("Avertissement – ") and "Le saviez-vous ?" in lines[0]
    assert Job.objects.count() == 3


def test_command_fails_with_the_problems_and_writes_nothing():
    out, err = StringIO(), StringIO()

    with pytest.raises(CommandError, match="aucune fiche n’a été enregistrée"):
        call_command("import_sheets", str(VALID), str(MALFORMED / "no_title.md"), stdout=out, stderr=err)

    assert f"{MALFORMED / 'no_title.md'}, ligne 1 : titre manquant" in err.getvalue()
    assert out.getvalue().splitlines()[-1] == "Fiches : 0 créées, 0 mises à jour, 0 inchangées, 1 erreur(s)."
    assert Job.objects.count() == 0
