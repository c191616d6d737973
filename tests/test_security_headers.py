"""Security headers on the public site and the admin, graded like the Mozilla HTTP Observatory.

`observatory_score()` implements the Observatory's published scoring (mdn/mdn-http-observatory,
src/grader/charts.js and src/analyzer/tests/*.js) for the ten tests it runs: Content-Security-Policy,
cookies, CORS, redirection, Referrer-Policy, HSTS, Subresource Integrity, X-Content-Type-Options,
X-Frame-Options and Cross-Origin-Resource-Policy. Every site starts at 100; penalties are taken first,
and bonuses are added only when the score without them is 90 or more. 100 and over is an A+.
Only the HSTS preload list (+5) is left out: it needs the public list.
"""

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.test import Client

from tests.factories import JobFactory
from tests.test_settings import apply_production_settings

pytestmark = pytest.mark.django_db

PUBLIC_CSP = "default-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

# --- The Observatory's scoring --------------------------------------------------------------------

BROAD = {"ftp:", "http:", "https:", "*", "http://*", "http://*.*", "https://*", "https://*.*"}
UNSAFE_INLINE = {"'unsafe-inline'", "data:"}
NONCE_OR_HASH = ("'sha256-", "'sha384-", "'sha512-", "'nonce-")
SIX_MONTHS = 15_552_000
REFERRER_PRIVATE = {"no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"}
REFERRER_UNSAFE = {"origin", "origin-when-cross-origin", "unsafe-url", "no-referrer-when-downgrade"}
# Worst last: a cookie only makes the result worse (the Observatory's `onlyIfWorse`).
COOKIE_RESULTS = [
    ("cookies-without-secure-flag-but-protected-by-hsts", -5),
    ("cookies-without-secure-flag", -20),
    ("cookies-session-without-secure-flag-but-protected-by-hsts", -10),
    ("cookies-samesite-flag-invalid", -20),
    ("cookies-anticsrf-without-samesite-flag", -20),
    ("cookies-session-without-httponly-flag", -30),
    ("cookies-session-without-secure-flag", -40),
]


def parse_csp(header: str) -> dict[str, set[str]]:
    policy: dict[str, set[str]] = {}
    for directive in header.split(";"):
        parts = directive.split()
        if parts:
            policy.setdefault(parts[0].lower(), set(parts[1:]))
    return policy


def csp_result(response, https: bool = True) -> tuple[str, int]:
    header = response.headers.get("Content-Security-Policy")
    if not header:
        return "csp-not-implemented", -25
    csp = parse_csp(header)
    default = csp.get("default-src")
    script_src = set(csp.get("script-src") or default or {"*"})
    object_src = set(csp.get("object-src") or default or {"*"})
    style_src = set(csp.get("style-src") or default or {"*"})
    for sources in (script_src, style_src):
        if any(source.startswith(NONCE_OR_HASH) for source in sources):
            sources.discard("'unsafe-inline'")
    if "'strict-dynamic'" in script_src and not any(s.startswith(NONCE_OR_HASH) for s in script_src):
        return "csp-header-invalid", -25
    active = {s for directive, sources in csp.items() if directive not in {"img-src", "media-src"} for s in sources}
    passive = {s for directive in ("img-src", "media-src") for s in (csp.get(directive) or default or set())}
    if script_src & (BROAD | UNSAFE_INLINE) or object_src & BROAD:
        return "csp-implemented-with-unsafe-inline", -20
    if https and any(source.startswith(("http:", "ftp:")) for source in active | script_src):
        return "csp-implemented-with-insecure-scheme", -20
    if "'unsafe-eval'" in script_src | style_src:
        return "csp-implemented-with-unsafe-eval", -10
    if https and any(source.startswith(("http:", "ftp:")) for source in passive):
        return "csp-implemented-with-insecure-scheme-in-passive-content-only", -10
    if style_src & (BROAD | UNSAFE_INLINE):
        return "csp-implemented-with-unsafe-inline-in-style-src-only", 0
    if default == {"'none'"}:
        return "csp-implemented-with-no-unsafe-default-src-none", 10
    return "csp-implemented-with-no-unsafe", 5


