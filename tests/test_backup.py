"""export_catalogue / import_catalogue: the whole catalogue round-trips, a bad file changes nothing."""

import io
import json
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command

from catalogue.models import (
    AccessLevel,
    Appellation,
    ImportConflict,
    ImportKind,
    ImportRun,
    Interest,
    Job,
    JobResource,
    JobSlugRedirect,
    RelatedJob,
    RomeCode,
    Source,
    Training,
)
from catalogue.models.search import SearchDocument, SearchTitle
from catalogue.services.backup import (
    EXCLUDED_MODELS,
    CatalogueFileError,
    catalogue_models,
    dump_catalogue,
    export_catalogue,
    import_catalogue,
)
from catalogue.services.search import refresh_search_text
from tests.factories import AppellationFactory, JobFactory, RelatedJobFactory, TrainingFactory, interest, level

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue():
    """A small catalogue touching every kind of row: links, drafts, redirects, resources, history."""
    training = TrainingFactory(level=level("bac-2"), description="<p>Deux ans <strong>après</strong> le bac.</p>")
    draft_training = TrainingFactory(publication_status="draft", has_sheet=False, name="formation citée")
    rome = RomeCode.objects.create(code="M1805", label="Études et développement informatique")
    job = JobFactory(
        name="développeur/euse informatique",
        slug="developpeur-euse-informatique",
        access_level=level("bac-2"),
        interests=[interest("T-IDEO2.4825")],
        trainings=[training, draft_training],
        source=Source.ONISEP,
        source_export_date=date(2024, 6, 25),
        onisep_snapshot={"name": "développeur/euse informatique", "nested": {"list": [1, 2]}},
        starting_salary="2 830 euros brut par mois",
        summary='<p>Le <a href="https://example.org" rel="noopener noreferrer nofollow">pro</a> du code.</p>',
    )
    job.rome_codes.add(rome)
    AppellationFactory(job=job, name="analyste-programmeur/euse")
    refresh_search_text([job])  # as every write path does
    other = JobFactory(publication_status="draft")
    RelatedJobFactory(job=job, target=other, position=1)
    RelatedJob.objects.create(job=job, target=None, target_onisep_id="MET.999", target_name="métier absent")
    JobResource.objects.create(job=job, kind="online", title="Le site", url="https://example.org/")
    JobSlugRedirect.objects.create(old_slug="ancien-nom", job=job)
    Interest.objects.filter(pk=interest("T-IDEO2.4825").pk).update(description="Une description.")
    run = ImportRun.objects.create(kind=ImportKind.SHEETS, counts={"created": 1})
    ImportConflict.objects.create(import_run=run, job=job, field="name", local_value="a", onisep_value="b")
    return job


def content(document: dict) -> dict:
    """What must survive the round trip: everything but the export's own time stamp."""
    return {key: value for key, value in json.loads(json.dumps(document, default=str)).items() if key != "exported_at"}


def test_every_catalogue_model_is_exported_except_history_and_search_tables():
    labels = {model._meta.label_lower for model in catalogue_models()}
    assert {
        "catalogue.importrun",
        "catalogue.importconflict",
        "catalogue.searchtitle",
        "catalogue.searchdocument",
        "catalogue.searchword",
    } == EXCLUDED_MODELS
    assert labels.isdisjoint(EXCLUDED_MODELS)
    for expected in ("catalogue.job", "catalogue.training", "catalogue.accesslevel", "catalogue.relatedjob"):
        assert expected in labels


def test_models_come_after_the_models_they_point_to():
    order = [model._meta.label_lower for model in catalogue_models()]
    assert order.index("catalogue.accesslevel") < order.index("catalogue.training") < order.index("catalogue.job")
    assert order.index("catalogue.job") < order.index("catalogue.appellation")
    assert order.index("catalogue.job") < order.index("catalogue.relatedjob")


def test_export_then_import_gives_back_identical_content(catalogue, tmp_path):
    before = content(dump_catalogue())
    path = tmp_path / "catalogue.json"
    output = io.StringIO()
    call_command("export_catalogue", str(path), stdout=output)
    assert output.getvalue().startswith(f"Catalogue exporté dans {path}")

    # Start again from what the migrations leave: an empty catalogue with its vocabularies.
    Job.objects.all().delete()
    Training.objects.all().delete()
    AccessLevel.objects.filter(slug="bac-2").update(name="changé")
    call_command("import_catalogue", str(path), stdout=output)
    assert f"Catalogue importé depuis {path}" in output.getvalue()

    assert content(dump_catalogue()) == before
    job = Job.objects.get(slug="developpeur-euse-informatique")
    assert job.trainings.count() == 2
    assert job.related_links.count() == 2
    assert job.onisep_snapshot == {"name": "développeur/euse informatique", "nested": {"list": [1, 2]}}
    assert AccessLevel.objects.get(slug="bac-2").name != "changé"


