"""Request logging, the public page cache, the security headers Django has no setting for, and the client's address.

- `RequestLogMiddleware`: one JSON line per request on the `orientation.request` logger.
- `PageCacheMiddleware`: anonymous public pages served whole from the shared cache, with ETags
  (see docs/caching.md).
- `SecurityHeadersMiddleware`: `Permissions-Policy`, `Cross-Origin-Resource-Policy`, and the admin's
  own Content-Security-Policy (`settings.CSP_ADMIN`) on the admin's addresses.
- `client_ip()`: the address django-axes locks, behind `settings.TRUSTED_PROXY_COUNT` proxies.
"""

import hashlib
import ipaddress
import json
import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csp import get_nonce
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers, set_response_etag
from django.utils.csp import CSP, build_policy

from catalogue.services.cache import VERSION_KEY, initialise_version
from catalogue.services.failed_searches import record_failed_search

request_logger = logging.getLogger("orientation.request")

# A 10,000-character address is logged, but not in full.
MAX_LOGGED_PATH = 300


class RequestLogMiddleware:
    """Log `{"method", "path", "status", "duration_ms"}` once per request, as one JSON line.

    No client address and no query string: the log says what the site served and how fast,
    not who asked for what. For streamed responses (static files) the duration ends when the
    headers are ready.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        duration_ms = (time.perf_counter() - started) * 1000
        request_logger.info(
            json.dumps(
                {
                    "method": request.method,
                    "path": request.path[:MAX_LOGGED_PATH],
                    "status": response.status_code,
                    "duration_ms": round(duration_ms, 1),
                },
                ensure_ascii=False,
            )
        )
        return response


# The pages cached whole for anonymous visitors: the public catalogue and the site's legal pages.
# Not the admin, not /healthz, not the suggestions (JSON with its own short, versioned cache).
CACHED_PAGES = frozenset(
    {
        "catalogue:home",
        "catalogue:job-list",
        "catalogue:job-detail",
        "catalogue:training-list",
        "catalogue:training-detail",
        "catalogue:interest-list",
        "catalogue:interest-detail",
        "legal-notice",
        "sources",
        "accessibility",
    }
)
# Answers that depend on the catalogue only: a page, an old slug's redirect, a missing or withdrawn sheet.
CACHED_STATUSES = frozenset({200, 301, 404, 410})
# (catalogue version, status, headers, content, folded term of a search that found nothing or "")
ENTRY_LENGTH = 5


class PageCacheMiddleware:
    """Serve anonymous GET/HEAD requests for `CACHED_PAGES` from the shared cache.

    Placed right after WhiteNoise: a hit skips every other middleware, the URL's view and the
    database (headers set by the inner middlewares, CSP included, are stored with the page).
    Each entry holds the catalogue version it was rendered at (read before rendering) and is
    served only while that version is current: `bump_catalogue_version()` invalidates every page.
    The version and the page come in one cache round trip.

    A request carrying a session cookie (counsellors, who see drafts) is never served from nor
    stored in the cache, and its answer is marked private. A response that sets a cookie, used
    the CSP nonce, or says private/no-store is not stored. Responses get a content ETag, and an
    `If-None-Match` that matches answers 304. `PAGE_CACHE_SECONDS = 0` turns all of this off.

    A search that found nothing is counted on every visit, cached or not: the view sets the
    folded term on its response (`response.failed_search`), the entry keeps it, and each GET
    served from that entry counts it again (`record_failed_search`: one UPDATE). The entry holds
    the term only, never who asked. Other pages' hits still make no query.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._build: str | None = None

    def build(self) -> str:
        """The static files' manifest hash: pages cached by a deploy with other assets are not reused."""
        if self._build is None:
            self._build = getattr(staticfiles_storage, "manifest_hash", "") or ""
        return self._build

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.PAGE_CACHE_SECONDS <= 0 or request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        try:
            view_name = resolve(request.path_info).view_name
        except Resolver404:
            return self.get_response(request)
        if view_name not in CACHED_PAGES:
            return self.get_response(request)
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            response = self.get_response(request)
            patch_cache_control(response, private=True)
            return response

        key = self.page_key(request)
        found = cache.get_many([VERSION_KEY, key])
        version = found.get(VERSION_KEY)
        if version is None:
            version = initialise_version()
        entry = found.get(key)
        # An entry of another shape (stored by an older release) is rendered again and overwritten.
        if entry is not None and len(entry) == ENTRY_LENGTH and entry[0] == version:
            _version, status, headers, content, failed_search = entry
            response = HttpResponse(content, status=status)
            for name, value in headers:
                response.headers[name] = value
            if failed_search and request.method == "GET":
                # Counted as when the page was rendered, 304 included; the only query of such a hit.
                record_failed_search(failed_search)
        else:
            response = self.get_response(request)
            if request.method == "GET" and self.storable(request, response):
                patch_vary_headers(response, ("Cookie",))
                patch_cache_control(response, no_cache=True)
                if response.status_code == 200:
                    set_response_etag(response)
                failed_search = getattr(response, "failed_search", "")
                entry = (version, response.status_code, list(response.items()), response.content, failed_search)
                cache.set(key, entry, settings.PAGE_CACHE_SECONDS)
        return get_conditional_response(request, etag=response.get("ETag"), response=response)

    def page_key(self, request: HttpRequest) -> str:
        """The address as asked (scheme, host, path and query string) and the deploy's assets.

        Nothing else changes an anonymous page: the site has one language (Accept-Language is
        ignored) and public pages read no cookie but the session's.
        """
        address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
        return "page:" + hashlib.sha256(f"{self.build()} {address}".encode()).hexdigest()

    @staticmethod
    def storable(request: HttpRequest, response: HttpResponse) -> bool:
        if response.status_code not in CACHED_STATUSES or response.streaming or response.cookies:
            return False
        if get_nonce(request):  # a nonce was generated: it is in the page and must not be reused
            return False
        cache_control = response.get("Cache-Control", "")
        if "private" in cache_control or "no-store" in cache_control:
            return False
        user = getattr(request, "user", None)
        return user is None or not user.is_authenticated


