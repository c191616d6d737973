"""The admin's imports: upload an ONISEP export, read the dry run, confirm; settle import conflicts."""

import zipfile
from io import BytesIO
from pathlib import Path

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalogue.importers.onisep import import_onisep
from catalogue.models import ConflictState, ImportConflict, ImportRun, Job, Training

DATA = Path(__file__).resolve().parent / "data" / "onisep"
JOBS_2024 = DATA / "Onisep_Ideo_Fiches_metiers_25062024.xml"
TRAININGS_2024 = DATA / "Onisep_Ideo_Fiches_Formations_25062024.xml"
JOBS_2025 = DATA / "Onisep_Ideo_Fiches_metiers_15012025.xml"
TRAININGS_2025 = DATA / "Onisep_Ideo_Fiches_Formations_15012025.xml"
UPLOAD_URL = "/admin/catalogue/importrun/onisep/"
CONFLICTS_URL = "/admin/catalogue/importconflict/"

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT / "onisep-imports"


def as_zip_upload(xml: Path) -> SimpleUploadedFile:
    archive = xml.with_suffix(".zip").name
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as handle:
        handle.write(xml, xml.name)
    return SimpleUploadedFile(archive, buffer.getvalue(), content_type="application/zip")


def both_files() -> dict:
    return {"jobs_file": as_zip_upload(JOBS_2024), "trainings_file": as_zip_upload(TRAININGS_2024)}


def folders(media: Path) -> list[Path]:
    return list(media.iterdir()) if media.exists() else []


# --- Upload, dry run, confirmation ---------------------------------------------------------------------


def test_the_import_list_offers_to_import_an_onisep_export(counsellor_client):
    response = counsellor_client.get(reverse("admin:catalogue_importrun_changelist"))

    assert response.status_code == 200
    assert "Importer un export ONISEP" in response.text
    assert UPLOAD_URL in response.text


def test_uploading_shows_the_dry_run_report_and_writes_nothing(counsellor_client, media):
    response = counsellor_client.post(UPLOAD_URL, both_files())

    assert response.status_code == 200
    assert "Simulation – rien n’a été enregistré. Import ONISEP : 8 créé(s), 0 mis à jour." in response.text
    assert "Onisep_Ideo_Fiches_metiers_25062024.zip" in response.text
    assert "Confirmer l’import" in response.text
    assert not Job.objects.exists() and not Training.objects.exists()
    run = ImportRun.objects.get()
    assert run.dry_run and run.user.username == "conseiller" and run.counts["created"] == 8
    assert len(folders(media)) == 1


def test_confirming_runs_the_import_and_removes_the_uploaded_files(counsellor_client, media):
    preview = counsellor_client.post(UPLOAD_URL, both_files())
    token = preview.context["token"]

    response = counsellor_client.post(f"{UPLOAD_URL}{token}/", follow=True)

    run = ImportRun.objects.get(dry_run=False)
    assert response.redirect_chain[-1][0] == reverse("admin:catalogue_importrun_change", args=[run.pk])
    assert "Import ONISEP : 8 créé(s), 0 mis à jour." in response.text
    assert Job.objects.count() == 3 and Training.objects.filter(has_sheet=True).count() == 2
    assert Job.objects.get(onisep_id="MET.12").source_export_date.isoformat() == "2024-06-25"
    assert folders(media) == []


def test_cancelling_removes_the_uploaded_files_and_writes_nothing(counsellor_client, media):
    token = counsellor_client.post(UPLOAD_URL, both_files()).context["token"]

    response = counsellor_client.post(f"{UPLOAD_URL}{token}/", {"_cancel": "1"}, follow=True)

    assert "Import annulé" in response.text
    assert folders(media) == [] and not Job.objects.exists()


def test_a_confirmation_whose_files_are_gone_asks_to_send_them_again(counsellor_client, media):
    response = counsellor_client.post(f"{UPLOAD_URL}{'x' * 32}/", follow=True)

    assert response.redirect_chain[-1][0] == UPLOAD_URL
    assert "Ces fichiers ne sont plus disponibles" in response.text
    assert not Job.objects.exists()


def test_a_bad_file_is_refused_with_a_message_and_nothing_is_kept(counsellor_client, media):
    corrupt = DATA / "bad" / "Onisep_Ideo_Fiches_metiers_25062024_corrompu.zip"

    response = counsellor_client.post(UPLOAD_URL, {"jobs_file": SimpleUploadedFile(corrupt.name, corrupt.read_bytes())})

    assert response.status_code == 200
    assert "Import refusé, rien n’a été enregistré." in response.text
    assert "Onisep_Ideo_Fiches_metiers_25062024_corrompu.zip : archive ZIP illisible" in response.text
    assert folders(media) == [] and not ImportRun.objects.exists()


def test_the_upload_form_asks_for_a_zip_or_xml_file(counsellor_client, media):
    empty = counsellor_client.post(UPLOAD_URL, {})
    wrong = counsellor_client.post(UPLOAD_URL, {"jobs_file": SimpleUploadedFile("metiers.pdf", b"%PDF")})

    assert "Choisissez au moins un fichier" in empty.text
    assert "Fichier .zip ou .xml attendu." in wrong.text
    assert folders(media) == [] and not ImportRun.objects.exists()


def test_the_export_date_field_dates_files_whose_name_has_none(counsellor_client, media):
    upload = SimpleUploadedFile("metiers.xml", JOBS_2024.read_bytes())

    response = counsellor_client.post(UPLOAD_URL, {"jobs_file": upload, "export_date": "2024-03-01"})

    assert "export du 01/03/2024" in response.text


