"""Spreadsheets in the admin (catalogue.resources, catalogue.admin.spreadsheets): export what the list
shows, import it back after a preview, all or nothing, by Validateurs only, formulas neutralised."""

import csv
import io
import os
import re
import time
from html.parser import HTMLParser

import openpyxl
import pytest
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from reversion.models import Revision, Version

from catalogue.models import Interest, Job, JobSlugRedirect, PublicationStatus, Source, Training
from catalogue.resources import CSVSpreadsheet, JobResource, neutralise, restore
from catalogue.services.cache import catalogue_version

from .admin_support import admin_url
from .factories import JobFactory, TrainingFactory, interest, level

pytestmark = pytest.mark.django_db

CSV_FORMAT, XLSX_FORMAT = "0", "1"
HELPFUL, CONTACT = "T-IDEO2.4812", "T-IDEO2.4817"  # je veux être utile aux autres, j'ai le sens du contact


@pytest.fixture(autouse=True)
def _uploads_in_a_temporary_folder(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


# --- Helpers --------------------------------------------------------------------------------------


def export(client, model=Job, query: str = "", file_format: str = CSV_FORMAT):
    return client.post(admin_url(model, "export") + query, {"format": file_format, "resource": "0"})


def read_csv(content: bytes) -> tuple[list[str], list[dict[str, str]]]:
    assert content.startswith(b"\xef\xbb\xbf"), "a byte-order mark, for Excel"
    reader = csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""), delimiter=";")
    headers, *rows = list(reader)
    return headers, [dict(zip(headers, row, strict=True)) for row in rows]


def write_csv(headers: list[str], rows: list[dict[str, str]], delimiter: str = ";") -> bytes:
    stream = io.StringIO()
    writer = csv.writer(stream, delimiter=delimiter)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([row.get(header, "") for header in headers])
    return stream.getvalue().encode("utf-8-sig")


def upload(client, content: bytes, model=Job, name: str = "metiers.csv", file_format: str = CSV_FORMAT):
    return client.post(
        admin_url(model, "import"),
        {"resource": "0", "format": file_format, "import_file": SimpleUploadedFile(name, content)},
    )


def confirm(client, preview, model=Job):
    assert "confirm_form" in preview.context, page_errors(preview)
    return client.post(admin_url(model, "process_import"), preview.context["confirm_form"].initial, follow=True)


def page_errors(response) -> list[str]:
    """Every error the import page shows: the form's and the file's."""
    errors = []
    form = response.context.get("form")
    if form is not None:
        errors += [message for messages in form.errors.values() for message in messages]
    result = response.context.get("result")
    if result is not None:
        errors += [str(error.error) for error in result.base_errors]
        errors += [str(error.error) for row in result.error_rows for error in row.errors]
        errors += [message for row in result.invalid_rows for message in row.error.messages]
    return errors


def state(record) -> dict:
    """Every stored value of a record but its modification date, its links as sets of keys."""
    record = type(record).objects.get(pk=record.pk)
    values = {field.attname: getattr(record, field.attname) for field in record._meta.concrete_fields}
    values.pop("updated_at", None)
    for field in record._meta.many_to_many:
        values[field.name] = set(getattr(record, field.name).values_list("pk", flat=True))
    return values


def exported_jobs(content: bytes) -> dict[str, dict[str, str]]:
    _, rows = read_csv(content)
    return {row["Slug"]: row for row in rows}


# --- Round trip -----------------------------------------------------------------------------------