def hsts_result(response) -> tuple[str, int]:
    header = response.headers.get("Strict-Transport-Security")
    if not header:
        return "hsts-not-implemented", -20
    if "," in header:
        return "hsts-header-invalid", -20
    max_age = None
    for parameter in header.split(";"):
        parameter = parameter.strip().lower()
        if parameter.startswith("max-age="):
            max_age = int(parameter[8:]) if parameter[8:].isdigit() else None
    if max_age is None:
        return "hsts-header-invalid", -20
    if max_age < SIX_MONTHS:
        return "hsts-implemented-max-age-less-than-six-months", -10
    return "hsts-implemented-max-age-at-least-six-months", 0


def cookies_result(response, hsts_passes: bool) -> tuple[str, int]:
    if not response.cookies:
        return "cookies-not-found", 0
    ranks = {name: rank for rank, (name, _) in enumerate(COOKIE_RESULTS)}
    worst: str | None = None

    def only_if_worse(result: str) -> None:
        nonlocal worst
        if worst is None or ranks[result] > ranks[worst]:
            worst = result

    missing_samesite = False
    for name, morsel in response.cookies.items():
        secure, httponly = bool(morsel["secure"]), bool(morsel["httponly"])
        samesite = morsel["samesite"]
        session = any(part in name.lower() for part in ("login", "sess"))
        if samesite and samesite.lower() not in {"lax", "strict", "none"}:
            only_if_worse("cookies-samesite-flag-invalid")
        if not secure and samesite.lower() == "none":
            only_if_worse("cookies-samesite-flag-invalid")
        if not secure:
            only_if_worse(
                "cookies-without-secure-flag-but-protected-by-hsts" if hsts_passes else "cookies-without-secure-flag"
            )
        if "csrf" in name.lower() and not samesite:
            only_if_worse("cookies-anticsrf-without-samesite-flag")
        if session and not secure:
            only_if_worse(
                "cookies-session-without-secure-flag-but-protected-by-hsts"
                if hsts_passes
                else "cookies-session-without-secure-flag"
            )
        if session and not httponly:
            only_if_worse("cookies-session-without-httponly-flag")
        missing_samesite = missing_samesite or not samesite
    if worst is not None:
        return worst, dict(COOKIE_RESULTS)[worst]
    if missing_samesite:
        return "cookies-secure-with-httponly-sessions", 0
    return "cookies-secure-with-httponly-sessions-and-samesite", 5


def cors_result(response, origin: str) -> tuple[str, int]:
    allowed = response.headers.get("Access-Control-Allow-Origin")
    if not allowed:
        return "cross-origin-resource-sharing-not-implemented", 0
    credentials = response.headers.get("Access-Control-Allow-Credentials", "").lower() == "true"
    if allowed == origin and credentials:
        return "cross-origin-resource-sharing-implemented-with-universal-access", -50
    if allowed == "*":
        return "cross-origin-resource-sharing-implemented-with-public-access", 0
    return "cross-origin-resource-sharing-implemented-with-restricted-access", 0


def redirection_result(http_response, host: str) -> tuple[str, int]:
    if http_response.status_code not in {301, 302, 303, 307, 308}:
        return "redirection-missing", -20
    target = urlsplit(http_response.headers["Location"])
    if target.scheme != "https":
        return "redirection-not-to-https", -20
    if target.hostname != host:
        return "redirection-off-host-from-http", -5
    return "redirection-to-https", 0


def referrer_result(response) -> tuple[str, int]:
    header = response.headers.get("Referrer-Policy")
    if not header:
        return "referrer-policy-not-implemented", 0
    valid = [
        value.strip().lower()
        for value in header.split(",")
        if value.strip().lower() in REFERRER_PRIVATE | REFERRER_UNSAFE
    ]
    if not valid:
        return "referrer-policy-header-invalid", -5
    if valid[-1] in REFERRER_PRIVATE:
        return "referrer-policy-private", 5
    return "referrer-policy-unsafe", -5


class ScriptCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[dict[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self.scripts.append(dict(attrs))


def sri_result(response, host: str) -> tuple[str, int]:
    if not response.headers.get("Content-Type", "").startswith("text/html"):
        return "sri-not-implemented-response-not-html", 0
    collector = ScriptCollector()
    collector.feed(response.content.decode())
    if not collector.scripts:
        return "sri-not-implemented-but-no-scripts-loaded", 0
    worst = ("sri-not-implemented-but-all-scripts-loaded-from-secure-origin", 0)
    for script in collector.scripts:
        src = script.get("src")
        if not src or not re.match(r"^(https?:)?//", src):
            continue  # inline, or relative to our own origin
        target = urlsplit(src)
        if target.hostname == host and target.scheme == "https":
            continue
        if target.scheme != "https":
            return "sri-not-implemented-and-external-scripts-not-loaded-securely", -50
        if not script.get("integrity"):
            worst = ("sri-not-implemented-but-external-scripts-loaded-securely", -5)
    return worst


def x_content_type_options_result(response) -> tuple[str, int]:
    header = response.headers.get("X-Content-Type-Options")
    if not header:
        return "x-content-type-options-not-implemented", -5
    if header.strip().lower() != "nosniff":
        return "x-content-type-options-header-invalid", -5
    return "x-content-type-options-nosniff", 0


def x_frame_options_result(response) -> tuple[str, int]:
    csp = parse_csp(response.headers.get("Content-Security-Policy", ""))
    if csp.get("frame-ancestors"):
        return "x-frame-options-implemented-via-csp", 5
    header = (response.headers.get("X-Frame-Options") or "").strip().lower()
    if header in {"deny", "sameorigin"}:
        return "x-frame-options-sameorigin-or-deny", 0
    if header.startswith("allow-from"):
        return "x-frame-options-allow-from-origin", 0
    if header:
        return "x-frame-options-header-invalid", -20
    return "x-frame-options-not-implemented", -20


def corp_result(response) -> tuple[str, int]:
    header = (response.headers.get("Cross-Origin-Resource-Policy") or "").strip().lower()
    if not header:
        return "cross-origin-resource-policy-not-implemented", 0
    return {
        "same-origin": ("cross-origin-resource-policy-implemented-with-same-origin", 10),
        "same-site": ("cross-origin-resource-policy-implemented-with-same-site", 10),
        "cross-origin": ("cross-origin-resource-policy-implemented-with-cross-origin", 0),
    }.get(header, ("cross-origin-resource-policy-header-invalid", -5))


def observatory_score(client: Client, path: str, host: str = "testserver") -> tuple[int, dict[str, tuple[str, int]]]:
    """Scan `path` as the Observatory does: over HTTPS, plus one plain HTTP request for the redirect."""
    origin = "https://observatory.example"
    https_response = client.get(path, secure=True, headers={"Origin": origin})
    assert https_response.status_code == 200, f"{path} answered {https_response.status_code}"
    http_response = Client().get(path, secure=False)
    hsts = hsts_result(https_response)
    results = {
        "content-security-policy": csp_result(https_response),
        "cookies": cookies_result(https_response, hsts_passes=hsts[1] == 0),
        "cross-origin-resource-sharing": cors_result(https_response, origin),
        "redirection": redirection_result(http_response, host),
        "referrer-policy": referrer_result(https_response),
        "strict-transport-security": hsts,
        "subresource-integrity": sri_result(https_response, host),
        "x-content-type-options": x_content_type_options_result(https_response),
        "x-frame-options": x_frame_options_result(https_response),
        "cross-origin-resource-policy": corp_result(https_response),
    }
    penalties = sum(modifier for _, modifier in results.values() if modifier < 0)
    uncurved = 100 + penalties
    score = 100 + sum(modifier for _, modifier in results.values()) if uncurved >= 90 else uncurved
    return max(score, 0), results


# --- The scoring helper itself ---------------------------------------------------------------------


def test_scoring_gives_a_bare_site_an_f(client, settings):
    """A site with none of the headers: CSP -25, HSTS -20, redirect -20, XFO -20, nosniff -5 -> 10."""
    settings.SECURE_CSP = {}
    settings.CSP_ADMIN = {}
    settings.SECURE_CONTENT_TYPE_NOSNIFF = False
    settings.SECURE_REFERRER_POLICY = None
    settings.SECURE_CROSS_ORIGIN_OPENER_POLICY = None
    settings.CROSS_ORIGIN_RESOURCE_POLICY = ""
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if "clickjacking" not in m]
    score, results = observatory_score(client, "/")
    assert results["content-security-policy"] == ("csp-not-implemented", -25)
    assert results["x-frame-options"] == ("x-frame-options-not-implemented", -20)
    assert results["redirection"] == ("redirection-missing", -20)
    assert results["strict-transport-security"] == ("hsts-not-implemented", -20)
    assert score == 10


def test_scoring_penalises_unsafe_inline_scripts():
    class Response:
        headers = {"Content-Security-Policy": "default-src 'self'; script-src 'self' 'unsafe-inline'"}

    assert csp_result(Response()) == ("csp-implemented-with-unsafe-inline", -20)
    Response.headers = {"Content-Security-Policy": "default-src 'self'; style-src 'self' 'unsafe-inline'"}
    assert csp_result(Response()) == ("csp-implemented-with-unsafe-inline-in-style-src-only", 0)
    Response.headers = {"Content-Security-Policy": "default-src 'none'; script-src 'self'"}
    assert csp_result(Response()) == ("csp-implemented-with-no-unsafe-default-src-none", 10)


# --- Production headers ----------------------------------------------------------------------------


@pytest.fixture
def production(settings):
    return apply_production_settings(settings)


def test_public_page_sends_every_security_header(client, production):
    job = JobFactory()
    response = client.get(job.get_absolute_url(), secure=True)
    assert response.status_code == 200
    headers = response.headers
    assert headers["Content-Security-Policy"] == PUBLIC_CSP
    assert "unsafe-inline" not in headers["Content-Security-Policy"]
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert headers["Cross-Origin-Resource-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert "camera=()" in headers["Permissions-Policy"]
    assert "geolocation=()" in headers["Permissions-Policy"]


def test_public_pages_have_no_inline_script_or_style(client, production):
    """The strict policy holds only if our own templates need nothing inline."""
    job = JobFactory()
    for path in ("/", "/metiers/", job.get_absolute_url(), "/mentions-legales/", "/nexiste-pas/"):
        html = client.get(path, secure=True).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), path
        assert "<style" not in html, path
        assert not re.search(r"\sstyle=", html), path
        assert not re.search(r"\son[a-z]+=", html), path


def test_public_page_scores_a_plus_on_the_observatory_scale(client, production):
    score, results = observatory_score(client, "/")
    assert results["content-security-policy"] == ("csp-implemented-with-no-unsafe", 5)
    assert results["redirection"] == ("redirection-to-https", 0)
    assert results["strict-transport-security"][1] == 0
    assert results["x-frame-options"] == ("x-frame-options-implemented-via-csp", 5)
    assert results["cross-origin-resource-policy"][1] == 10
    assert all(modifier >= 0 for _, modifier in results.values()), results
    assert score >= 100, results


def test_job_list_scores_a_plus_on_the_observatory_scale(client, production):
    JobFactory()
    score, results = observatory_score(client, "/metiers/?q=technicien")
    assert score >= 100, results


def test_admin_login_sends_a_strict_nonce_policy(client, production):
    response = client.get("/admin/login/", secure=True)
    assert response.status_code == 200
    csp = parse_csp(response.headers["Content-Security-Policy"])
    nonces = {source for source in csp["script-src"] if source.startswith("'nonce-")}
    assert len(nonces) == 1
    assert csp["script-src"] == {"'self'", *nonces}
    assert "'unsafe-inline'" not in csp["script-src"]
    assert "'unsafe-eval'" not in csp["script-src"] | csp["style-src"]
    assert "'unsafe-inline'" not in csp["style-src"]
    assert csp["frame-ancestors"] == {"'none'"}
    assert csp["object-src"] == {"'none'"}
    assert csp["form-action"] == {"'self'"}
    # Django's admin marks its scripts with the request's nonce.
    nonce = nonces.pop()[len("'nonce-") : -1]
    collector = ScriptCollector()
    collector.feed(response.content.decode())
    assert collector.scripts
    assert all(script.get("nonce") == nonce for script in collector.scripts)
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cross-Origin-Resource-Policy"] == "same-origin"


def test_admin_change_form_inline_scripts_carry_the_nonce(counsellor_client, production):
    """The rich-text editor's import map is inline: it runs only because it carries the nonce."""
    job = JobFactory()
    response = counsellor_client.get(f"/admin/catalogue/job/{job.pk}/change/", secure=True)
    assert response.status_code == 200
    nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)
    collector = ScriptCollector()
    collector.feed(response.content.decode())
    importmap = [script for script in collector.scripts if script.get("type") == "importmap"]
    assert importmap and importmap[0].get("nonce") == nonce
    # What the policy lets run: inline scripts with the nonce, files from our own origin.
    assert all(script.get("nonce") == nonce for script in collector.scripts if not script.get("src"))
    sources = [script["src"] for script in collector.scripts if script.get("src")]
    assert all(src.startswith("/") and not src.startswith("//") for src in sources), sources


