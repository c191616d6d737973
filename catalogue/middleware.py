"""Request logging, the security headers Django has no setting for, and the client's address.

- `RequestLogMiddleware`: one JSON line per request on the `orientation.request` logger.
- `SecurityHeadersMiddleware`: `Permissions-Policy`, `Cross-Origin-Resource-Policy`, and the admin's
  own Content-Security-Policy (`settings.CSP_ADMIN`) on the admin's addresses.
- `client_ip()`: the address django-axes locks, behind `settings.TRUSTED_PROXY_COUNT` proxies.
"""

import ipaddress
import json
import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.csp import get_nonce
from django.urls import NoReverseMatch, reverse
from django.utils.csp import CSP, build_policy

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