def test_a_csv_exported_edited_and_imported_back_changes_exactly_the_edited_cell(counsellor_client, counsellor):
    jobs = [
        JobFactory(
            starting_salary="1 800 euros brut par mois",
            access_level=level("bac-2"),
            interests=[interest(HELPFUL)],
            trainings=[TrainingFactory()],
        )
        for _ in range(3)
    ]
    draft = JobFactory(publication_status=PublicationStatus.DRAFT)
    before = {job.pk: state(job) for job in [*jobs, draft]}

    response = export(counsellor_client, query="?publication_status__exact=published")

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="metiers-')
    headers, rows = read_csv(response.content)
    assert sorted(row["Slug"] for row in rows) == sorted(job.slug for job in jobs)  # the filter applies
    edited = next(row for row in rows if row["Slug"] == jobs[1].slug)
    edited["Salaire du débutant"] = "2 000 euros brut par mois"

    preview = upload(counsellor_client, write_csv(headers, rows))

    result = preview.context["result"]
    assert [(row.line, row.import_type) for row in result.rows] == [
        (line, "update" if row is edited else "skip") for line, row in enumerate(rows, start=2)
    ]
    changed_row = next(row for row in result.rows if row.import_type == "update")
    assert [(change.column, change.before, change.after) for change in changed_row.diff] == [
        ("Salaire du débutant", "1 800 euros brut par mois", "2 000 euros brut par mois")
    ]
    assert Job.objects.get(pk=jobs[1].pk).starting_salary == "1 800 euros brut par mois"  # a preview writes nothing

    done = confirm(counsellor_client, preview)

    assert [str(message) for message in done.context["messages"]] == [
        "Import terminé (métiers) : 1 ligne modifiée, 2 lignes inchangées."
    ]
    expected = dict(before)
    expected[jobs[1].pk] = {**before[jobs[1].pk], "starting_salary": "2 000 euros brut par mois"}
    assert {job.pk: state(job) for job in [*jobs, draft]} == expected
    assert list(LogEntry.objects.values_list("object_id", "action_flag", "change_message")) == [
        (str(jobs[1].pk), CHANGE, "Import de tableur")
    ]


@pytest.mark.parametrize(("file_format", "name"), [(CSV_FORMAT, "metiers.csv"), (XLSX_FORMAT, "metiers.xlsx")])
def test_an_unchanged_file_reports_every_row_unchanged_and_writes_nothing(counsellor_client, file_format, name):
    JobFactory.create_batch(3, interests=[interest(HELPFUL), interest(CONTACT)], access_level=level("bac-2"))
    JobFactory(presentation='<p>Avec <strong>gras</strong> &amp; un <a href="https://onisep.fr">lien</a>.</p>')
    content = export(counsellor_client, file_format=file_format).content

    preview = upload(counsellor_client, content, name=name, file_format=file_format)

    assert [row.import_type for row in preview.context["result"].rows] == ["skip"] * 4, page_errors(preview)
    assert [row.diff for row in preview.context["result"].rows] == [[]] * 4
    done = confirm(counsellor_client, preview)
    assert [str(message) for message in done.context["messages"]] == [
        "Import terminé (métiers) : 0 ligne modifiée, 4 lignes inchangées."
    ]
    assert not Revision.objects.exists()
    assert not LogEntry.objects.exists()


def test_the_export_respects_the_filters_of_the_list(counsellor_client):
    helpful_job = JobFactory(interests=[interest(HELPFUL)])
    JobFactory(interests=[interest(CONTACT)])
    helpful_id = interest(HELPFUL).pk

    response = export(counsellor_client, query=f"?interests__id__exact={helpful_id}")

    assert list(exported_jobs(response.content)) == [helpful_job.slug]
    page = counsellor_client.get(admin_url(Job, "export") + f"?interests__id__exact={helpful_id}")
    assert "À exporter : 1 métier, avec les filtres" in page.content.decode()


def test_jobs_are_exported_with_french_headers_and_readable_values(counsellor_client):
    training = TrainingFactory(onisep_id="FOR.1234")
    local_training = TrainingFactory(onisep_id=None, slug="formation-locale")
    job = JobFactory(
        onisep_id="MET.8063",
        access_level=level("bac-2"),
        interests=[interest(HELPFUL), interest(CONTACT)],
        trainings=[training, local_training],
        is_cross_sector=True,
    )

    row = exported_jobs(export(counsellor_client).content)[job.slug]

    assert row["Identifiant ONISEP"] == "MET.8063"
    assert row["Niveau d’accès minimum"] == level("bac-2").name
    assert row["Centres d’intérêt"] == " | ".join(sorted([interest(HELPFUL).name, interest(CONTACT).name]))
    assert row["Formations recommandées"] == "FOR.1234 | formation-locale"
    assert row["Métier transverse"] == "oui"
    assert row["Statut de publication"] == "Publiée"
    assert row["Présentation"] == "<p>Une présentation.</p>"