def tiptap_stylesheet_hash() -> str:
    """The CSP hash of the stylesheet that the installed editor's Tiptap injects in a <style> element."""
    import base64
    import hashlib
    from pathlib import Path

    import django_prose_editor

    script = (Path(django_prose_editor.__file__).parent / "static" / "django_prose_editor" / "editor.js").read_text()
    start = script.index(".ProseMirror {\n  position: relative;")  # Tiptap's base style, a template literal
    css = script[script.rindex("`", 0, start) + 1 : script.index("`", start)]
    return "'sha256-" + base64.b64encode(hashlib.sha256(css.encode()).digest()).decode() + "'"


def test_admin_allows_the_editor_stylesheet_by_hash_and_no_inline_style(settings):
    """If django-prose-editor is upgraded, update TIPTAP_STYLESHEET_HASH in settings to this hash."""
    assert settings.CSP_ADMIN["style-src"] == ["'self'", tiptap_stylesheet_hash()]


def test_admin_nonce_changes_with_every_request(client, production):
    first = client.get("/admin/login/", secure=True).headers["Content-Security-Policy"]
    second = client.get("/admin/login/", secure=True).headers["Content-Security-Policy"]
    assert first != second


def test_admin_login_scores_a_plus_on_the_observatory_scale(client, production):
    score, results = observatory_score(client, "/admin/login/")
    # The login form sets the CSRF cookie: Secure, HttpOnly, SameSite=Lax.
    assert results["cookies"] == ("cookies-secure-with-httponly-sessions-and-samesite", 5)
    assert all(modifier >= 0 for _, modifier in results.values()), results
    assert score >= 100, results


