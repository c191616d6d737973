"""The ONISEP import, on the small exports of tests/data/onisep/ and (when present) on the real one.

- Onisep_Ideo_Fiches_*_25062024.xml: the 2024 layout (typed `formats_courts`, "Bac + 2" labels).
- Onisep_Ideo_Fiches_*_15012025.xml: the newer layout (a single `format_court`, lower-case level
  labels) and the "next export": MET.12 and FOR.9970 changed, MET.14 and FOR.5337 gone, MET.500 new,
  FOR.99999 (named by MET.12 without a sheet in 2024) now has its sheet.
- bad/: files the import must refuse.
"""

import io
import zipfile
from datetime import date
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from catalogue.importers.onisep import OnisepImportError, import_onisep
from catalogue.importers.onisep.cleaning import clean_html, extract_salary, one_line, split_en_bref
from catalogue.importers.onisep.reader import export_date_from_name
from catalogue.importers.onisep.sync import Synchroniser
from catalogue.management.commands.import_onisep import Command
from catalogue.models import (
    AccessLevel,
    ConflictState,
    ImportConflict,
    ImportRun,
    Interest,
    Job,
    PublicationStatus,
    RelatedJob,
    RomeCode,
    Source,
    Status,
    Training,
)

from .factories import JobFactory, interest

DATA = Path(__file__).resolve().parent / "data" / "onisep"
JOBS_2024 = DATA / "Onisep_Ideo_Fiches_metiers_25062024.xml"
TRAININGS_2024 = DATA / "Onisep_Ideo_Fiches_Formations_25062024.xml"
JOBS_2025 = DATA / "Onisep_Ideo_Fiches_metiers_15012025.xml"
TRAININGS_2025 = DATA / "Onisep_Ideo_Fiches_Formations_15012025.xml"
BAD = DATA / "bad"

pytestmark = pytest.mark.django_db


def import_2024(**kwargs):
    return import_onisep(jobs_path=JOBS_2024, trainings_path=TRAININGS_2024, **kwargs)


def import_2025(**kwargs):
    return import_onisep(jobs_path=JOBS_2025, trainings_path=TRAININGS_2025, **kwargs)


def zipped(tmp_path: Path, xml: Path) -> Path:
    archive = tmp_path / f"{xml.stem}.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as handle:
        handle.write(xml, xml.name)
    return archive


def catalogue_state() -> dict[str, list[dict]]:
    """Every row of every catalogue table (import runs and conflicts included)."""
    return {
        model._meta.label: list(model._default_manager.order_by("pk").values())
        for model in apps.get_app_config("catalogue").get_models()
    }