def test_the_export_costs_the_same_number_of_queries_for_3_and_9_jobs(counsellor_client):
    """Session, user, user and group permissions; the list's filters (levels, interests, statuses,
    sectors); the count and the page of jobs (100 a page) with its level; one query per kind of link
    (interests, statuses, sectors, trainings, ROME codes)."""

    def queries(count: int) -> int:
        Job.objects.all().delete()
        for _ in range(count):
            JobFactory(interests=[interest(HELPFUL)], trainings=[TrainingFactory()], access_level=level("bac-2"))
        with CaptureQueriesContext(connection) as captured:
            assert export(counsellor_client).status_code == 200
        return len(captured)

    assert queries(3) == queries(9)


# --- Import ---------------------------------------------------------------------------------------


def test_a_file_with_one_good_and_one_bad_row_writes_nothing(counsellor_client, counsellor):
    good, bad = JobFactory(), JobFactory()
    headers, rows = read_csv(export(counsellor_client).content)
    rows[0]["Nom générique"] = "nouveau nom"
    rows[1]["Centres d’intérêt"] = f"{interest(HELPFUL).name} | xyz"
    content = write_csv(headers, rows)
    before = [state(good), state(bad)]

    preview = upload(counsellor_client, content)

    assert preview.status_code == 200
    assert page_errors(preview) == ["Ligne 3, colonne « Centres d’intérêt » : centre d’intérêt inconnu « xyz »"]
    assert "Ligne 3, colonne « Centres d’intérêt » : centre d’intérêt inconnu « xyz »" in preview.content.decode()
    assert "confirm_form" not in preview.context
    # The import the confirmation runs rolls the good row back too.
    result = JobResource().import_data(CSVSpreadsheet().create_dataset(content), dry_run=False, user=counsellor)
    assert result.has_validation_errors()
    assert [state(good), state(bad)] == before
    assert not Revision.objects.exists()
    # Without the bad row, the good one is written.
    result = JobResource().import_data(CSVSpreadsheet().create_dataset(write_csv(headers, rows[:1])), user=counsellor)
    assert not result.has_validation_errors()
    assert Job.objects.get(pk=good.pk).name == "nouveau nom"


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("Niveau d’accès minimum", "bac +12", "niveau d’accès inconnu « bac +12 »"),
        ("Statuts possibles", "astronaute", "statut inconnu « astronaute »"),
        ("Secteurs d’activité", "Lune", "secteur d’activité inconnu « Lune »"),
        ("Formations recommandées", "FOR.999999", "formation inconnue « FOR.999999 »"),
        ("Codes ROME", "Z9999", "code ROME inconnu « Z9999 »"),
        ("Métier transverse", "peut-être", "« oui » ou « non » attendu, pas « peut-être »"),
        ("Identifiant ONISEP", "FOR.12", "identifiant ONISEP invalide"),
        ("Slug", "pas un slug !", "ce champ ne doit contenir que des lettres"),
        ("Nom générique", "", "ce champ ne peut pas être vide."),
    ],
)
def test_each_bad_cell_is_an_error_naming_its_line_and_column(counsellor_client, column, value, message):
    JobFactory.create_batch(2)
    headers, rows = read_csv(export(counsellor_client).content)
    rows[1][column] = value
    if column == "Identifiant ONISEP":
        rows[1]["Slug"] = ""  # a new record (an unknown identifier), whose slug is made from its name

    errors = page_errors(upload(counsellor_client, write_csv(headers, rows)))

    assert len(errors) == 1
    assert errors[0].startswith(f"Ligne 3, colonne « {column} » : {message}"), errors


