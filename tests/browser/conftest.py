"""Fixtures of the browser tests: one database, one live server and one Chromium for the whole package.

- The test database gets the demo catalogue once (plus three nurses and a counsellor, see support.py).
  Its state before is serialized and put back when the package ends (flush + reload, as Django's
  `serialized_rollback` does), so the other test modules of the same pytest worker never see this data.
- Every test is marked `django_db`, so that pytest-django creates the test database even when this
  package runs alone (each test also runs in a transaction, rolled back: on SQLite, whose in-memory
  test database is one connection shared with the server, what a test writes through the browser is
  undone after it; on PostgreSQL it stays until the package ends).
- Every test module is marked `xdist_group("browser")`: with `pytest -n 2 --dist loadgroup` the whole
  package runs in one worker, so the load, the server and the browser are set up once.
- Without Chromium, the playwright package or node_modules the tests are skipped, with the reason;
  under CI (`CI` set) a missing tool is an error instead, so that a broken install never passes as green.
"""

import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser import support


@pytest.fixture(scope="package")
def browser_tools() -> None:
    support.require(support.missing_tools())


def is_test_database(name: str) -> bool:
    """Django's test database names: in-memory SQLite, or "test_" + the name (+ "_gw0" under xdist)."""
    return "mode=memory" in name or name == ":memory:" or Path(name).name.startswith("test_")


@pytest.fixture(scope="package")
def demo_database(chromium, django_db_setup, django_db_blocker) -> Iterator[None]:
    """The demo catalogue, committed, for the live server's threads to read; the database restored after."""
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connections
    from django.test import override_settings

    with django_db_blocker.unblock():
        for connection in connections.all():
            if not is_test_database(connection.settings_dict["NAME"]):
                pytest.fail(f"Not a test database: {connection.settings_dict['NAME']} (mark the tests django_db).")
        before = {connection.alias: connection.creation.serialize_db_to_string() for connection in connections.all()}
        # The same plain static storage and fast hashing as tests/conftest.py, for the whole package.
        with override_settings(
            STORAGES={
                "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
                "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
            },
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        ):
            support.load_demo(io.StringIO())
            try:
                yield
            finally:
                for connection in connections.all():
                    call_command(
                        "flush", database=connection.alias, interactive=False, verbosity=0, inhibit_post_migrate=True
                    )
                    connection.creation.deserialize_db_from_string(before[connection.alias])
                connections.close_all()
                cache.clear()


@pytest.fixture(scope="package")
def live_server_thread(demo_database) -> Iterator[support.LiveServer]:
    server = support.LiveServer()
    yield server
    server.stop()


@pytest.fixture(scope="package")
def live_url(live_server_thread) -> str:
    """The address of the live server (http://127.0.0.1:port), serving the demo catalogue."""
    return live_server_thread.url


@pytest.fixture(scope="package")
def chromium(browser_tools) -> Iterator[Any]:
    """Debian's Chromium, headless, started once for the package, before the database is loaded.

    Playwright's synchronous API leaves an asyncio loop marked as running on this thread. From then on
    Django keeps this thread's database connections per context (asgiref), so they are new objects:
    the demo load, the live server's shared connection and the tests' transactions must all come
    after this, on the same connection. Django would also take the tests' database calls for calls
    from async code: DJANGO_ALLOW_ASYNC_UNSAFE says they are plain synchronous calls.
    """
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=10_000)  # a loaded CI machine runs the rest of the suite beside
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    browser = support.launch_chromium(playwright)
    try:
        yield browser
    finally:
        browser.close()
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _new_page(chromium: Any, live_url: str, **context_options: Any) -> Iterator[Any]:
    """A Playwright page in a new context whose `base_url` is the live server (`page.goto("/metiers/")`).

    `page.errors` collects console errors and uncaught exceptions (a Content-Security-Policy refusal
    is one): the journeys assert it stays empty.
    """
    context = chromium.new_context(locale="fr-FR", base_url=live_url, **context_options)
    # axe-core is served at an address of the site's own origin, so that the strict
    # Content-Security-Policy (scripts from 'self' only) lets it in like any site script.
    context.route(live_url + support.AXE_ROUTE, lambda route: route.fulfill(path=support.AXE_JS))
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.errors = []
    page.on("console", lambda message: message.type == "error" and page.errors.append(message.text))
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def page(chromium, live_url) -> Iterator[Any]:
    """A fresh desktop page (1280 px wide)."""
    yield from _new_page(chromium, live_url, viewport=support.DESKTOP)


@pytest.fixture
def phone_page(chromium, live_url) -> Iterator[Any]:
    """A fresh phone page: 375 × 812, touch."""
    yield from _new_page(chromium, live_url, viewport=support.PHONE, is_mobile=True, has_touch=True)


@pytest.fixture(scope="package", autouse=True)
def browser_environment(live_url) -> None:
    """Database, server and browser before any test's own fixtures (the per-test transaction included)."""


@pytest.fixture(autouse=True)
def _page_checks_on_sqlite_only(request) -> None:
    support.skip_page_checks_off_sqlite(request.node.module.__name__)


@pytest.fixture(scope="package")
def demo_urls(live_url) -> dict[str, str]:
    """One address of every public page kind, from the demo catalogue."""
    from catalogue.models import Interest, Job, Training

    job = Job.objects.get(onisep_id="MET.38")
    training = Training.objects.get(onisep_id=support.NURSING_TRAINING)
    interest = Interest.objects.get(slug=support.NURSING_INTEREST)
    return {
        "home": "/",
        "job-list": "/metiers/",
        "job-list-search": "/metiers/?q=infirmiere&interest=je-veux-etre-utile-aux-autres&level=bac-5",
        "job-list-empty": "/metiers/?q=infirmiere&level=cap-ou-equivalent",
        "job": job.get_absolute_url(),
        "training-list": "/formations/",
        "training": training.get_absolute_url(),
        "interest-list": "/centres-interet/",
        "interest": interest.get_absolute_url(),
        "accessibility": "/accessibilite/",
        "legal-notice": "/mentions-legales/",
        "sources": "/sources-et-licences/",
        "not-found": "/metiers/ce-metier-n-existe-pas/",
    }


@pytest.fixture(scope="package")
def counsellor_session(chromium, live_url) -> dict:
    """The cookies of a counsellor logged in once through the admin's login form."""
    pages = _new_page(chromium, live_url, viewport=support.DESKTOP)
    page = next(pages)
    support.log_in(page)
    state = page.context.storage_state()
    pages.close()
    return state


@pytest.fixture
def admin_page(chromium, live_url, counsellor_session) -> Iterator[Any]:
    """A desktop page logged in to the admin as the test counsellor."""
    yield from _new_page(chromium, live_url, viewport=support.DESKTOP, storage_state=counsellor_session)