def writes(context: CaptureQueriesContext) -> list[str]:
    return [
        query["sql"]
        for query in context.captured_queries
        if query["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]


# --- Text cleaning --------------------------------------------------------------------------------


def test_one_line_decodes_entities_and_collapses_spaces_but_keeps_a_lone_non_breaking_space():
    assert one_line("  ingénieur/e  R&amp;D \n en énergie ") == "ingénieur/e R&D en énergie"
    assert one_line("Bac\u00a0+\u00a02") == "Bac\u00a0+\u00a02"
    assert one_line("à partir du\u00a0 Smic") == "à partir du Smic"
    assert one_line("a\x81b") == "ab"


def test_clean_html_uses_the_allow_list_and_keeps_text_readable():
    cleaned = clean_html(
        "\n   <p>L'été, l’hiver\u00a0: R&amp;D<script>alert(1)</script></p>\n   <p> </p>\n"
        '   <h2>Titre</h2><p onclick="x()">texte</p>'
    )
    # the <script> goes with its content, an <h2> and an attribute outside the allow-list are dropped
    assert cleaned == "<p>L'été, l’hiver\u00a0: R&amp;D</p>\nTitre<p>texte</p>"


def test_clean_html_unescapes_html_escaped_twice():
    assert clean_html("&lt;p&gt;Un texte&lt;/p&gt;") == "<p>Un texte</p>"


def test_split_en_bref_moves_the_study_paths_out_of_the_summary():
    summary, study_paths = split_en_bref(
        "<p>Le métier.</p>\n<h5>Durée des études</h5>\n<h4>Après le bac</h4>\n<p>2 ans.</p>"
    )
    assert summary == "<p>Le métier.</p>"
    assert study_paths == "<h4>Après le bac</h4>\n<p>2 ans.</p>"
    assert split_en_bref("<p>Sans durée.</p>") == ("<p>Sans durée.</p>", "")


@pytest.mark.parametrize(
    "heading",
    [
        "<h5>Salaire du débutant</h5>",
        "<h4>Salaire du débutant</h4>",
        "<p>Salaire débutant</p>",
        "<h5>Salaire de débutant</h5>",
    ],
)
def test_extract_salary_takes_the_paragraph_after_the_beginner_salary_heading(heading):
    career, salary = extract_salary(
        f"<h3>Salaire</h3>\n{heading}\n<p>2830 euros brut par mois</p>\n<h3>Intégrer le marché</h3>\n<p>Oui.</p>"
    )
    assert salary == "2830 euros brut par mois"
    assert career == "<h3>Intégrer le marché</h3>\n<p>Oui.</p>"


def test_extract_salary_keeps_further_pay_text_in_the_career_and_leaves_other_texts_alone():
    career, salary = extract_salary("<h3>Salaire</h3>\n<h5>Salaire du débutant</h5>\n<p>Smic</p>\n<p>Variable.</p>")
    assert (career, salary) == ("<h3>Salaire</h3>\n<p>Variable.</p>", "Smic")
    assert extract_salary("<h3>Salaire</h3>\n<p>Au cachet.</p>") == ("<h3>Salaire</h3>\n<p>Au cachet.</p>", "")


def test_extract_salary_drops_a_salary_heading_left_empty_by_onisep():
    career, salary = extract_salary("<h3>Salaire</h3>\n<h5>Salaire du débutant</h5>\n<h3>Intégrer</h3>\n<p>Oui.</p>")
    assert (career, salary) == ("<h3>Intégrer</h3>\n<p>Oui.</p>", "")


def test_export_date_is_read_from_the_file_name():
    assert export_date_from_name("Onisep_Ideo_Fiches_metiers_25062024.zip") == date(2024, 6, 25)
    assert export_date_from_name("export.xml", "dir/Onisep_Ideo_Fiches_Formations_15012025.xml") == date(2025, 1, 15)
    assert export_date_from_name("export_99999999.zip") is None


# --- Every element has a home ---------------------------------------------------------------------


def test_2024_export_fills_every_field_of_a_job():
    report = import_2024()

    job = Job.objects.get(onisep_id="MET.12")
    assert (job.name, job.feminine_name, job.masculine_name) == (
        "développeur/euse informatique",
        "développeuse informatique",
        "développeur informatique",
    )
    assert job.slug == "developpeur-euse-informatique"
    assert list(job.appellations.values_list("name", "feminine_name", "masculine_name")) == [
        ("analyste-programmeur/euse", "analyste-programmeuse", "analyste-programmeur"),
        (
            "ingénieur/e d'études et de développement",
            "ingénieure d'études et de développement",
            "ingénieur d'études et de développement",
        ),
    ]
    assert list(job.rome_codes.values_list("code", flat=True)) == ["M1805"]
    assert (
        job.presentation
        == "<p>Expert des langages informatiques, il traduit la demande d'un client en lignes de code.</p>"
    )
    assert (
        job.summary
        == "<p>Le développeur informatique est le pro des langages informatiques, tels que C++ ou Java\u00a0!</p>"
    )
    assert job.study_paths == "<h4>Après le bac</h4>\n<p>2 ans pour obtenir le BTS ; 5 ans pour un master.</p>"
    assert job.nature_of_work == "<h5>Analyser les besoins</h5>\n<p>Il étudie le cahier des charges de la R&amp;D.</p>"
    assert job.skills == (
        "<h5>Rigueur et autonomie</h5>\n"
        "<p>Il faut être à l'aise avec les langages (Java, C++…) et l’anglais technique.</p>"
    )
    assert job.working_conditions == "<h5>Devant ses écrans</h5>\n<p>Il travaille souvent en open space.</p>"
    assert (
        job.career
        == "<h3>Intégrer le marché du travail</h3>\n<h5>Une demande forte</h5>\n<p>La demande est très forte.</p>"
    )
    assert job.starting_salary == "2830 euros brut par mois"
    assert job.access == "<p>Niveau bac + 2</p>\n<p>BTS services informatiques aux organisations</p>"
    assert job.access_level.onisep_id == "REF.411"
    assert sorted(job.statuses.values_list("onisep_id", flat=True)) == ["T-ITM.5", "T-ITM.9"]
    assert list(job.interests.values_list("onisep_id", flat=True)) == ["T-IDEO2.4825"]
    assert list(job.sectors.values_list("onisep_id", flat=True)) == ["T-IDEO2.4835"]
    assert job.is_cross_sector is False
    assert sorted(job.trainings.values_list("onisep_id", flat=True)) == ["FOR.5337", "FOR.9970", "FOR.99999"]
    assert list(job.resources.order_by("position").values_list("kind", "title", "url", "comment")) == [
        ("publication", "Les métiers du numérique", "", "ONISEP, collection Parcours, 2020, ISBN 9782273015226"),
        (
            "online",
            "www.concepteursdavenirs.fr",
            "http://www.concepteursdavenirs.fr",
            "Informations sur les métiers du numérique.",
        ),
    ]
    assert job.details == {
        "en_bref_label": "développeur / développeuse informatique",
        "other_short_formats": [
            {
                "type": "Fiche metier (Documentation)",
                "label": "développeur(euse) informatique",
                "text": '<p>Le développeur informatique est le " pro " des langages.</p>',
            }
        ],
    }
    assert job.publication_status == PublicationStatus.PUBLISHED and job.published_at is not None
    assert (job.source, job.source_export_date) == (Source.ONISEP, date(2024, 6, 25))
    assert job.attribution == "Source : Onisep, Idéo-Fiches métiers, export du 25/06/2024"
    assert "analyste programmeuse" in job.search_text.splitlines()
    assert job.onisep_snapshot["presentation"] == job.presentation
    assert report.jobs.created == 3 and report.trainings.created == 2 and report.placeholders.created == 1


def test_entity_escaped_html_cross_sector_flag_and_a_salary_written_as_a_paragraph():
    report = import_2024()

    job = Job.objects.get(onisep_id="MET.13")
    assert job.skills == "<p>Minutie et rigueur.</p>"
    assert job.starting_salary == "À partir du Smic."
    assert job.career == "<h3>Salaire</h3>\n<p>Variable selon l’employeur.</p>"
    assert job.summary == "<p>Le technicien biologiste travaille en laboratoire.</p>" and job.study_paths == ""
    assert job.is_cross_sector is True
    # "A15" is not a ROME code: skipped with a warning naming the record, not a reason to refuse the export.
    assert list(job.rome_codes.values_list("code", flat=True)) == ["H1210"]
    assert any("MET.13" in warning and "A15" in warning for warning in report.warnings)
    assert not RomeCode.objects.filter(code="A15").exists()


def test_2024_export_fills_every_field_of_a_training():
    import_2024()

    training = Training.objects.get(onisep_id="FOR.9970")
    assert training.has_sheet is True
    assert (training.name, training.code_scolarite, training.acronym) == (
        "BTS biotechnologie en recherche et en production",
        "32022210",
        "BIORP",
    )
    assert (training.generic_label, training.specific_label, training.option_type) == (
        "biotechnologie",
        "en recherche et en production",
        "option unique",
    )
    assert (training.type_acronym, training.type_short_label, training.type_label) == (
        "BTS",
        "BTS",
        "brevet de technicien supérieur",
    )
    assert training.duration == "2 ans"
    assert training.level.onisep_id == "REF.411"
    assert training.certification_level == "niveau 5 (bac + 2)"
    assert training.certificate_nature == "Diplôme national ou diplôme d'État ; Formation inscrite au RNCP"
    assert training.url == "https://www.francecompetences.fr/recherche/rncp/38321/"
    assert training.ministry == "Ministère de l'Enseignement supérieur, de la Recherche et de l'Innovation"
    assert (training.nsf_discipline_code, training.nsf_discipline_label) == (
        "221",
        "Agro-alimentaire, alimentation, cuisine",
    )
    assert (training.nsf_function_code, training.nsf_function_label) == ("R", "Contrôle, prévention, entretien")
    assert training.description == (
        "<p>Le BTS biotechnologie permet d'acquérir les savoir-faire du laboratoire\u00a0: R&amp;D, production.</p>"
    )
    assert training.access == "<h5>Accès</h5>\n<p>Accessible à tout titulaire d’un baccalauréat.</p>"
    assert training.expectations == (
        "<h5>Attendus Parcoursup</h5>\n<ul>\n<li><p>Apprécier les activités expérimentales</p></li></ul>"
    )
    assert training.further_studies == "<p>Le BTS est conçu pour une insertion professionnelle.</p>"
    assert training.further_study_options == [
        "licence mention sciences de la vie",
        "licence pro mention bio-industries et biotechnologies",
    ]
    assert training.details == {
        "niv_code": "320",
        "first_session_year": "2026",
        "created_on": "2024-04-08",
        "modified_on": "2024-06-20",
        "teaching_elements": ["biochimie"],
        "further_study_groups": [
            {
                "type": "poursuite d'études conditionnelle",
                "trainings": [
                    "licence mention sciences de la vie",
                    "licence pro mention bio-industries et biotechnologies",
                ],
            }
        ],
        "web_subdomains": [{"id": "T-IDEO2.4411", "label": "biologie"}],
        "publications": [
            {
                "title": "Les métiers de la biologie",
                "publisher": "ONISEP",
                "collection": "Parcours",
                "year": "2020",
                "isbn": "9782273015066",
            }
        ],
        "online_sources": [{"url": "http://www.biotechnologie.fr"}],
    }
    assert sorted(training.jobs.values_list("onisep_id", flat=True)) == ["MET.12", "MET.13"]
    assert training.attribution == "Source : Onisep, Idéo-Fiches formations, export du 25/06/2024"
    other = Training.objects.get(onisep_id="FOR.5337")
    assert other.url == "" and other.details["invalid_url"] == "pas une adresse"


def test_trainings_that_jobs_name_without_a_sheet_are_kept_with_their_label():
    import_2024()

    training = Training.objects.get(onisep_id="FOR.99999")
    assert (training.name, training.has_sheet) == ("Formation citée sans fiche", False)
    assert list(training.jobs.values_list("onisep_id", flat=True)) == ["MET.12"]
    assert not Training.objects.published().filter(pk=training.pk).exists()


def test_related_jobs_absent_from_the_export_keep_their_identifier_and_label():
    import_2024()

    links = {
        link.target_onisep_id: link
        for link in RelatedJob.objects.filter(job__onisep_id="MET.12").select_related("target")
    }
    assert links["MET.13"].target.onisep_id == "MET.13"
    assert (links["MET.500"].target, links["MET.500"].target_name) == (None, "architecte web")
    assert (links["MET.7936"].target, links["MET.7936"].target_name) == (None, "MET.7936")  # no label in the export


def test_export_given_as_zip_files_loads_the_same(tmp_path):
    report = import_onisep(jobs_path=zipped(tmp_path, JOBS_2024), trainings_path=zipped(tmp_path, TRAININGS_2024))

    assert [item["name"] for item in report.files] == [
        "Onisep_Ideo_Fiches_metiers_25062024.zip",
        "Onisep_Ideo_Fiches_Formations_25062024.zip",
    ]
    assert Job.objects.count() == 3 and Training.objects.filter(has_sheet=True).count() == 2
    assert Job.objects.get(onisep_id="MET.12").source_export_date == date(2024, 6, 25)


def test_each_file_may_be_given_alone():
    import_onisep(jobs_path=JOBS_2024)
    assert set(Training.objects.values_list("onisep_id", "has_sheet")) == {
        ("FOR.9970", False),
        ("FOR.5337", False),
        ("FOR.99999", False),
    }

    report = import_onisep(trainings_path=TRAININGS_2024)

    assert set(Training.objects.values_list("onisep_id", "has_sheet")) == {
        ("FOR.9970", True),
        ("FOR.5337", True),
        ("FOR.99999", False),
    }
    assert report.trainings.updated == 2 and report.jobs.read == 0
    assert Job.objects.count() == 3
    assert sorted(Training.objects.get(onisep_id="FOR.9970").jobs.values_list("onisep_id", flat=True)) == [
        "MET.12",
        "MET.13",
    ]


def test_newer_export_with_a_single_short_format_and_lower_case_levels_loads():
    import_2025()

    developer = Job.objects.get(onisep_id="MET.12")
    assert developer.summary == (
        "<p>Le développeur informatique est le pro des langages informatiques, tels que C++ ou Java\u00a0!</p>"
    )
    assert developer.study_paths == "<h4>Après le bac</h4>\n<p>2 ans pour obtenir le BTS ; 5 ans pour un master.</p>"
    assert Job.objects.get(onisep_id="MET.13").summary == "<p>Le technicien biologiste travaille en laboratoire.</p>"
    assert AccessLevel.objects.get(onisep_id="REF.411").name == "bac + 2"
    assert AccessLevel.objects.count() == 16


# --- Repeatable -------------------------------------------------------------------------------------


def test_second_identical_run_writes_nothing_and_says_so():
    import_2024()
    before = catalogue_state()

    with CaptureQueriesContext(connection) as context:
        report = import_2024()

    assert (report.created, report.updated) == (0, 0)
    assert "0 créé(s), 0 mis à jour" in report.as_text()
    assert all("catalogue_importrun" in sql for sql in writes(context)), writes(context)
    after = catalogue_state()
    del after["catalogue.ImportRun"], before["catalogue.ImportRun"]
    assert after == before


def test_next_export_creates_updates_and_withdraws_without_deleting():
    import_2024()

    report = import_2025()

    developer = Job.objects.get(onisep_id="MET.12")
    assert developer.presentation == (
        "<p>Expert des langages informatiques, il traduit la demande d’un client en lignes de code. "
        "Un métier très recherché.</p>"
    )
    assert developer.appellations.count() == 3
    assert "codeuse" in developer.search_text.splitlines()
    assert sorted(developer.interests.values_list("onisep_id", flat=True)) == ["T-IDEO2.4825", "T-IDEO2.5723"]
    assert developer.source_export_date == date(2025, 1, 15)
    withdrawn = Job.objects.get(onisep_id="MET.14")
    assert withdrawn.withdrawn_at is not None and not Job.objects.published().filter(pk=withdrawn.pk).exists()
    newcomer = Job.objects.get(onisep_id="MET.500")
    assert RelatedJob.objects.get(job=developer, target_onisep_id="MET.500").target == newcomer
    assert Training.objects.get(onisep_id="FOR.5337").withdrawn_at is not None
    sheet_now = Training.objects.get(onisep_id="FOR.99999")
    assert (sheet_now.has_sheet, sheet_now.name) == (True, "Formation citée, désormais avec sa fiche")
    assert "tous les savoir-faire" in Training.objects.get(onisep_id="FOR.9970").description
    # Reference records follow their id: the new label updates the record, no duplicate.
    assert interest("T-IDEO2.4825").name == "je me passionne pour les technologies nouvelles"
    assert Interest.objects.count() == 27
    assert (report.jobs.created, report.jobs.updated, report.jobs.unchanged, report.jobs.withdrawn) == (1, 1, 1, 1)
    assert (report.trainings.updated, report.trainings.withdrawn) == (2, 1)


def test_the_search_data_of_every_created_or_changed_job_is_refreshed(monkeypatch):
    from catalogue.importers.onisep import sync

    refreshed: list[set[str]] = []
    real_refresh = sync.refresh_search_text

    def spy(jobs):
        refreshed.append({job.onisep_id for job in jobs})
        return real_refresh(jobs)

    monkeypatch.setattr(sync, "refresh_search_text", spy)

    import_2024()
    import_2025()
    import_2025()

    assert refreshed == [{"MET.12", "MET.13", "MET.14"}, {"MET.12", "MET.500"}]


def test_a_withdrawn_record_that_comes_back_is_restored():
    import_2024()
    import_2025()

    report = import_2024()

    assert Job.objects.get(onisep_id="MET.14").withdrawn_at is None
    assert Job.objects.get(onisep_id="MET.500").withdrawn_at is not None
    assert report.jobs.restored == 1 and report.jobs.withdrawn == 1


def test_records_from_sheets_and_counsellors_are_never_withdrawn():
    sheet = JobFactory(onisep_id="MET.8063", source=Source.SHEET)
    local = JobFactory(onisep_id=None, source=Source.COUNSELLOR)

    import_2024()

    sheet.refresh_from_db(), local.refresh_from_db()
    assert sheet.withdrawn_at is None and local.withdrawn_at is None


def test_a_reference_record_without_id_is_matched_by_label_once():
    Status.objects.filter(onisep_id="T-ITM.9").update(onisep_id=None, name="Salarié")
    status_pk = Status.objects.get(name="Salarié").pk

    import_2024()

    status = Status.objects.get(onisep_id="T-ITM.9")
    assert (status.pk, status.name) == (status_pk, "salarié")
    assert Status.objects.count() == 9


def test_a_job_without_id_is_matched_by_label_and_receives_the_id():
    local = JobFactory(onisep_id=None, name="Développeur/euse informatique", source=Source.COUNSELLOR)

    import_2024()

    local.refresh_from_db()
    assert local.onisep_id == "MET.12"
    assert Job.objects.count() == 3


# --- Local edits ------------------------------------------------------------------------------------


def test_a_local_edit_onisep_also_changed_is_kept_and_reported_once_as_a_conflict():
    import_2024()
    Job.objects.filter(onisep_id="MET.12").update(presentation="<p>Notre présentation.</p>")

    report = import_2025()

    developer = Job.objects.get(onisep_id="MET.12")
    assert developer.presentation == "<p>Notre présentation.</p>"
    assert developer.appellations.count() == 3  # the fields nobody edited are updated
    conflict = ImportConflict.objects.get()
    assert (conflict.job, conflict.field, conflict.state) == (developer, "presentation", ConflictState.PENDING)
    assert conflict.local_value == "<p>Notre présentation.</p>"
    assert "Un métier très recherché" in conflict.onisep_value
    assert [(line.record, line.fields) for line in report.conflicts] == [
        ("MET.12 développeur/euse informatique", ["présentation"])
    ]
    assert "présentation" in report.as_text()

    again = import_2025()

    assert ImportConflict.objects.count() == 1 and again.conflicts == []
    assert (again.created, again.updated) == (0, 0)


def test_a_local_edit_of_a_field_onisep_did_not_change_is_kept_silently():
    import_2024()
    Job.objects.filter(onisep_id="MET.12").update(skills="<p>Nos compétences.</p>")

    import_2025()

    assert Job.objects.get(onisep_id="MET.12").skills == "<p>Nos compétences.</p>"
    assert not ImportConflict.objects.exists()


def test_a_text_only_reserialised_by_the_editor_is_not_a_local_edit():
    import_2024()
    Job.objects.filter(onisep_id="MET.12").update(
        presentation="<p>Expert des langages informatiques, il traduit la demande d&#39;un client "
        "en lignes de code.</p>"
    )

    import_2025()

    assert "Un métier très recherché" in Job.objects.get(onisep_id="MET.12").presentation
    assert not ImportConflict.objects.exists()


def test_local_changes_to_links_are_merged_with_onisep_changes():
    import_2024()
    developer = Job.objects.get(onisep_id="MET.12")
    developer.interests.add(interest("T-IDEO2.4809"))
    developer.statuses.remove(Status.objects.get(onisep_id="T-ITM.5"))

    import_2025()

    assert sorted(developer.interests.values_list("onisep_id", flat=True)) == [
        "T-IDEO2.4809",
        "T-IDEO2.4825",
        "T-IDEO2.5723",
    ]
    assert list(developer.statuses.values_list("onisep_id", flat=True)) == ["T-ITM.9"]
    assert not ImportConflict.objects.exists()


def test_a_sheet_record_keeps_its_own_texts_as_conflicts_and_takes_the_structured_fields():
    sheet = JobFactory(
        onisep_id="MET.12",
        source=Source.SHEET,
        name="développeur/euse informatique (fiche)",
        presentation="<p>Notre présentation, écrite par l’équipe.</p>",
        # the same text as ONISEP's, written with other markup and spacing
        summary="<p>Le développeur informatique est le pro des langages informatiques, tels que C++ ou Java !</p>\n",
        starting_salary="",
    )

    report = import_2024()

    sheet.refresh_from_db()
    assert sheet.presentation == "<p>Notre présentation, écrite par l’équipe.</p>"
    assert sheet.summary.endswith("Java\u00a0!</p>")
    assert sheet.starting_salary == "2830 euros brut par mois"
    assert sheet.name == "développeur/euse informatique"
    assert (sheet.source, sheet.source_export_date) == (Source.ONISEP, date(2024, 6, 25))
    assert list(ImportConflict.objects.values_list("job_id", "field")) == [(sheet.pk, "presentation")]
    assert report.jobs.updated == 1 and report.jobs.created == 2


# --- Dry run and bad files --------------------------------------------------------------------------


def test_dry_run_reports_what_would_change_and_writes_nothing():
    before = catalogue_state()

    report = import_2024(dry_run=True)

    assert (report.created, report.jobs.created) == (8, 3)
    assert report.as_text().startswith("Simulation")
    after = catalogue_state()
    runs = after.pop("catalogue.ImportRun")
    before.pop("catalogue.ImportRun")
    assert after == before
    assert [(run["dry_run"], run["counts"]["created"]) for run in runs] == [(True, 8)]
    assert report.import_run.pk == runs[0]["id"]


@pytest.mark.parametrize(
    ("name", "record", "element"),
    [
        ("Onisep_Ideo_Fiches_metiers_25062024_corrompu.zip", "", ""),
        ("Onisep_Ideo_Fiches_metiers_25062024_tronque.xml", "MET.13", "libelle_masculin"),
        ("Onisep_Ideo_Fiches_metiers_25062024_sans_identifiant.xml", "n° 2 (sans identifiant)", "identifiant"),
        ("Onisep_Ideo_Fiches_metiers_25062024_sans_nom.xml", "MET.2", "nom_metier"),
        ("Onisep_Ideo_Fiches_metiers_25062024_identifiant_invalide.xml", "MET-2", "identifiant"),
        ("Onisep_Ideo_Fiches_metiers_25062024_niveau_invalide.xml", "MET.2", "niveau_acces_min/id"),
        ("Onisep_Ideo_Fiches_metiers_25062024_doublon.xml", "MET.1", "identifiant"),
        ("Onisep_Ideo_Fiches_metiers_25062024_trop_long.xml", "MET.2", "nom_metier"),
        ("Onisep_Ideo_Fiches_metiers_sans_date.xml", "", ""),
    ],
)
def test_a_bad_file_stops_the_import_and_leaves_every_table_unchanged(name, record, element):
    import_2024()
    before = catalogue_state()

    with pytest.raises(OnisepImportError) as error:
        import_onisep(jobs_path=BAD / name, trainings_path=TRAININGS_2025)

    assert error.value.file == name
    assert (error.value.record, error.value.element) == (record, element)
    assert name in str(error.value)
    assert catalogue_state() == before


def test_a_truncated_zip_leaves_every_table_unchanged(tmp_path):
    archive = zipped(tmp_path, JOBS_2024)
    truncated = tmp_path / "Onisep_Ideo_Fiches_metiers_25062024.zip"
    truncated.write_bytes(archive.read_bytes()[:-200])
    before = catalogue_state()

    with pytest.raises(OnisepImportError, match="archive ZIP"):
        import_onisep(jobs_path=truncated)

    assert catalogue_state() == before


def test_a_file_of_the_other_kind_is_refused():
    with pytest.raises(OnisepImportError, match="<formations> au lieu de <metiers>"):
        import_onisep(jobs_path=TRAININGS_2024)
    assert not Job.objects.exists() and not ImportRun.objects.exists()


def test_a_database_error_midway_rolls_everything_back(monkeypatch):
    before = catalogue_state()

    def fail(self):
        raise IntegrityError("violates a constraint")

    monkeypatch.setattr(Synchroniser, "save_conflicts", fail)  # the last step, after every other write

    with pytest.raises(OnisepImportError, match="rien n’a été enregistré"):
        import_2024()

    assert catalogue_state() == before


# --- Command ------------------------------------------------------------------------------------------


def test_command_prints_the_report(capsys):
    call_command("import_onisep", jobs=str(JOBS_2024), trainings=str(TRAININGS_2024))

    output = capsys.readouterr().out
    assert "Import ONISEP : 8 créé(s), 0 mis à jour." in output
    assert "Lecture" not in output  # no progress when the output is not a terminal
    assert Job.objects.count() == 3


def test_command_shows_progress_on_a_terminal():
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()

    call_command("import_onisep", jobs=str(JOBS_2024), stdout=terminal)

    assert "\rLecture des fiches métiers : 3" in terminal.getvalue().replace("\033[K", "")
    assert "Enregistrement des métiers…" in terminal.getvalue()
    assert terminal.getvalue().rstrip().endswith("(une lettre et quatre chiffres).")


def test_command_dry_run_and_export_date_options(capsys):
    call_command(
        "import_onisep",
        jobs=str(BAD / "Onisep_Ideo_Fiches_metiers_sans_date.xml"),
        export_date=date(2024, 1, 2),
        dry_run=True,
    )

    assert "Simulation" in capsys.readouterr().out
    assert not Job.objects.exists()
    assert ImportRun.objects.get().export_date == date(2024, 1, 2)


def test_command_fails_with_a_non_zero_status_and_the_message(capsys, monkeypatch):
    # run_from_argv (the path manage.py takes) closes the connections when done: keep the test's own.
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)
    with pytest.raises(SystemExit) as exit_info:
        Command().run_from_argv(
            ["manage.py", "import_onisep", "--jobs", str(BAD / "Onisep_Ideo_Fiches_metiers_25062024_sans_nom.xml")]
        )

    assert exit_info.value.code == 1
    assert "fiche MET.2, élément <nom_metier>" in capsys.readouterr().err
    assert not Job.objects.exists()


def test_command_requires_a_file():
    with pytest.raises(CommandError, match="--jobs"):
        call_command("import_onisep")


# --- The real export (../shared/data) ------------------------------------------------------------------


def test_the_real_2024_export_loads_completely_and_a_second_run_writes_nothing(shared_data, client):
    folder = shared_data / "onisep"
    paths = {
        "jobs_path": folder / "Onisep_Ideo_Fiches_metiers_25062024.zip",
        "trainings_path": folder / "Onisep_Ideo_Fiches_Formations_25062024.zip",
    }

    first = import_onisep(**paths)

    assert Job.objects.count() == 928
    assert Training.objects.filter(has_sheet=True).count() == 2164
    assert Training.objects.filter(has_sheet=False).count() == 91
    assert (Interest.objects.count(), AccessLevel.objects.count(), Status.objects.count()) == (27, 16, 9)
    assert apps.get_model("catalogue", "Sector").objects.count() == 49
    assert Job.trainings.through.objects.count() == 6066
    assert RelatedJob.objects.count() == 2238 and RelatedJob.objects.filter(target=None).count() == 234
    assert first.jobs.created == 928 and first.trainings.created == 2164 and first.placeholders.created == 91

    developer = Job.objects.get(onisep_id="MET.12")
    assert developer.name == "développeur/euse informatique"
    assert set(developer.appellations.values_list("name", flat=True)) == {
        "analyste-programmeur/euse",
        "ingénieur/e d'études et de développement",
    }
    assert list(developer.rome_codes.values_list("code", flat=True)) == ["M1805"]
    assert developer.starting_salary == "2830 euros brut par mois"
    assert developer.trainings.count() == 26
    assert developer.access_level.onisep_id == "REF.411"
    assert developer.attribution == "Source : Onisep, Idéo-Fiches métiers, export du 25/06/2024"
    biotech = Training.objects.get(onisep_id="FOR.9970")
    assert set(biotech.jobs.values_list("onisep_id", flat=True)) == {"MET.113", "MET.288", "MET.771"}

    # What a student sees: MET.12's page with its synonyms, ROME code, salary and 26 trainings;
    # FOR.9970's page with the jobs it leads to.
    page = client.get(developer.get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    for text in ("analyste-programmeur/euse", "M1805", "2830 euros brut par mois", developer.attribution):
        assert escape(text) in html
    assert len(page.context["job"].trainings.all()) == 26
    for training in developer.trainings.all():
        assert escape(training.name) in html
        if training.has_sheet:
            assert f'href="{training.get_absolute_url()}"' in html
    training_page = client.get(biotech.get_absolute_url()).content.decode()
    for job in biotech.jobs.all():
        assert f'href="{job.get_absolute_url()}"' in training_page

    with CaptureQueriesContext(connection) as context:
        second = import_onisep(**paths)

    assert (second.created, second.updated) == (0, 0)
    assert all("catalogue_importrun" in sql for sql in writes(context))
    assert timezone.now() >= developer.updated_at == Job.objects.get(onisep_id="MET.12").updated_at