def test_every_error_of_a_file_is_listed(counsellor_client):
    JobFactory.create_batch(3)
    headers, rows = read_csv(export(counsellor_client).content)
    rows[0]["Niveau d’accès minimum"] = "inconnu"
    rows[2]["Centres d’intérêt"] = "xyz | abc"
    rows[2]["Nom générique"] = ""

    errors = page_errors(upload(counsellor_client, write_csv(headers, rows)))

    assert sorted(errors) == [
        "Ligne 2, colonne « Niveau d’accès minimum » : niveau d’accès inconnu « inconnu »",
        "Ligne 4, colonne « Centres d’intérêt » : centre d’intérêt inconnu « xyz » ; centre d’intérêt inconnu « abc »",
        "Ligne 4, colonne « Nom générique » : ce champ ne peut pas être vide.",
    ]


def test_a_record_on_two_rows_is_an_error(counsellor_client):
    JobFactory()
    headers, rows = read_csv(export(counsellor_client).content)

    errors = page_errors(upload(counsellor_client, write_csv(headers, [rows[0], dict(rows[0])])))

    assert errors == ["Ligne 3 : cette fiche figure déjà ligne 2 du fichier"]


def test_a_row_without_keys_creates_a_draft_with_a_unique_slug(counsellor_client):
    JobFactory(name="soigneur/euse", slug="soigneur-euse")
    content = write_csv(
        ["Identifiant ONISEP", "Slug", "Nom générique", "Centres d’intérêt", "Statut de publication"],
        [
            {
                "Nom générique": "soigneur/euse",
                "Centres d’intérêt": interest(HELPFUL).name,
                "Statut de publication": "Publiée",
            }
        ],
    )

    preview = upload(counsellor_client, content)

    assert [row.import_type for row in preview.context["result"].rows] == ["new"]
    confirm(counsellor_client, preview)
    job = Job.objects.get(slug="soigneur-euse-2")
    assert job.publication_status == PublicationStatus.DRAFT  # the status column is never imported
    assert job.source == Source.COUNSELLOR
    assert job.onisep_id is None
    assert list(job.interests.all()) == [interest(HELPFUL)]
    assert "soigneur euse" in job.search_text.splitlines()
    assert LogEntry.objects.get().action_flag == ADDITION
    assert Revision.objects.get().comment == "Import de tableur (métiers, 1 ligne ajoutée)"


def test_rows_are_matched_by_onisep_id_then_by_slug_of_a_local_record(counsellor_client):
    onisep = JobFactory(onisep_id="MET.1", slug="onisep")
    local = JobFactory(onisep_id=None, slug="locale")
    content = write_csv(
        ["Identifiant ONISEP", "Slug", "Nom générique"],
        [
            {"Identifiant ONISEP": "MET.1", "Slug": "onisep-renomme", "Nom générique": "renommé par son identifiant"},
            {"Identifiant ONISEP": "MET.2", "Slug": "locale", "Nom générique": "identifiant reçu"},
        ],
        delimiter=",",
    )

    confirm(counsellor_client, upload(counsellor_client, content))

    onisep.refresh_from_db()
    local.refresh_from_db()
    assert (onisep.slug, onisep.name) == ("onisep-renomme", "renommé par son identifiant")
    assert (local.onisep_id, local.name) == ("MET.2", "identifiant reçu")
    assert list(JobSlugRedirect.objects.values_list("old_slug", "job")) == [("onisep", onisep.pk)]
    assert "renomme par son identifiant" in onisep.search_text.splitlines()


