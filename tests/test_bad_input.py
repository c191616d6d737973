"""Bad input never hurts: hostile addresses, query strings, rich text and files.

1. Every public address, with NUL bytes, invalid UTF-8 and percent-encoding, unknown slugs, odd page
   numbers, repeated and 10,000-character values, full-text operators and 1,000 parameters: a page
   (200, a redirect) or a French 400/404 page, never a 5xx. Plus a hypothesis test on the job list.
2. Rich text entered through the admin, the sheet importer, the ONISEP importer and import_catalogue:
   script tags, event handlers, javascript: URLs, style attributes, SVG and iframes come out inert.
3. Import commands given bad files: a non-zero exit, a French message, an unchanged catalogue.
"""

import json
import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from unittest import mock
from urllib.parse import quote, quote_from_bytes, urlencode

import pytest
from django.core.management import CommandError, ManagementUtility, call_command
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from catalogue.importers.onisep import import_onisep
from catalogue.importers.sheets import import_sheets
from catalogue.models import Interest, Job
from catalogue.services.backup import dump_catalogue, export_catalogue, import_catalogue
from tests.factories import JobFactory, TrainingFactory, interest
from tests.html_forms import form_values

pytestmark = pytest.mark.django_db

TEST_DATA = Path(__file__).resolve().parent / "data"
ONISEP_JOBS = TEST_DATA / "onisep" / "Onisep_Ideo_Fiches_metiers_25062024.xml"
ALLOWED_STATUSES = {200, 301, 302, 400, 404, 410}
FRENCH_ERROR_TITLES = {400: "Requête incorrecte", 404: "Page introuvable", 410: "n’est plus"}


@pytest.fixture
def site():
    """A published job, training and interest, so that every detail page exists."""
    training = TrainingFactory(name="BTS services informatiques", slug="bts-services-informatiques")
    job = JobFactory(
        name="développeur/euse informatique",
        slug="developpeur-euse-informatique",
        interests=[interest("T-IDEO2.4825")],
        trainings=[training],
    )
    return {"job": job, "training": training, "interest": Interest.objects.get(onisep_id="T-IDEO2.4825")}


def pages(site) -> dict[str, str]:
    return {
        "home": "/",
        "job list": "/metiers/",
        "job page": site["job"].get_absolute_url(),
        "training list": "/formations/",
        "training page": site["training"].get_absolute_url(),
        "interest list": "/centres-interet/",
        "interest page": site["interest"].get_absolute_url(),
        "health": "/healthz",
        "legal notice": "/mentions-legales/",
        "sources": "/sources-et-licences/",
        "accessibility": "/accessibilite/",
        "404": "/cette-page-nexiste-pas/",
    }


# --- 1. Hostile addresses ----------------------------------------------------------------------------

FULL_TEXT_OPERATORS = [
    "&",
    "|",
    "!",
    ":",
    "*",
    "(",
    ")",
    "'",
    "a & b",
    "!a",
    "a:*",
    "a | !b",
    "((a",
    "'a'",
    "a <-> b",
    "\\",
]
LONG = "a" * 10_000

# Raw query strings, already percent-encoded (or deliberately broken).
QUERIES = [
    "page=abc",
    "page=-1",
    "page=0",
    "page=99999999999999999999999999",
    "page=1e3",
    "page=%00",
    "page=",
    "page=1&page=2&page=abc",
    "page=" + "9" * 10_000,
    "q=%00",
    "q=a%00b",
    "q=%FF%FE%FD",
    "q=%C3%28",
    "q=%zz%",
    "q=%",
    "q=" + LONG,
    "q=" + quote("mot " * 2_500),
    *("q=" + quote(operator) for operator in FULL_TEXT_OPERATORS),
    "q=" + quote("".join(FULL_TEXT_OPERATORS)),
    "interest=" + LONG,
    "interest=%00",
    "interest=%FF",
    "interest=a&interest=a&interest=b&interest=",
    "level=%00",
    "level=bac-2&level=cap&level=" + LONG,
    "training=%FF%00",
    "training=" + LONG,
    "status=" + quote("' OR 1=1 --"),
    "sector=" + quote("../../etc/passwd"),
    "sort=%00",
    "sort=name&sort=updated&sort=" + LONG,
    "=&=&&&==",
    "q",
    "%26%3D%3F",
    "&".join(f"p{number}=v" for number in range(1_000)),
    "&".join(f"interest=x{number}" for number in range(1_000)),
    "&".join(f"p{number}=v" for number in range(1_001)),
]
# Replacements for the slug of a detail page.
SLUGS = [
    "inconnu",
    "%00",
    "abc%00def",
    "%C3%28",
    "%FF%FE",
    "%zz",
    "%E2%80%AE",
    quote("métier"),
    "a" * 10_000,
    "..%2F..%2Fetc%2Fpasswd",
]