def test_import_rebuilds_the_search_tables(catalogue, tmp_path):
    titles = sorted(SearchTitle.objects.values_list("job_id", "kind", "folded"))
    export_catalogue(destination=tmp_path / "c.json")
    Job.objects.all().delete()
    assert not SearchTitle.objects.exists()
    import_catalogue(path=tmp_path / "c.json", replace=True)
    assert sorted(SearchTitle.objects.values_list("job_id", "kind", "folded")) == titles
    assert SearchDocument.objects.count() == Job.objects.count()


def test_round_trip_keeps_time_stamps_to_the_microsecond(catalogue, tmp_path):
    stamp = Job.objects.get(pk=catalogue.pk).updated_at
    export_catalogue(destination=tmp_path / "c.json")
    import_catalogue(path=tmp_path / "c.json", replace=True)
    assert Job.objects.get(pk=catalogue.pk).updated_at == stamp


def test_import_moves_the_sequences_past_the_imported_keys(catalogue, tmp_path):
    export_catalogue(destination=tmp_path / "c.json")
    import_catalogue(path=tmp_path / "c.json", replace=True)
    new = JobFactory()
    assert new.pk > catalogue.pk
    assert Appellation.objects.create(job=new, name="nouvelle").pk > 0


def test_import_refuses_to_replace_a_catalogue_without_replace(catalogue, tmp_path):
    export_catalogue(destination=tmp_path / "c.json")
    with pytest.raises(CommandError, match="--replace"):
        call_command("import_catalogue", str(tmp_path / "c.json"))


def test_import_with_replace_drops_what_the_file_does_not_hold(catalogue, tmp_path):
    export_catalogue(destination=tmp_path / "c.json")
    extra = JobFactory(name="ajouté après l’export")
    import_catalogue(path=tmp_path / "c.json", replace=True)
    assert not Job.objects.filter(pk=extra.pk).exists()
    # The import history stays; its conflicts pointed to replaced rows and went with them.
    assert ImportRun.objects.count() == 1
    assert ImportConflict.objects.count() == 0


def test_export_leaves_out_the_import_history(catalogue):
    labels = {item["model"] for item in dump_catalogue()["objects"]}
    assert "catalogue.importrun" not in labels
    assert "catalogue.importconflict" not in labels


def test_export_to_standard_output(catalogue, capsys):
    call_command("export_catalogue", "-")
    document = json.loads(capsys.readouterr().out)
    assert document["format"] == "orientation-catalogue"


# --- Bad files: refused in French, nothing changed -------------------------------------------------


def snapshot() -> dict:
    return content(dump_catalogue())


def write(tmp_path: Path, document, name: str = "c.json") -> Path:
    path = tmp_path / name
    path.write_text(document if isinstance(document, str) else json.dumps(document, default=str), encoding="utf-8")
    return path


def valid_document() -> dict:
    return json.loads(json.dumps(dump_catalogue(), default=str))


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda tmp, doc: write(tmp, "pas du json {"), "n’est pas un JSON valide"),
        (lambda tmp, doc: write(tmp, json.dumps(doc)[:-200]), "n’est pas un JSON valide"),
        (lambda tmp, doc: write(tmp, []), "n’est pas un export du catalogue"),
        (lambda tmp, doc: write(tmp, {**doc, "format": "autre"}), "n’est pas un export du catalogue"),
        (lambda tmp, doc: write(tmp, {**doc, "version": 99}), "format 99"),
        (lambda tmp, doc: write(tmp, {**doc, "migrations": ["0001_initial"]}), "autre schéma"),
        (lambda tmp, doc: write(tmp, {**doc, "objects": doc["objects"][:-1]}), "est incomplet"),
        (
            lambda tmp, doc: write(
                tmp,
                {
                    **doc,
                    "objects": [
                        *doc["objects"],
                        {"model": "auth.user", "pk": 99, "fields": {"username": "intrus", "is_superuser": True}},
                    ],
                    "counts": {**doc["counts"], "auth.user": 1},
                },
            ),
            "ne font pas partie du catalogue",
        ),
        (lambda tmp, doc: tmp / "absent.json", "Fichier introuvable"),
        (lambda tmp, doc: tmp, "est un dossier"),
    ],
    ids=[
        "not-json",
        "truncated",
        "not-an-object",
        "other-format",
        "other-version",
        "other-schema",
        "missing-object",
        "foreign-model",
        "missing-file",
        "directory",
    ],
)
def test_a_bad_file_is_refused_and_changes_nothing(catalogue, tmp_path, make, message):
    before = snapshot()
    path = make(tmp_path, valid_document())
    with pytest.raises(CommandError, match=message) as error:
        call_command("import_catalogue", str(path), "--replace")
    assert "Import refusé, rien n’a été modifié." in str(error.value)
    assert snapshot() == before
    from django.contrib.auth import get_user_model

    assert not get_user_model().objects.filter(username="intrus").exists()