def test_session_cookie_is_secure_and_http_only_in_production(client, production, counsellor):
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "conseiller", "password": "mot-de-passe-solide-42"},
        secure=True,
    )
    assert response.status_code == 302
    cookie = response.cookies["sessionid"]
    assert cookie["secure"] is True
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookies_result(response, hsts_passes=True) == ("cookies-secure-with-httponly-sessions-and-samesite", 5)


def test_plain_http_is_redirected_to_https_on_the_same_host(client, production):
    response = client.get("/metiers/?q=boulanger")
    assert response.status_code == 301
    assert response.headers["Location"] == "https://testserver/metiers/?q=boulanger"


def test_requests_forwarded_as_https_by_the_proxy_are_served(client, production):
    response = client.get("/", headers={"X-Forwarded-Proto": "https"})
    assert response.status_code == 200
    assert "Strict-Transport-Security" in response.headers


def test_health_check_answers_over_plain_http(client, production):
    response = client.get("/healthz")
    assert response.status_code == 200


def test_loopback_http_serves_plain_http_without_secure_cookies(client, settings):
    apply_production_settings(settings, ALLOWED_HOSTS="127.0.0.1,localhost", LOOPBACK_HTTP="1")
    response = client.get("/admin/login/")
    assert response.status_code == 200
    assert response.cookies["csrftoken"]["secure"] == ""
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert "Strict-Transport-Security" not in response.headers