def test_a_copied_row_without_its_identifier_never_overwrites_the_original(counsellor_client):
    original = JobFactory(onisep_id="MET.1", slug="original")
    before = state(original)
    content = write_csv(
        ["Identifiant ONISEP", "Slug", "Nom générique"], [{"Slug": "original", "Nom générique": "copie"}]
    )

    errors = page_errors(upload(counsellor_client, content))

    assert (
        len(errors) == 1 and errors[0] == "Ligne 2, colonne « Slug » : un objet Métier avec ce champ Slug existe déjà."
    )
    assert state(original) == before


def test_rich_text_is_cleaned_on_import(counsellor_client):
    job = JobFactory()
    content = write_csv(
        ["Identifiant ONISEP", "Slug", "Présentation"],
        [
            {
                "Slug": job.slug,
                "Identifiant ONISEP": job.onisep_id,
                "Présentation": '<p onclick="x()">Bien<script>alert(1)</script></p>',
            }
        ],
    )

    confirm(counsellor_client, upload(counsellor_client, content))

    job.refresh_from_db()
    assert job.presentation == "<p>Bien</p>"


def test_headers_may_differ_in_accents_case_and_apostrophes(counsellor_client):
    job = JobFactory()
    content = write_csv(
        ["identifiant onisep", "SLUG", "Centres d'interet"],
        [{"identifiant onisep": job.onisep_id, "SLUG": job.slug, "Centres d'interet": interest(CONTACT).slug}],
    )

    confirm(counsellor_client, upload(counsellor_client, content))

    assert list(job.interests.all()) == [interest(CONTACT)]


def test_a_confirmed_import_is_one_revision_whose_versions_hold_the_new_links(
    counsellor_client, counsellor, django_capture_on_commit_callbacks
):
    jobs = JobFactory.create_batch(2, interests=[interest(HELPFUL)])
    headers, rows = read_csv(export(counsellor_client).content)
    for row in rows:
        row["Centres d’intérêt"] = interest(CONTACT).name
    version_before = catalogue_version()

    with django_capture_on_commit_callbacks(execute=True):
        confirm(counsellor_client, upload(counsellor_client, write_csv(headers, rows)))

    revision = Revision.objects.get()
    assert revision.user == counsellor
    assert revision.comment == "Import de tableur (métiers, 2 lignes modifiées)"
    for job in jobs:
        version = Version.objects.get_for_object(job).get()
        assert version.revision == revision
        assert version.field_dict["interests"] == [interest(CONTACT).pk]
    assert catalogue_version() != version_before  # cached public pages are invalidated


def test_an_import_that_fails_at_confirmation_writes_nothing_and_says_why(counsellor_client):
    job = JobFactory(interests=[interest(HELPFUL)])
    headers, rows = read_csv(export(counsellor_client).content)
    rows[0]["Nom générique"] = "nouveau nom"
    preview = upload(counsellor_client, write_csv(headers, rows))
    interest(HELPFUL).delete()  # someone deletes the interest between the preview and the confirmation

    done = confirm(counsellor_client, preview)

    unknown = rows[0]["Centres d’intérêt"]
    assert [str(message) for message in done.context["messages"]] == [
        f"Rien n’a été importé : Ligne 2, colonne « Centres d’intérêt » : centre d’intérêt inconnu « {unknown} »"
    ]
    assert Job.objects.get(pk=job.pk).name == job.name
    assert not Revision.objects.exists()


def test_the_publication_status_column_is_never_imported(counsellor_client):
    job = JobFactory(publication_status=PublicationStatus.PUBLISHED)
    headers, rows = read_csv(export(counsellor_client).content)
    rows[0]["Statut de publication"] = "Brouillon"

    preview = upload(counsellor_client, write_csv(headers, rows))

    assert [row.import_type for row in preview.context["result"].rows] == ["skip"]
    confirm(counsellor_client, preview)
    assert Job.objects.get(pk=job.pk).publication_status == PublicationStatus.PUBLISHED


# --- Formulas -------------------------------------------------------------------------------------