def permissions_policy(features: dict[str, list[str]]) -> str:
    """`{"camera": []}` -> `camera=()`: the header's structured-field syntax."""
    return ", ".join(f"{feature}=({' '.join(allowed)})" for feature, allowed in features.items())


class SecurityHeadersMiddleware:
    """Headers Django does not send by itself; a header already set by a view is kept."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._admin_prefix: str | None = None

    def admin_prefix(self) -> str:
        if self._admin_prefix is None:
            try:
                self._admin_prefix = reverse("admin:index")
            except NoReverseMatch:
                self._admin_prefix = ""
        return self._admin_prefix

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", permissions_policy(settings.PERMISSIONS_POLICY))
        response.headers.setdefault("Cross-Origin-Resource-Policy", settings.CROSS_ORIGIN_RESOURCE_POLICY)
        prefix = self.admin_prefix()
        if prefix and request.path.startswith(prefix) and settings.CSP_ADMIN:
            # ContentSecurityPolicyMiddleware (outside this one) keeps a policy that is already set.
            response.headers.setdefault(str(CSP.HEADER_ENFORCE), build_policy(settings.CSP_ADMIN, get_nonce(request)))
        return response


def client_ip(request: HttpRequest) -> str | None:
    """The client's address, as seen by the outermost of `TRUSTED_PROXY_COUNT` proxies.

    Each trusted proxy appends the address it received the request from to X-Forwarded-For, and
    the last one connects to us (REMOTE_ADDR). With N trusted proxies the client is therefore the
    N-th entry from the right; whatever a client wrote in the header itself stays on the left and
    is ignored. Without proxies, or with a header shorter than expected, REMOTE_ADDR is the answer.
    """
    remote_addr = request.META.get("REMOTE_ADDR")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote_addr
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < count:
        return remote_addr
    try:
        return str(ipaddress.ip_address(forwarded[-count]))
    except ValueError:
        return remote_addr