class PageChecker:
    """Collects every request that did not end in an allowed status or a French error page."""

    def __init__(self, client) -> None:
        self.client = client
        self.failures: list[str] = []

    def check(self, address: str) -> None:
        response = self.client.get(address)
        shown = address if len(address) < 120 else address[:120] + "…"
        if response.status_code not in ALLOWED_STATUSES:
            self.failures.append(f"{response.status_code} {shown}")
            return
        if response.status_code >= 400:
            html = response.content.decode()
            if '<html lang="fr">' not in html or FRENCH_ERROR_TITLES[response.status_code] not in html:
                self.failures.append(f"{response.status_code} without the French page: {shown}")


@pytest.mark.parametrize(
    "page",
    [
        "home",
        "job list",
        "job page",
        "training list",
        "training page",
        "interest list",
        "interest page",
        "health",
        "legal notice",
        "sources",
        "accessibility",
        "404",
    ],
)
def test_hostile_query_strings_never_cause_a_server_error(client, site, page):
    checker = PageChecker(client)
    path = pages(site)[page]
    for query in QUERIES:
        checker.check(f"{path}?{query}")
    assert checker.failures == []


@pytest.mark.parametrize("page", ["job page", "training page", "interest page", "job list", "legal notice", "404"])
def test_hostile_addresses_never_cause_a_server_error(client, site, page):
    checker = PageChecker(client)
    path = pages(site)[page]
    slug = path.rstrip("/").rsplit("/", 1)[-1]
    for bad in SLUGS:
        checker.check(path.replace(slug, bad) if slug else f"/{bad}/")
        checker.check(f"{path.rstrip('/')}/{bad}/")
    assert checker.failures == []


def test_unknown_slugs_get_the_french_404_page(client, site):
    for path in ("/metiers/inconnu/", "/formations/inconnue/", "/centres-interet/inconnu/"):
        response = client.get(path)
        assert response.status_code == 404
        assert "Page introuvable" in response.content.decode()


def test_too_many_parameters_get_the_french_400_page(client, site):
    response = client.get("/metiers/?" + "&".join(f"p{number}=v" for number in range(1_001)))
    assert response.status_code == 400
    assert "Requête incorrecte" in response.content.decode()


def test_odd_page_numbers_show_a_page_of_results(client, site):
    for page in ("abc", "-1", "0", "99999999999999999999999999", "%00"):
        response = client.get(f"/metiers/?page={page}")
        assert response.status_code == 200
        assert f'href="{site["job"].get_absolute_url()}"' in response.content.decode()


# Query strings for the job list: known parameters with anything in them, or raw bytes.
KEYS = st.sampled_from(["q", "page", "interest", "level", "training", "status", "sector", "sort", "x", ""])
TOKENS = st.sampled_from([*FULL_TEXT_OPERATORS, "\x00", "-1", "0", "99999999999999999999", "bac-2", "é", "%", " "])
VALUES = st.one_of(
    st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=40),
    TOKENS,
    st.integers().map(str),
    st.lists(TOKENS, max_size=8).map("".join),
    st.text(alphabet=st.characters(exclude_categories=["Cs"]), min_size=200, max_size=2_000),
)
QUERY_STRINGS = st.one_of(
    st.lists(st.tuples(KEYS, VALUES), max_size=12).map(urlencode),
    st.binary(max_size=300).map(lambda raw: quote_from_bytes(raw, safe="=&%")),
)


@given(query=QUERY_STRINGS)
@hypothesis_settings(
    max_examples=100, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_job_list_never_fails_whatever_the_query_string(client, site, query):
    response = client.get(f"/metiers/?{query}")
    assert response.status_code in ALLOWED_STATUSES, query


# --- 2. Rich text cannot carry script ----------------------------------------------------------------

PAYLOADS = {
    "script": "<script>alert(1)</script>",
    "script-in-paragraph": "<p>Texte<script src=https://evil.example/x.js></script></p>",
    "img-onerror": '<img src=x onerror="alert(1)">',
    "event-handler": '<p onclick="alert(1)" onmouseover=alert(1)>Texte</p>',
    "javascript-url": '<a href="javascript:alert(1)">lien</a>',
    "javascript-url-obfuscated": (
        '<a href="  JaVaScRiPt&#x3A;alert(1)">lien</a><a href="java&#09;script:alert(1)">2</a>'
    ),
    "data-url": '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">lien</a>',
    "vbscript-url": '<a href="vbscript:msgbox(1)">lien</a>',
    "style-attribute": '<p style="background:url(javascript:alert(1));position:fixed">Texte</p>',
    "style-element": "<style>body{display:none}</style><p>Texte</p>",
    "svg": (
        '<svg onload="alert(1)"><script>alert(1)</script><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>'
    ),
    "iframe": '<iframe src="https://evil.example"></iframe><iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "object-embed": '<object data="javascript:alert(1)"></object><embed src="https://evil.example/x.swf">',
    "form": '<form action="https://evil.example"><button formaction="javascript:alert(1)">Envoyer</button></form>',
    "base-meta": '<base href="https://evil.example/"><meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "math-mxss": (
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>"
    ),
    "noscript-mxss": '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    "comment": "<!--<script>alert(1)</script>--><p>Texte</p>",
    "unclosed": '<p><a href="https://example.org" onclick="alert(1)"',
}
FORBIDDEN_ELEMENTS = {
    "iframe", "frame", "frameset", "object", "embed", "applet", "svg", "math", "style", "base", "meta", "form",
    "button", "img", "video", "audio", "noscript", "template",
}  # fmt: skip
# Elements of our own templates that the checks above would otherwise count.
OWN_ELEMENTS = {"meta": ("charset", "name"), "form": ("role",), "button": ("type",)}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "srcdoc", "background", "poster"}