FORMULAS = ['=HYPERLINK("http://evil.example","cliquez")', "+33 6 00 00 00 00", "-2+3", "@SUM(A1)"]


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@A1", "'@A1"),
        ("\tx", "'\tx"),
        ("'=1", "''=1"),
        ("''", "'''"),
        ("'abc", "'abc"),
        ("'", "'"),
        ("abc", "abc"),
        ("", ""),
    ],
)
def test_neutralise_and_restore_are_inverse(value, cell):
    assert neutralise(value) == cell
    assert restore(cell) == value


def test_formulas_are_neutralised_in_csv_exports_and_survive_the_round_trip(counsellor_client):
    jobs = [JobFactory(name=name, starting_salary=name) for name in FORMULAS]

    content = export(counsellor_client).content

    _, rows = read_csv(content)
    assert sorted(row["Nom générique"] for row in rows) == sorted(f"'{name}" for name in FORMULAS)
    assert all(row["Salaire du débutant"].startswith("'") for row in rows)
    preview = upload(counsellor_client, content)
    assert [row.import_type for row in preview.context["result"].rows] == ["skip"] * len(jobs)


def test_formulas_are_neutralised_in_xlsx_exports_and_survive_the_round_trip(counsellor_client):
    for name in FORMULAS:
        JobFactory(name=name)

    content = export(counsellor_client, file_format=XLSX_FORMAT).content

    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    assert sheet.title == "Métiers"
    headers = [cell.value for cell in sheet[1]]
    name_cells = [row[headers.index("Nom générique")] for row in sheet.iter_rows(min_row=2)]
    assert sorted(cell.value for cell in name_cells) == sorted(f"'{name}" for name in FORMULAS)
    assert {cell.data_type for cell in name_cells} == {"s"}  # text, not formulas
    preview = upload(counsellor_client, content, name="metiers.xlsx", file_format=XLSX_FORMAT)
    assert [row.import_type for row in preview.context["result"].rows] == ["skip"] * len(FORMULAS)


# --- Bad files ------------------------------------------------------------------------------------

GOOD_HEADERS = "Identifiant ONISEP;Slug;Nom générique\n"


@pytest.mark.parametrize(
    ("content", "name", "file_format", "message"),
    [
        (b"%PDF-1.4\n\x00\x01\x02binaire", "fiche.pdf", CSV_FORMAT, "n’est pas un fichier CSV"),
        (b"%PDF-1.4\n\x00\x01\x02binaire", "fiche.pdf", XLSX_FORMAT, "n’est pas un classeur XLSX"),
        (bytes(range(256)) * 4, "bruit.csv", CSV_FORMAT, "n’est pas un fichier CSV"),
        (b"PK\x03\x04" + bytes(range(256)), "abime.xlsx", XLSX_FORMAT, "illisible ou endommagé"),
        (b"", "vide.csv", CSV_FORMAT, "Le fichier soumis est vide."),
        (b"\n\n", "blanc.csv", CSV_FORMAT, "aucun en-tête"),
        (GOOD_HEADERS.encode(), "entetes.csv", CSV_FORMAT, "aucune ligne à importer"),
        ((GOOD_HEADERS + ";métier;Métier à l’œil\n").encode("latin-1", "replace"), "latin1.csv", CSV_FORMAT, "UTF-8"),
        ((GOOD_HEADERS + ";métier;Métier\n").encode("cp1252"), "excel.csv", CSV_FORMAT, "pas encodé en UTF-8"),
        ("Nom;Prénom\nDupont;Jean\n".encode(), "autre.csv", CSV_FORMAT, "Colonnes obligatoires absentes"),
        (
            (GOOD_HEADERS.strip() + ";Salaire\n;a;b;c\n").encode(),
            "typo.csv",
            CSV_FORMAT,
            "Colonne inconnue : « Salaire »",
        ),
        ((b"Slug;Slug;Identifiant ONISEP\na;a;\n"), "double.csv", CSV_FORMAT, "Colonne en double : « Slug »"),
        ((GOOD_HEADERS + ";a;b;c;d\n").encode(), "large.csv", CSV_FORMAT, "hors des colonnes"),
        (b'Slug;"Nom\n', "guillemet.csv", CSV_FORMAT, "mal formé"),
    ],
)
def test_a_bad_file_gets_a_clear_french_message_and_writes_nothing(
    counsellor_client, content, name, file_format, message
):
    JobFactory()
    before = list(Job.objects.values())

    response = upload(counsellor_client, content, name=name, file_format=file_format)

    assert response.status_code == 200
    errors = page_errors(response)
    assert any(message in error for error in errors), errors
    assert "confirm_form" not in response.context
    assert list(Job.objects.values()) == before


