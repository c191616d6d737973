"""Two application servers, one PostgreSQL: an edit made through one is served by the other.

    DATABASE_URL=postgres://... .venv/bin/python bench/two_servers.py

The database must be migrated (a scratch one is best). The script:
1. creates a counsellor and a published job with random names, through the ORM;
2. starts two gunicorn servers on 127.0.0.1 (free ports, one worker each, production-like settings
   with LOOPBACK_HTTP=1), and waits for their /healthz;
3. logs in to the admin of server A, renames the job with A's change form;
4. reads the job page from server B (anonymous), and the admin of B with the session made on A;
5. deletes what it created (job, account, session, access log, search vocabulary, history) and stops the servers.

It exits 0 when server B serves the edit made through server A and accepts A's session: the
application processes keep no state of their own. tests/test_scale_out.py runs it on the test
database.
"""

import http.cookiejar
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orientation.settings")

from tests.html_forms import FormReader  # noqa: E402


class Browser:
    """A cookie jar and CSRF-aware form posts, over plain HTTP on the loopback interface."""

    def __init__(self, *, follow_redirects: bool = False) -> None:
        self.cookies = http.cookiejar.CookieJar()
        handlers = [urllib.request.HTTPCookieProcessor(self.cookies)]
        self.opener = urllib.request.build_opener(*handlers, *([] if follow_redirects else [NoRedirect()]))

    def get(self, url: str) -> tuple[int, str]:
        return self._open(urllib.request.Request(url))

    def post(self, url: str, fields: list[tuple[str, str]]) -> tuple[int, str]:
        body = urllib.parse.urlencode(fields).encode()
        request = urllib.request.Request(url, data=body, headers={"Referer": url})
        return self._open(request)

    def _open(self, request: urllib.request.Request) -> tuple[int, str]:
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int, secret_key: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "ORIENTATION_ENV": "production",
        "LOOPBACK_HTTP": "1",
        # The same key on every server: sessions and CSRF tokens are signed with it.
        "SECRET_KEY": secret_key,
        "ALLOWED_HOSTS": "127.0.0.1",
        "STATIC_PLAIN": "1",  # no collectstatic needed for this check
        "DEBUG": "0",
    }
    command = [sys.executable, "-m", "gunicorn", "orientation.wsgi:application"]
    command += ["--bind", f"127.0.0.1:{port}", "--workers", "1", "--log-level", "warning"]
    return subprocess.Popen(command, cwd=REPO_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def wait_until_healthy(base: str, server: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"{base} stopped: {server.stderr.read().decode()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{base} did not answer /healthz within {timeout:.0f} s")


def main() -> int:
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model

    from catalogue.models import Job, PublicationStatus
    from catalogue.services.accounts import save_counsellor
    from catalogue.services.search import refresh_search_text

    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        print("DATABASE_URL must point to PostgreSQL (a scratch, migrated database).", file=sys.stderr)
        return 2

    from axes.models import AccessAttempt, AccessLog
    from django.contrib.sessions.models import Session
    from django.db.models import Max
    from reversion.models import Revision

    from catalogue.models.search import SearchWord

    # Rows the run adds besides its job and its account (the admin's save adds search vocabulary and
    # a revision of the history, the login an access log): everything above these keys is deleted at the end.
    created_after = {
        model: model.objects.aggregate(last=Max("pk"))["last"] or 0
        for model in (SearchWord, AccessLog, AccessAttempt, Revision)
    }
    tag = secrets.token_hex(4)
    username, password = f"deux-serveurs-{tag}", secrets.token_urlsafe(24)
    account = save_counsellor(username=username, password=password)
    job = Job.objects.create(
        name=f"métier deux serveurs {tag}",
        slug=f"metier-deux-serveurs-{tag}",
        publication_status=PublicationStatus.PUBLISHED,
        presentation="<p>Avant la modification.</p>",
    )
    refresh_search_text([job])
    servers: list[subprocess.Popen] = []
    browser = Browser()
    try:
        ports = [free_port(), free_port()]
        secret_key = os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50)
        servers = [start_server(port, secret_key) for port in ports]
        server_a, server_b = (f"http://127.0.0.1:{port}" for port in ports)
        for base, server in zip((server_a, server_b), servers, strict=True):
            wait_until_healthy(base, server)
        print(f"servers up: A {server_a}, B {server_b} (database {settings.DATABASES['default']['NAME']})")

        status, html = browser.get(f"{server_a}/admin/login/")
        token = next(value for name, value in form_fields(html, "login-form") if name == "csrfmiddlewaretoken")
        status, _ = browser.post(
            f"{server_a}/admin/login/?next=/admin/",
            [("csrfmiddlewaretoken", token), ("username", username), ("password", password), ("next", "/admin/")],
        )
        check(status == 302, f"login on A answered {status}")
        print("A: logged in to the admin")

        change_url = f"{server_a}/admin/catalogue/job/{job.pk}/change/"
        status, html = browser.get(change_url)
        check(status == 200, f"change form on A answered {status}")
        new_name = f"métier modifié sur A {tag}"  # shown capitalised on the job page: compare from [1:]
        fields = [(name, new_name if name == "name" else value) for name, value in form_fields(html, "job_form")]
        status, html = browser.post(change_url, [*fields, ("_save", "Enregistrer")])
        check(status == 302, f"saving on A answered {status}: {html[:500]}")
        print(f"A: job {job.pk} renamed to « {new_name} »")

        # (A renamed job may have a new address: the old one redirects to it.)
        status, html = Browser(follow_redirects=True).get(f"{server_b}/metiers/{job.slug}/")
        check(status == 200 and new_name[1:] in html, f"B does not serve the new name (status {status})")
        print("B: the job page shows the new name")
        status, html = browser.get(f"{server_b}/admin/catalogue/job/{job.pk}/change/")
        check(status == 200 and new_name[1:] in html, f"B does not accept the session made on A (status {status})")
        print("B: the session opened on A is valid here too")
        print("OK: two application servers share their state through PostgreSQL")
        return 0
    except AssertionError as error:
        print(f"FAILED: {error}", file=sys.stderr)
        return 1
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
        Job.objects.filter(pk=job.pk).delete()
        get_user_model().objects.filter(pk=account.user.pk).delete()
        for model, last in created_after.items():
            model.objects.filter(pk__gt=last).delete()
        Session.objects.filter(session_key__in=[cookie.value for cookie in browser.cookies]).delete()


def form_fields(html: str, form_id: str) -> list[tuple[str, str]]:
    reader = FormReader(form_id)
    reader.feed(html)
    return reader.data


def check(condition: bool, message: str) -> None:
    if not condition:
        raise AssertionError(message)


if __name__ == "__main__":
    sys.exit(main())