class InertChecker(HTMLParser):
    """Everything on a page that could run script, load foreign content or restyle it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script":
            if not (attributes.get("src") or "").startswith("/static/"):
                self.problems.append(f"script {attrs}")
            self._in_script = True
        if tag in FORBIDDEN_ELEMENTS and not (
            tag in OWN_ELEMENTS and any(name in attributes for name in OWN_ELEMENTS[tag])
        ):
            self.problems.append(f"<{tag}> {attrs}")
        if tag == "link" and not (attributes.get("href") or "").startswith("/static/"):
            self.problems.append(f"<link> {attrs}")
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.problems.append(f"<{tag} {name}={value!r}>")
            if name in URL_ATTRIBUTES and value:
                scheme = re.sub(r"[\x00-\x20]", "", value).lower()
                if scheme.startswith(("javascript:", "vbscript:", "data:")):
                    self.problems.append(f"<{tag} {name}={value!r}>")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.problems.append(f"inline script {data[:60]!r}")


def assert_inert(html: str) -> None:
    checker = InertChecker()
    checker.feed(html)
    checker.close()
    assert checker.problems == []


RICH_FIELDS = [
    "presentation",
    "summary",
    "study_paths",
    "nature_of_work",
    "skills",
    "working_conditions",
    "career",
    "access",
    "other_information",
]


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_rich_text_entered_in_the_admin_comes_out_inert(counsellor_client, client, site, payload):
    job = site["job"]
    change_url = f"/admin/catalogue/job/{job.pk}/change/"
    values = form_values(counsellor_client.get(change_url).content.decode(), "job_form")
    assert "name" in values and "presentation" in values, sorted(values)
    for name in RICH_FIELDS:
        values[name] = [f"<p>Avant</p>{payload}<p>Après</p>"]
    values["starting_salary"] = [payload[:500]]
    values["feminine_name"] = [payload[:255]]
    values["_save"] = ["Enregistrer"]
    response = counsellor_client.post(change_url, values)
    assert response.status_code == 302, response.content.decode()[:3000]
    job.refresh_from_db()
    assert "Avant" in job.presentation and "Après" in job.presentation
    html = client.get(job.get_absolute_url()).content.decode()
    assert "Avant" in html
    assert_inert(html)


def sheet(payload: str) -> str:
    return f"""# technicien/ne d’essai
**ID:** MET.77001

**Appellations:**
- Féminin: technicienne d’essai
- Masculin: technicien d’essai

## Présentation

Avant {payload} après.

## En bref

{payload}

## Nature du travail

            ### Un titre {payload}
            {payload}

## Vie professionnelle

## Salaire
            ### Salaire du débutant
            {payload}
