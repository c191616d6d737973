"""The site's own pages (health, legal pages, error pages), request logs and collected static files."""

import json
import logging
from datetime import date
from unittest import mock

import pytest
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management import call_command
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalogue.models import Source
from tests.factories import JobFactory, TrainingFactory

pytestmark = pytest.mark.django_db

FOOTER_LINKS = {
    "Mentions légales": "/mentions-legales/",
    "Sources et licences": "/sources-et-licences/",
    "Accessibilité : non conforme": "/accessibilite/",
}


# --- Health --------------------------------------------------------------------------------------


def test_health_check_answers_200_when_the_database_answers(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    # One query: SELECT 1. No session, no user, nothing heavy.
    assert [query["sql"] for query in queries.captured_queries] == ["SELECT 1"]
    assert "no-store" in response.headers["Cache-Control"]


def test_health_check_answers_503_when_the_database_does_not(client):
    with mock.patch.object(connection, "cursor", side_effect=OperationalError("connection refused")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unavailable"}


def test_health_check_accepts_head_and_refuses_post(client):
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


# --- Legal pages ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["legal-notice", "sources", "accessibility"])
def test_legal_pages_are_in_french(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert '<html lang="fr">' in response.content.decode()


def test_every_page_footer_links_the_legal_pages(client):
    job = JobFactory()
    for path in ("/", "/metiers/", job.get_absolute_url(), "/formations/", "/mentions-legales/", "/page-absente/"):
        html = client.get(path).content.decode()
        footer = html[html.index("<footer") :]
        for label, url in FOOTER_LINKS.items():
            assert f'<a href="{url}">{label}</a>' in footer, (path, label)


def test_sources_page_gives_the_onisep_and_rome_attributions(client):
    html = client.get("/sources-et-licences/").content.decode()
    assert "Source : Onisep, Idéo-Fiches métiers / Idéo-Fiches formations, export du 25/06/2024" in html
    assert "Source : France Travail, ROME 4.0 (v4.60)" in html
    assert "Open Database License (ODbL)" in html


def test_sources_page_dates_the_attribution_with_the_latest_onisep_export(client):
    JobFactory(source=Source.ONISEP, source_export_date=date(2025, 1, 15))
    TrainingFactory(source=Source.ONISEP, source_export_date=date(2024, 6, 25))
    JobFactory(source=Source.COUNSELLOR, source_export_date=None)
    html = client.get("/sources-et-licences/").content.decode()
    assert "Idéo-Fiches formations, export du 15/01/2025" in html


def test_legal_notice_shows_the_publisher_from_the_settings(client, settings):
    settings.LEGAL_PUBLISHER = "Académie de Nulle-Part\n1 rue de l’École"
    settings.LEGAL_CONTACT_EMAIL = "contact@example.org"
    html = client.get("/mentions-legales/").content.decode()
    assert "Académie de Nulle-Part<br>1 rue de l’École" in html
    assert 'href="mailto:contact@example.org"' in html


def test_legal_notice_says_when_the_publisher_is_not_set(client, settings):
    settings.LEGAL_PUBLISHER = ""
    html = client.get("/mentions-legales/").content.decode()
    assert "Non renseigné." in html


def test_accessibility_statement_has_the_usual_rgaa_sections(client):
    html = client.get("/accessibilite/").content.decode()
    for heading in (
        "État de conformité",
        "Résultats des tests",
        "Contenus non accessibles",
        "Établissement de cette déclaration",
        "Retour d’information et contact",
        "Voies de recours",
    ):
        assert heading in html


# --- Error pages ---------------------------------------------------------------------------------


def test_unknown_address_gets_the_french_404_page(client):
    response = client.get("/cette-page-nexiste-pas/")
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()


def test_server_error_gets_the_french_500_page(client):
    client.raise_request_exception = False
    with mock.patch("catalogue.site_views.LegalNoticeView.get_context_data", side_effect=RuntimeError("boom")):
        response = client.get("/mentions-legales/")
    assert response.status_code == 500
    assert "Une erreur est survenue" in response.content.decode()


def test_refused_form_gets_a_french_page(settings):
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    response = csrf_client.post("/admin/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "Formulaire refusé" in response.content.decode()


def test_bad_host_header_gets_the_french_400_page(client):
    response = client.get("/", headers={"host": "evil.example"})
    assert response.status_code == 400
    assert "Requête incorrecte" in response.content.decode()


# --- Request log ---------------------------------------------------------------------------------


def test_each_request_logs_one_json_line(client, caplog):
    with caplog.at_level(logging.INFO, logger="orientation.request"):
        client.get("/metiers/?q=secret")
        client.get("/page-absente/")
    lines = [json.loads(record.getMessage()) for record in caplog.records if record.name == "orientation.request"]
    assert [(line["method"], line["path"], line["status"]) for line in lines] == [
        ("GET", "/metiers/", 200),
        ("GET", "/page-absente/", 404),
    ]
    assert all(isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0 for line in lines)
    # No query string and no client address in the logs.
    assert all(set(line) == {"method", "path", "status", "duration_ms"} for line in lines)


def test_request_log_cuts_very_long_addresses(client, caplog):
    with caplog.at_level(logging.INFO, logger="orientation.request"):
        client.get("/" + "a" * 10_000 + "/")
    (line,) = [json.loads(r.getMessage()) for r in caplog.records if r.name == "orientation.request"]
    assert len(line["path"]) == 300


# --- Static files --------------------------------------------------------------------------------


def test_collectstatic_writes_hashed_and_compressed_files(tmp_path, settings):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    # (Changing STORAGES resets `staticfiles_storage`.)
    call_command("collectstatic", interactive=False, verbosity=0)
    hashed = staticfiles_storage.url("css/site.css")
    assert hashed.startswith("/static/css/site.") and hashed.endswith(".css")
    assert hashed != "/static/css/site.css"
    name = hashed.removeprefix("/static/")
    assert (tmp_path / name).exists()
    assert (tmp_path / f"{name}.gz").exists()
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())
    assert manifest["paths"]["css/site.css"] == name
