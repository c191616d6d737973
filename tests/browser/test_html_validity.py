"""The Nu Html Checker (vnu.jar, from the npm registry, on Java 17) on the HTML the live server sends for
every kind of public page: no error. One Java run checks every page (the JVM takes seconds to start)."""

import json
import shutil
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.browser import support

pytestmark = [pytest.mark.browser, pytest.mark.django_db, pytest.mark.xdist_group("browser")]

PAGES = support.PAGE_KINDS
# A page with known errors, checked in the same run: proves the checker runs and its report is read.
BROKEN = '<!DOCTYPE html><html lang="fr"><head><title>x</title></head><body><p><div>bloc</div></p></body></html>'


def fetch(url: str) -> bytes:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.read()
    except urllib.error.HTTPError as error:  # the 404 page is a page too
        return error.read()


@pytest.fixture(scope="module")
def vnu_messages(live_url, demo_urls, tmp_path_factory) -> dict[str, list[dict]]:
    """The checker's errors for each page kind (and for BROKEN), from one run over files."""
    support.skip_page_checks_off_sqlite(__name__)
    support.require(support.missing_tools(vnu=True))
    folder: Path = tmp_path_factory.mktemp("vnu")
    files = {}
    for kind in PAGES:
        files[kind] = folder / f"{kind}.html"
        files[kind].write_bytes(fetch(live_url + demo_urls[kind]))
    files["broken"] = folder / "broken.html"
    files["broken"].write_text(BROKEN, encoding="utf-8")
    result = subprocess.run(
        [shutil.which("java") or "java", "-jar", str(support.VNU_JAR), "--errors-only", "--format", "json", "--stdout"]
        + [str(path) for path in files.values()],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    report = json.loads(result.stdout)
    messages: dict[str, list[dict]] = {kind: [] for kind in files}
    for message in report["messages"]:
        # "file:/tmp/.../job.html"; a message without a page would be the checker itself failing.
        kind = Path(message.get("url", "")).stem
        assert kind in messages, message
        messages[kind].append(message)
    return messages


def describe(messages: list[dict]) -> str:
    return "\n".join(f"line {m.get('lastLine')}: {m['message']} {m.get('extract', '')!r}" for m in messages)


@pytest.mark.parametrize("kind", PAGES)
def test_public_page_is_valid_html(vnu_messages, kind):
    assert vnu_messages[kind] == [], describe(vnu_messages[kind])


def test_checker_reports_invalid_html(vnu_messages):
    assert any("No “p” element in scope" in message["message"] for message in vnu_messages["broken"])