def _edit(document: dict, label: str, change) -> dict:
    for item in document["objects"]:
        if item["model"] == label:
            change(item)
            break
    return document


@pytest.mark.parametrize(
    ("label", "change", "message"),
    [
        ("catalogue.job", lambda item: item["fields"].update(slug="pas un slug !"), "slug"),
        ("catalogue.job", lambda item: item["fields"].update(onisep_id="MET-12"), "onisep_id"),
        ("catalogue.job", lambda item: item["fields"].update(publication_status="perdu"), "publication_status"),
        ("catalogue.job", lambda item: item["fields"].update(access_level=999_999), "incohérents"),
        ("catalogue.job", lambda item: item["fields"].update(trainings=[999_999]), "incohérents|ne peut pas être lu"),
        ("catalogue.job", lambda item: item["fields"].update(updated_at="hier"), "ne peut pas être lu"),
        ("catalogue.job", lambda item: item["fields"].update(inconnu=1), "ne peut pas être lu"),
        ("catalogue.appellation", lambda item: item["fields"].update(job=999_999), "incohérents"),
    ],
    ids=[
        "bad-slug",
        "bad-onisep-id",
        "bad-choice",
        "missing-level",
        "missing-training",
        "bad-date",
        "unknown-field",
        "orphan-appellation",
    ],
)
def test_an_invalid_row_is_refused_and_changes_nothing(catalogue, tmp_path, label, change, message):
    before = snapshot()
    path = write(tmp_path, _edit(valid_document(), label, change))
    with pytest.raises(CatalogueFileError, match=message):
        import_catalogue(path=path, replace=True)
    assert snapshot() == before


def test_import_cleans_rich_text_with_the_admin_allow_list(catalogue, tmp_path):
    document = _edit(
        valid_document(),
        "catalogue.job",
        lambda item: item["fields"].update(
            presentation='<p onclick="alert(1)">Texte<script>alert(2)</script></p><iframe src="x"></iframe>'
        ),
    )
    import_catalogue(path=write(tmp_path, document), replace=True)
    presentation = Job.objects.order_by("pk").first().presentation
    assert presentation == "<p>Texte</p>"


def test_import_keeps_rich_text_that_the_allow_list_keeps_whole(catalogue, tmp_path):
    """ONISEP imports store U+00A0 where the sanitizer writes &nbsp;: the round trip keeps it as stored."""
    link = '<a href="https://example.org" rel="noopener noreferrer nofollow">x</a>'
    text = f"<p>Bac\u00a0+\u00a02 : «\u00a0l’accès\u00a0» &amp; {link}</p>"
    Job.objects.filter(pk=catalogue.pk).update(presentation=text)
    export_catalogue(destination=tmp_path / "c.json")
    import_catalogue(path=tmp_path / "c.json", replace=True)
    assert Job.objects.get(pk=catalogue.pk).presentation == text


class Attributes(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        self.found += [(tag, name, value) for name, value in attrs]


@pytest.mark.parametrize(
    "hostile",
    [
        '<a title=\'" onmouseover="alert(1)\' href="https://example.org">x</a>',
        '<a href="java&#115;cript:alert(1)">x</a>',
        "<p>&lt;b&gt;<b>gras</b><img src=x onerror=alert(1)></p>",
    ],
)
def test_import_cleans_rich_text_that_would_only_look_kept(catalogue, tmp_path, hostile):
    document = _edit(valid_document(), "catalogue.job", lambda item: item["fields"].update(presentation=hostile))
    import_catalogue(path=write(tmp_path, document), replace=True)
    parser = Attributes()
    parser.feed(Job.objects.order_by("pk").first().presentation)
    for tag, name, value in parser.found:
        assert tag in {"a", "p", "b"}
        assert not name.startswith("on")
        assert not (value or "").lower().startswith("javascript")


def test_accounts_and_groups_are_kept_by_an_import(catalogue, tmp_path, counsellor):
    groups = list(counsellor.groups.values_list("name", flat=True))
    export_catalogue(destination=tmp_path / "c.json")
    import_catalogue(path=tmp_path / "c.json", replace=True)
    counsellor.refresh_from_db()
    assert list(counsellor.groups.values_list("name", flat=True)) == groups == ["Validateurs"]
    assert Group.objects.count() == 3  # the three roles, untouched
