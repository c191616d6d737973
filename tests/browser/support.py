"""What the browser tests and `make screenshots` share: where the tools are, how Chromium starts, the
live server, and the test data added to the demo catalogue.

Chromium is Debian's (`/usr/bin/chromium`, installed with apt): Playwright never downloads a browser.
axe-core and the Nu Html Checker come from the npm registry (`npm ci`, see package.json).
"""

import gzip
import io
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the tests are then skipped (or failed under CI) by require(), with the reason
    expect = None

REPO_DIR = Path(__file__).resolve().parents[2]
DEMO_SHEETS = REPO_DIR / "demo" / "sheets"
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
NODE_MODULES = REPO_DIR / "node_modules"
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
# The address (on the site's own origin) where the tests serve axe-core to the page, see run_axe().
AXE_ROUTE = "/__tests__/axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# The flags this machine needs: no sandbox as root, and no background connections (the network is
# closed: Chromium would otherwise keep trying to reach Google's services).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 812}
SMALLEST_PHONE = {"width": 320, "height": 640}

# Every kind of public page, as named by the page fixtures: checked by axe, vnu, structure and phone tests.
PAGE_KINDS = [
    "home",
    "job-list",
    "job-list-search",
    "job-list-empty",
    "job",
    "training-list",
    "training",
    "interest-list",
    "interest",
    "accessibility",
    "legal-notice",
    "sources",
    "not-found",
]

# The demo counsellor of the browser tests (a throwaway test database only).
COUNSELLOR_USERNAME = "conseillere-navigateur"
COUNSELLOR_PASSWORD = "Orientation-navigateur-2026"

# The demo has a single nurse: the student's journey needs a search that fills two pages and a training
# that leads to several jobs. These are real jobs open after the "Diplôme d'État d'infirmier".
NURSING_JOBS = [
    ("infirmier/ère puériculteur/trice", "infirmière puéricultrice", "infirmier puériculteur", "bac-4"),
    ("infirmier/ère anesthésiste", "infirmière anesthésiste", "infirmier anesthésiste", "bac-5"),
    ("infirmier/ère de bloc opératoire", "infirmière de bloc opératoire", "infirmier de bloc opératoire", "bac-5"),
]
NURSING_TRAINING = "FOR.2378"  # Diplôme d'État d'infirmier
NURSING_INTEREST = "je-veux-etre-utile-aux-autres"


def missing_tools(*, vnu: bool = False) -> list[str]:
    """What the browser tests need and this machine lacks, in words for a skip message."""
    missing = []
    if not CHROMIUM.exists():
        missing.append(f"Chromium ({CHROMIUM}; apt-get install chromium)")
    for package in ("playwright", "pypdf"):
        try:
            __import__(package)
        except ImportError:
            missing.append(f"the Python package {package} (pip install -r requirements-dev.txt)")
    if not AXE_JS.exists():
        missing.append("node_modules/axe-core (npm ci)")
    if vnu:
        if not VNU_JAR.exists():
            missing.append("node_modules/vnu-jar (npm ci)")
        if shutil.which("java") is None:
            missing.append("Java 17 (the Nu Html Checker runs on it)")
    return missing


def require(missing: list[str]) -> None:
    if not missing:
        return
    reason = "Browser tests need " + ", ".join(missing) + "."
    if os.environ.get("CI"):
        pytest.fail(reason + " CI must install them (.ci/run).", pytrace=False)
    pytest.skip(reason)


def launch_chromium(playwright: Any) -> Any:
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)


def load_demo(stdout: io.StringIO | None = None, *, nurses: bool = True) -> None:
    """The demo catalogue, three more nurses (`nurses`) and the test counsellor, through the services."""
    from django.core.management import call_command

    from catalogue.models import AccessLevel, Interest, Job, Training
    from catalogue.services.accounts import save_counsellor
    from catalogue.services.slugs import unique_slug
    from tests.factories import JobFactory

    call_command("import_sheets", str(DEMO_SHEETS), stdout=stdout or io.StringIO())
    training = Training.objects.get(onisep_id=NURSING_TRAINING)
    interest = Interest.objects.get(slug=NURSING_INTEREST)
    for number, (name, feminine, masculine, level) in enumerate(NURSING_JOBS if nurses else [], start=1):
        JobFactory(
            name=name,
            slug=unique_slug(Job, name),
            onisep_id=f"MET.{99000 + number}",
            feminine_name=feminine,
            masculine_name=masculine,
            presentation=f"<p>Une infirmière ou un infirmier spécialisé : {name}.</p>",
            summary="<p>Après le diplôme d’État d’infirmier, une spécialisation.</p>",
            access_level=AccessLevel.objects.get(slug=level),
            interests=[interest],
            trainings=[training],
        )
    save_counsellor(username=COUNSELLOR_USERNAME, password=COUNSELLOR_PASSWORD)