"""


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_rich_text_from_the_sheet_importer_comes_out_inert(client, tmp_path, payload):
    path = tmp_path / "MET.77001.md"
    path.write_text(sheet(payload), encoding="utf-8")
    report = import_sheets([path])
    assert report.ok, report.errors
    job = Job.objects.get(onisep_id="MET.77001")
    html = client.get(job.get_absolute_url()).content.decode()
    assert "Avant" in html
    assert_inert(html)


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_rich_text_from_the_onisep_importer_comes_out_inert(client, tmp_path, payload):
    xml = ONISEP_JOBS.read_text(encoding="utf-8")
    cdata = payload.replace("]]>", "")
    xml, replaced = re.subn(
        r"<accroche_metier><!\[CDATA\[.*?\]\]></accroche_metier>",
        f"<accroche_metier><![CDATA[<p>Avant</p>{cdata}]]></accroche_metier>",
        xml,
        count=1,
        flags=re.DOTALL,
    )
    assert replaced == 1
    xml = re.sub(r"<nature_travail><!\[CDATA\[", f"<nature_travail><![CDATA[{cdata}", xml, count=1)
    path = tmp_path / ONISEP_JOBS.name
    path.write_text(xml, encoding="utf-8")
    import_onisep(jobs_path=path, export_date=date(2024, 6, 25))
    job = Job.objects.get(onisep_id="MET.12")
    job.publication_status = "published"
    job.save(update_fields=["publication_status"])
    html = client.get(job.get_absolute_url()).content.decode()
    assert "Avant" in html
    assert_inert(html)


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_rich_text_from_a_catalogue_file_comes_out_inert(client, site, tmp_path, payload):
    path = tmp_path / "catalogue.json"
    export_catalogue(destination=path)
    document = json.loads(path.read_text(encoding="utf-8"))
    for item in document["objects"]:
        if item["model"] == "catalogue.job":
            for name in RICH_FIELDS:
                item["fields"][name] = f"<p>Avant</p>{payload}"
    path.write_text(json.dumps(document), encoding="utf-8")
    import_catalogue(path=path, replace=True)
    html = client.get(site["job"].get_absolute_url()).content.decode()
    assert "Avant" in html
    assert_inert(html)


def test_the_inert_checker_catches_each_kind_of_payload():
    """The checks above prove something only if raw payloads fail them."""
    for name, payload in PAYLOADS.items():
        if name in {"comment", "unclosed"}:
            continue
        checker = InertChecker()
        checker.feed(payload)
        assert checker.problems, name


# --- 3. Import commands given bad files ---------------------------------------------------------------


def run_command(*argv: str) -> int:
    """Run a management command as `manage.py` does and return its exit status.

    (Without closing the database connections at the end, as manage.py would: the test's
    transaction still needs its connection.)
    """
    try:
        with mock.patch("django.core.management.base.connections.close_all"):
            ManagementUtility(["manage.py", *argv]).execute()
    except SystemExit as exit:
        return exit.code
    return 0


def bad_files(tmp_path: Path) -> dict[str, Path]:
    (tmp_path / "vide").mkdir()
    files = {
        "missing": tmp_path / "absent.md",
        "empty": tmp_path / "vide.md",
        "binary": tmp_path / "binaire.md",
        "latin-1": tmp_path / "latin1.md",
        "empty-folder": tmp_path / "vide",
        "zip-garbage": tmp_path / "Onisep_Ideo_Fiches_metiers_25062024.zip",
        "xml-garbage": tmp_path / "Onisep_Ideo_Fiches_metiers_25062024.xml",
        "csv-garbage": tmp_path / "unix_referentiel_code_rome_v460_utf8.csv",
    }
    files["empty"].write_text("", encoding="utf-8")
    files["binary"].write_bytes(bytes(range(256)) * 4)
    files["latin-1"].write_bytes("# métier\n**ID:** MET.1\n".encode("latin-1"))
    files["zip-garbage"].write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    files["xml-garbage"].write_text("<metiers><metier><identifiant>MET.1", encoding="utf-8")
    files["csv-garbage"].write_text('"a";"b"\n\x00\x00\n', encoding="utf-8")
    return files


@pytest.mark.parametrize(
    ("command", "files"),
    [
        ("import_sheets", ["missing", "empty", "binary", "latin-1"]),
        ("import_rome", ["missing", "empty-folder", "csv-garbage", "binary"]),
        ("import_onisep --jobs", ["missing", "zip-garbage", "xml-garbage", "binary", "empty-folder"]),
        ("import_catalogue", ["missing", "empty", "binary", "empty-folder", "xml-garbage"]),
    ],
)
def test_import_commands_refuse_bad_files_and_change_nothing(site, tmp_path, capsys, command, files):
    paths = bad_files(tmp_path)
    before = dump_catalogue()["objects"]
    for name in files:
        status = run_command(*command.split(), str(paths[name]))
        error = capsys.readouterr().err
        assert status != 0, (command, name)
        assert error.strip(), (command, name)
        assert "Traceback" not in error, (command, name, error)
    assert dump_catalogue()["objects"] == before


@pytest.mark.parametrize("name", sorted(path.name for path in (TEST_DATA / "onisep" / "bad").iterdir()))
def test_onisep_command_refuses_each_broken_export_and_changes_nothing(site, capsys, name):
    before = dump_catalogue()["objects"]
    status = run_command("import_onisep", "--jobs", str(TEST_DATA / "onisep" / "bad" / name))
    assert status != 0
    assert capsys.readouterr().err.strip()
    assert dump_catalogue()["objects"] == before


def test_a_refused_import_says_so_in_french(tmp_path):
    with pytest.raises(CommandError, match="Fichier introuvable"):
        call_command("import_catalogue", str(tmp_path / "absent.json"))