@pytest.mark.parametrize("file_format", [CSV_FORMAT, XLSX_FORMAT])
def test_the_format_is_found_from_the_file_when_not_chosen(counsellor_client, file_format):
    job = JobFactory()
    content = export(counsellor_client, file_format=file_format).content

    preview = upload(counsellor_client, content, name="sans-extension", file_format="")

    assert [row.import_type for row in preview.context["result"].rows] == ["skip"], page_errors(preview)
    assert preview.context["confirm_form"].initial["format"] == file_format
    assert job.slug in preview.content.decode() or job.name in preview.content.decode()


def test_a_csv_file_from_a_spreadsheet_with_commas_and_blank_lines_imports(counsellor_client):
    job = JobFactory()
    content = (
        f'Identifiant ONISEP,Slug,Salaire du débutant,,\r\n{job.onisep_id},{job.slug},"1 900 €, net",,\r\n,,,,\r\n'
    )

    confirm(counsellor_client, upload(counsellor_client, content.encode()))

    job.refresh_from_db()
    assert job.starting_salary == "1 900 €, net"


def test_a_crafted_confirmation_of_a_missing_file_is_refused_without_error(counsellor_client):
    JobFactory()
    for name in ["../../etc/passwd", "0" * 32, ""]:
        response = counsellor_client.post(
            admin_url(Job, "process_import"),
            {"import_file_name": name, "original_file_name": "x.csv", "format": CSV_FORMAT, "resource": "0"},
        )

        assert response.status_code == 200
        assert "le fichier n’est plus disponible" in response.content.decode()


def test_invalid_export_filters_are_refused_without_error(counsellor_client):
    response = counsellor_client.get(admin_url(Job, "export") + "?access_level__id__exact=abc", follow=True)

    assert response.status_code == 200
    assert "Ces filtres ne sont pas valides" in response.content.decode()


def test_files_of_abandoned_previews_are_swept_after_a_day(counsellor_client, settings):
    JobFactory()
    content = export(counsellor_client).content
    upload(counsellor_client, content)  # a preview never confirmed
    folder = settings.MEDIA_ROOT / "django-import-export"
    (abandoned,) = folder.iterdir()
    a_day_ago = time.time() - 25 * 3600
    os.utime(abandoned, (a_day_ago, a_day_ago))

    preview = upload(counsellor_client, content)

    assert [path.name for path in folder.iterdir()] == [preview.context["confirm_form"].initial["import_file_name"]]
    confirm(counsellor_client, preview)
    assert list(folder.iterdir()) == []


# --- Permissions ----------------------------------------------------------------------------------


@pytest.mark.parametrize("model", [Job, Training, Interest])
def test_an_editor_exports_but_cannot_import(editor_client, model):
    changelist = editor_client.get(admin_url(model, "changelist")).content.decode()

    assert admin_url(model, "export") in changelist
    assert admin_url(model, "import") not in changelist
    assert editor_client.get(admin_url(model, "import")).status_code == 403
    assert upload(editor_client, GOOD_HEADERS.encode(), model=model).status_code == 403
    crafted = {"import_file_name": "0" * 32, "original_file_name": "x.csv", "format": CSV_FORMAT, "resource": "0"}
    assert editor_client.post(admin_url(model, "process_import"), crafted).status_code == 403
    assert export(editor_client, model).status_code == 200