class LiveServer:
    """Django's live server thread (the one LiveServerTestCase uses), static files served from the finders.

    An in-memory SQLite test database is one connection shared with the server's threads, as
    LiveServerTestCase does; other databases get one connection per request thread.
    """

    host = "127.0.0.1"

    def __init__(self) -> None:
        from django.contrib.staticfiles.handlers import StaticFilesHandler
        from django.db import connections
        from django.test.testcases import LiveServerThread

        self.shared = {
            connection.alias: connection
            for connection in connections.all()
            if connection.vendor == "sqlite" and connection.is_in_memory_db()
        }
        for connection in self.shared.values():
            connection.ensure_connection()
            connection.inc_thread_sharing()
        self.thread = LiveServerThread(self.host, StaticFilesHandler, connections_override=self.shared)
        self.thread.daemon = True
        self.thread.start()
        self.thread.is_ready.wait()
        if self.thread.error:
            raise self.thread.error

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.thread.port}"

    def stop(self) -> None:
        self.thread.terminate()
        for connection in self.shared.values():
            connection.dec_thread_sharing()


def run_axe(page: Any, *, exclude: tuple[str, ...] = ()) -> list[dict]:
    """axe-core's WCAG 2.1 A and AA violations on the page as it is now (`exclude`: CSS selectors).

    The script is added as <script src> from the site's own origin (the context routes AXE_ROUTE to
    node_modules), so the page's Content-Security-Policy stays as strict as in production.
    """
    if not page.evaluate("() => Boolean(window.axe)"):
        origin = page.evaluate("() => window.location.origin")
        page.add_script_tag(url=origin + AXE_ROUTE)
    return page.evaluate(
        """async ({exclude, tags}) => {
            const context = exclude.length ? {exclude: exclude.map((selector) => [selector])} : document;
            const results = await axe.run(context, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
            return results.violations.map((violation) => ({
                id: violation.id,
                impact: violation.impact,
                help: violation.help,
                nodes: violation.nodes.map((node) => ({target: node.target.join(" "), html: node.html.slice(0, 200),
                                                       summary: node.failureSummary})),
            }));
        }""",
        {"exclude": list(exclude), "tags": AXE_TAGS},
    )


def describe_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {node['target']}: {node['html']}\n      {node['summary']}")
    return "\n".join(lines)


@dataclass
class Transfer:
    """One response as a browser received it: its address, type and body size (raw and gzip-compressed)."""

    url: str
    content_type: str
    size: int
    gzip_size: int


def gzip_size(body: bytes) -> int:
    """Bytes on the wire once gzip-compressed (level 6, what a reverse proxy or WhiteNoise would send)."""
    return len(gzip.compress(body, compresslevel=6, mtime=0))


def log_in(page: Any) -> None:
    """Log in to the admin through its form, as the test counsellor."""
    page.goto("/admin/login/?next=/admin/")
    page.get_by_label("Nom d’utilisateur").fill(COUNSELLOR_USERNAME)
    page.get_by_label("Mot de passe").fill(COUNSELLOR_PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    page.wait_for_url("**/admin/")


# The journeys go through the database's own code paths (search, admin saves): they run on every
# database. The page checks (axe, HTML, keyboard, phones, print, weight) test the markup, which the
# database does not change: on PostgreSQL they are skipped to keep `make test` short.
EVERY_DATABASE = {"test_student_journey", "test_counsellor_journey", "test_concurrent_edit", "test_gender_proposal"}


def skip_page_checks_off_sqlite(module_name: str) -> None:
    from django.db import connection

    module = module_name.rsplit(".", 1)[-1]
    if (
        connection.vendor != "sqlite"
        and module not in EVERY_DATABASE
        and not os.environ.get("BROWSER_CHECKS_ON_EVERY_DATABASE")
    ):
        pytest.skip(
            "Page checks run on SQLite only: they test the markup, not the database (the journeys run on "
            "every database; BROWSER_CHECKS_ON_EVERY_DATABASE=1 runs them all)."
        )
