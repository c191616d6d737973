"""A job list page weighs under 100 KB over the wire (HTML, CSS and JavaScript, compressed), and every
file comes from the site itself.

Measured in Chromium: every response the page received, counted as gzip would send it. The test
server sends files uncompressed, so each body is gzip-compressed here (level 6); in production
WhiteNoise sends its own pre-compressed copies (Brotli or gzip level 9, no larger) and the reverse
proxy compresses the HTML.
"""

from urllib.parse import urlsplit

import pytest

from tests.browser.support import Transfer, gzip_size

pytestmark = [pytest.mark.browser, pytest.mark.django_db, pytest.mark.xdist_group("browser")]

BUDGET = 100 * 1000


def load(page, path: str) -> tuple[list[Transfer], list[str]]:
    """Everything the browser fetched to show `path` (scripts run), and every address it asked for."""
    asked: list[str] = []
    received: list = []
    page.on("request", lambda request: asked.append(request.url))
    page.on("response", lambda response: received.append(response))
    page.goto(path, wait_until="networkidle")
    transfers = []
    for response in received:
        body = response.body()
        transfers.append(
            Transfer(
                url=response.url,
                content_type=response.headers.get("content-type", ""),
                size=len(body),
                gzip_size=gzip_size(body),
            )
        )
    return transfers, asked


@pytest.mark.parametrize("path_kind", ["job-list", "job-list-search"])
def test_job_list_weighs_under_100_kb_compressed_all_from_the_site(page, live_url, demo_urls, path_kind):
    transfers, asked = load(page, demo_urls[path_kind])

    kinds = {transfer.content_type.split(";")[0] for transfer in transfers}
    assert {"text/html", "text/css"} <= kinds
    assert kinds & {"text/javascript", "application/javascript"}  # the scripts are counted too
    assert [url for url in asked if urlsplit(url).netloc != urlsplit(live_url).netloc] == []
    total = sum(transfer.gzip_size for transfer in transfers)
    assert total < BUDGET, "\n".join(f"{t.gzip_size:>7} {t.url}" for t in transfers)
    # The navigation entry agrees with what was counted: the HTML is the page asked for.
    assert transfers[0].url.startswith(live_url + "/metiers/")
    assert page.evaluate("() => performance.getEntriesByType('navigation')[0].decodedBodySize") == transfers[0].size