def test_importing_needs_the_permission_to_add_import_runs(client, django_user_model, media):
    staff = django_user_model.objects.create_user("stagiaire", password="x", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_importrun"))
    client.force_login(staff)

    assert client.get(UPLOAD_URL).status_code == 403
    assert "Importer un export ONISEP" not in client.get(reverse("admin:catalogue_importrun_changelist")).text
    client.logout()
    assert client.get(UPLOAD_URL).status_code == 302  # to the login page


def test_an_import_run_page_shows_its_report(counsellor_client):
    run = import_onisep(jobs_path=JOBS_2024).import_run

    response = counsellor_client.get(reverse("admin:catalogue_importrun_change", args=[run.pk]))

    assert response.status_code == 200
    assert "Métiers : 3 lu(s) : 3 créé(s)" in response.text


# --- Conflicts ---------------------------------------------------------------------------------------------


@pytest.fixture
def conflict() -> ImportConflict:
    """MET.12's presentation edited by a counsellor, then changed by ONISEP in the next export."""
    import_onisep(jobs_path=JOBS_2024, trainings_path=TRAININGS_2024)
    Job.objects.filter(onisep_id="MET.12").update(presentation="<p>Notre présentation.</p>")
    import_onisep(jobs_path=JOBS_2025, trainings_path=TRAININGS_2025)
    return ImportConflict.objects.get(field="presentation")


def test_the_conflict_list_shows_pending_conflicts_by_default(counsellor_client, conflict):
    settled = ImportConflict.objects.create(
        import_run=conflict.import_run, job=conflict.job, field="skills", state=ConflictState.KEPT
    )

    pending = counsellor_client.get(CONFLICTS_URL)
    everything = counsellor_client.get(CONFLICTS_URL, {"decision": "toutes"})

    assert list(pending.context["cl"].result_list) == [conflict]
    assert set(everything.context["cl"].result_list) == {conflict, settled}
    assert "MET.12 développeur/euse informatique" in pending.text and "présentation" in pending.text


def test_accepting_onisep_version_from_the_list_updates_the_record_and_its_snapshot(counsellor_client, conflict):
    response = counsellor_client.post(
        CONFLICTS_URL, {"action": "accept_onisep", "_selected_action": [conflict.pk]}, follow=True
    )

    assert "Version ONISEP acceptée pour 1 champ." in response.text
    job = Job.objects.get(onisep_id="MET.12")
    assert job.presentation == conflict.onisep_value
    assert job.onisep_snapshot["presentation"] == conflict.onisep_value
    conflict.refresh_from_db()
    assert (conflict.state, conflict.decided_by.username) == (ConflictState.ACCEPTED, "conseiller")
    assert conflict.decided_at is not None
    entry = LogEntry.objects.get(object_id=str(job.pk))
    assert entry.get_change_message() == "Conflit d’import réglé (présentation) : version ONISEP acceptée."

    report = import_onisep(jobs_path=JOBS_2025, trainings_path=TRAININGS_2025)

    assert report.conflicts == [] and ImportConflict.objects.filter(state=ConflictState.PENDING).count() == 0


def test_keeping_the_local_version_from_the_list(counsellor_client, conflict):
    counsellor_client.post(CONFLICTS_URL, {"action": "keep_local", "_selected_action": [conflict.pk]})

    conflict.refresh_from_db()
    assert conflict.state == ConflictState.KEPT
    assert Job.objects.get(onisep_id="MET.12").presentation == "<p>Notre présentation.</p>"
    assert import_onisep(jobs_path=JOBS_2025, trainings_path=TRAININGS_2025).conflicts == []


def test_the_conflict_page_shows_both_versions_and_settles_the_field(counsellor_client, conflict):
    url = reverse("admin:catalogue_importconflict_change", args=[conflict.pk])

    page = counsellor_client.get(url)

    assert page.status_code == 200
    assert "<h2>MET.12 développeur/euse informatique – présentation</h2>" in page.text
    assert "<p>Notre présentation.</p>" in page.text
    assert "Un métier très recherché." in page.text
    assert 'name="_accept"' in page.text and 'name="_keep"' in page.text

    response = counsellor_client.post(url, {"_keep": "1"}, follow=True)

    assert "Version locale conservée" in response.text
    conflict.refresh_from_db()
    assert conflict.state == ConflictState.KEPT
    assert 'name="_accept"' not in counsellor_client.get(url).text


def test_accepting_a_conflict_on_appellations_rewrites_them_and_the_search_titles(counsellor_client):
    import_onisep(jobs_path=JOBS_2024, trainings_path=TRAININGS_2024)
    job = Job.objects.get(onisep_id="MET.12")
    job.appellations.filter(name="analyste-programmeur/euse").delete()
    import_onisep(jobs_path=JOBS_2025, trainings_path=TRAININGS_2025)
    conflict = ImportConflict.objects.get(field="appellations")
    assert job.appellations.count() == 1  # the local deletion is kept until a counsellor decides

    counsellor_client.post(reverse("admin:catalogue_importconflict_change", args=[conflict.pk]), {"_accept": "1"})

    job.refresh_from_db()
    assert list(job.appellations.values_list("name", flat=True)) == [
        "analyste-programmeur/euse",
        "codeur/euse",
        "ingénieur/e d'études et de développement",
    ]
    assert "codeuse" in job.search_text.splitlines()