@pytest.mark.parametrize("model", [Job, Training, Interest])
def test_a_reviewer_sees_the_import_button_and_page(counsellor_client, model):
    changelist = counsellor_client.get(admin_url(model, "changelist")).content.decode()

    assert admin_url(model, "import") in changelist
    assert counsellor_client.get(admin_url(model, "import")).status_code == 200


def test_an_editor_cannot_import_through_the_confirmation_of_a_real_preview(counsellor_client, editor, client):
    job = JobFactory()
    headers, rows = read_csv(export(counsellor_client).content)
    rows[0]["Nom générique"] = "nouveau nom"
    preview = upload(counsellor_client, write_csv(headers, rows))
    client.force_login(editor)

    response = client.post(admin_url(Job, "process_import"), preview.context["confirm_form"].initial)

    assert response.status_code == 403
    assert Job.objects.get(pk=job.pk).name == job.name


# --- Trainings and interests ----------------------------------------------------------------------


def test_trainings_round_trip_and_one_edited_cell_changes_one_field(counsellor_client):
    trainings = [TrainingFactory(level=level("bac-2"), description="<p>Deux ans.</p>") for _ in range(2)]
    before = [state(training) for training in trainings]
    headers, rows = read_csv(export(counsellor_client, Training).content)
    assert headers[:3] == ["Identifiant ONISEP", "Slug", "Intitulé complet"]
    rows[0]["Durée"] = "3 ans"

    preview = upload(counsellor_client, write_csv(headers, rows), model=Training)
    confirm(counsellor_client, preview, model=Training)

    assert [state(training) for training in trainings] == [{**before[0], "duration": "3 ans"}, before[1]]


def test_interests_round_trip_and_one_edited_cell_changes_one_field(counsellor_client):
    before = {record.pk: state(record) for record in Interest.objects.all()}
    headers, rows = read_csv(export(counsellor_client, Interest).content)
    assert headers == ["Identifiant ONISEP", "Slug", "Libellé", "Description"]
    row = next(row for row in rows if row["Identifiant ONISEP"] == HELPFUL)
    row["Description"] = "Pour qui aime aider."

    preview = upload(counsellor_client, write_csv(headers, rows), model=Interest)
    assert sum(row.import_type == "update" for row in preview.context["result"].rows) == 1
    confirm(counsellor_client, preview, model=Interest)

    before[interest(HELPFUL).pk]["description"] = "Pour qui aime aider."
    assert {record.pk: state(record) for record in Interest.objects.all()} == before


# --- Pages under the admin's Content-Security-Policy ----------------------------------------------


class InlineCode(HTMLParser):
    """Inline scripts without the request's nonce, event-handler and style attributes."""

    def __init__(self, nonce: str):
        super().__init__()
        self.nonce, self.found = nonce, []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and "src" not in attributes and attributes.get("nonce") != self.nonce:
            self.found.append("<script> inline")
        self.found += [f"{tag} {name}" for name in attributes if name.startswith("on") or name == "style"]


def inline_code(response) -> list[str]:
    policy = response.headers["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy)
    parser = InlineCode(nonce.group(1) if nonce else "")
    parser.feed(response.content.decode())
    return parser.found


def test_the_import_and_export_pages_need_no_inline_code(counsellor_client):
    JobFactory()
    headers, rows = read_csv(export(counsellor_client).content)
    rows[0]["Nom générique"] = "nouveau nom"
    bad = dict(rows[0], **{"Centres d’intérêt": "xyz"})
    pages = [
        counsellor_client.get(admin_url(Job, "import")),
        counsellor_client.get(admin_url(Job, "export") + "?publication_status__exact=published"),
        upload(counsellor_client, write_csv(headers, rows)),  # the preview
        upload(counsellor_client, write_csv(headers, [bad])),  # the errors
        counsellor_client.get(admin_url(Job, "changelist")),
    ]

    for page in pages:
        assert page.status_code == 200
        assert inline_code(page) == [], page.request["PATH_INFO"]
