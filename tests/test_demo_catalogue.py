"""The demo catalogue (`demo/sheets`): it imports cleanly, covers the vocabularies, and matches ONISEP."""

import xml.etree.ElementTree as ET
import zipfile
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models import Count, Q

from catalogue.importers.sheets import parse_sheet
from catalogue.models import AccessLevel, ImportKind, ImportRun, Interest, Job, RelatedJob, Status, Training

pytestmark = pytest.mark.django_db

DEMO_SHEETS = Path(__file__).resolve().parent.parent / "demo" / "sheets"
JOBS_EXPORT = Path("onisep") / "Onisep_Ideo_Fiches_metiers_25062024.zip"
# The reference sheet (a copy of ../shared/seeds/MET.8063.md) comes from a later ONISEP export:
# neither its job nor four of its trainings are in the 2024 export kept in ../shared/data.
REFERENCE_SHEET = "MET.8063"


def import_demo() -> tuple[str, ImportRun]:
    out = StringIO()
    call_command("import_sheets", str(DEMO_SHEETS), stdout=out, stderr=out)
    return out.getvalue(), ImportRun.objects.filter(kind=ImportKind.SHEETS).latest("pk")


@pytest.fixture
def demo() -> str:
    output, _run = import_demo()
    return output


def test_demo_sheets_import_without_error_or_warning():
    output, run = import_demo()

    assert run.counts["created"] == len(list(DEMO_SHEETS.glob("*.md")))
    assert run.counts["errors"] == 0
    assert run.counts["warnings"] == 0
    assert "Avertissement" not in output


def test_second_import_of_the_demo_changes_nothing():
    _output, first = import_demo()
    output, second = import_demo()

    assert second.pk != first.pk
    assert second.counts["created"] == 0
    assert second.counts["updated"] == 0
    assert second.counts["unchanged"] == first.counts["created"]
    assert f"{first.counts['created']} inchangées" in output


def test_demo_holds_the_reference_sheet_and_at_least_twenty_other_jobs(demo):
    assert Job.objects.count() >= 21
    reference = Job.objects.get(onisep_id=REFERENCE_SHEET)
    assert reference.name == "technicien/ne de production en biologie"


def test_demo_holds_the_nurse_sheet_under_its_onisep_id(demo):
    nurse = Job.objects.get(onisep_id="MET.38")
    assert nurse.name == "infirmier/ère"
    assert (nurse.feminine_name, nurse.masculine_name) == ("infirmière", "infirmier")


def test_demo_uses_every_interest(demo):
    unused = Interest.objects.filter(jobs__isnull=True).values_list("name", flat=True)
    assert list(unused) == []
    assert Interest.objects.count() == 27


def test_demo_spreads_over_access_levels_and_statuses(demo):
    assert AccessLevel.objects.filter(jobs__isnull=False).distinct().count() >= 6
    assert Status.objects.filter(jobs__isnull=True).count() == 0


def test_every_demo_job_has_gendered_names_a_presentation_and_a_training(demo):
    incomplete = Job.objects.filter(
        Q(feminine_name="") | Q(masculine_name="") | Q(presentation="") | Q(trainings__isnull=True)
    )
    assert list(incomplete.values_list("onisep_id", flat=True)) == []


def test_demo_has_fuller_sheets(demo):
    fuller = Job.objects.exclude(
        Q(nature_of_work="")
        | Q(skills="")
        | Q(working_conditions="")
        | Q(access="")
        | Q(career="")
        | Q(starting_salary="")
    )
    assert fuller.count() >= 8
    assert Job.objects.filter(appellations__isnull=False).distinct().count() >= 5
    assert Job.objects.filter(rome_codes__isnull=False).distinct().count() >= 5


def test_demo_jobs_have_sectors_and_shared_trainings(demo):
    assert Job.objects.filter(sectors__isnull=False).distinct().count() >= 20
    shared = Training.objects.annotate(job_count=Count("jobs")).filter(job_count__gte=2)
    assert shared.count() >= 3


def test_demo_related_jobs_link_to_demo_jobs_and_keep_other_labels(demo):
    linked = RelatedJob.objects.filter(target__isnull=False)
    kept = RelatedJob.objects.filter(target__isnull=True)

    assert linked.filter(job__onisep_id="MET.38", target__onisep_id="MET.415").exists()
    assert linked.count() > kept.count()
    label = kept.get(job__onisep_id="MET.38")
    assert (label.target_onisep_id, label.target_name) == ("MET.561", "aide-soignant/e")
    assert not Job.objects.filter(onisep_id=label.target_onisep_id).exists()


# -- against the real export


def export_links(zip_path: Path) -> dict[str, dict[str, set[str]]]:
    """For every job of the export: the identifiers of its trainings and related jobs."""
    jobs: dict[str, dict[str, set[str]]] = {}
    with zipfile.ZipFile(zip_path) as archive:
        (name,) = [name for name in archive.namelist() if name.endswith(".xml")]
        with archive.open(name) as stream:
            for _event, element in ET.iterparse(stream):
                if element.tag != "metier":
                    continue
                jobs[element.findtext("identifiant", "").strip()] = {
                    "trainings": {
                        node.findtext("id", "").strip()
                        for node in element.iterfind("formations_min_requise/formation_min_requise")
                    },
                    "related": {
                        node.findtext("id", "").strip() for node in element.iterfind("metiers_associes/metier_associe")
                    },
                }
                element.clear()
    return jobs


def test_demo_identifiers_are_real_onisep_identifiers(shared_data):
    export = export_links(shared_data / JOBS_EXPORT)
    assert len(export) == 928

    checked = 0
    for path in sorted(DEMO_SHEETS.glob("*.md")):
        sheet = parse_sheet(path.read_text(encoding="utf-8"), source_name=path.name)
        assert sheet.errors == []
        assert path.stem == sheet.onisep_id
        if sheet.onisep_id == REFERENCE_SHEET:
            continue
        assert sheet.onisep_id in export, path.name
        links = export[sheet.onisep_id]
        assert {ref.onisep_id for ref in sheet.trainings} <= links["trainings"], path.name
        assert {ref.onisep_id for ref in sheet.related} <= links["related"], path.name
        checked += 1
    assert checked >= 20
