"""Settings for the Orientation catalogue.

One file, read from the environment, with safe development defaults.
Every variable is listed in `.env.example` and explained in `docs/deploy.md`.

`ORIENTATION_ENV` picks the environment:
- `development` (default): laptops, `make run`, the tests and CI. Nothing to set; a development
  secret key is used when `SECRET_KEY` is unset; plain HTTP.
- `production`: a strong `SECRET_KEY` and `ALLOWED_HOSTS` are required, `DEBUG` is refused, and the
  HTTPS settings are on (redirect, secure cookies, HSTS, `X-Forwarded-Proto` from the proxy).
  `LOOPBACK_HTTP=1` turns the redirect and the secure-only cookies off for runs on 127.0.0.1
  (`make serve`, benchmarks, browser tests); it is refused for any other host name.
"""

import ipaddress
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {value!r}.") from None


def is_strong_secret_key(key: str) -> bool:
    """The same rule as Django's deployment check (security.W009)."""
    return len(key) >= 50 and len(set(key)) >= 5 and not key.startswith("django-insecure-")


def is_loopback_host(host: str) -> bool:
    name = host.strip().strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


# --- Environment ------------------------------------------------------------------------------------

ENVIRONMENT = os.environ.get("ORIENTATION_ENV", "development").strip().lower() or "development"
if ENVIRONMENT not in {"development", "production"}:
    raise ImproperlyConfigured(f"ORIENTATION_ENV must be 'development' or 'production', got {ENVIRONMENT!r}.")
PRODUCTION = ENVIRONMENT == "production"

DEBUG = env_bool("DEBUG", default=False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must stay off when ORIENTATION_ENV=production.")

# Plain HTTP on the loopback interface: no HTTPS redirect, cookies not marked Secure.
LOOPBACK_HTTP = env_bool("LOOPBACK_HTTP", default=False)

DEVELOPMENT_SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"
SECRET_KEY = os.environ.get("SECRET_KEY", "").strip()
# Former keys, still accepted for signatures while sessions move to the new key (key rotation).
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS")
if PRODUCTION:
    if not all(is_strong_secret_key(key) for key in [SECRET_KEY, *SECRET_KEY_FALLBACKS]):
        raise ImproperlyConfigured(
            "SECRET_KEY (and each SECRET_KEY_FALLBACKS entry) must be set to a strong value in production: "
            "at least 50 characters, 5 different ones, not starting with 'django-insecure-'. Generate one with "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'."
        )
elif not SECRET_KEY:
    SECRET_KEY = DEVELOPMENT_SECRET_KEY

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,[::1]")
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must list the site's host names in production (comma-separated).")
if PRODUCTION and LOOPBACK_HTTP and not all(is_loopback_host(host) for host in ALLOWED_HOSTS):
    raise ImproperlyConfigured(
        "LOOPBACK_HTTP=1 is only for runs on the loopback interface: ALLOWED_HOSTS may then only hold "
        "localhost, 127.0.0.1 or [::1]."
    )
# Other origins allowed to POST (https://example.org); the site's own origin needs no entry.
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# Reverse proxies in front of the application servers (nginx, a load balancer...): each one appends
# the address it received the request from to X-Forwarded-For and sets X-Forwarded-Proto.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 1 if PRODUCTION else 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT cannot be negative.")

# --- Applications -----------------------------------------------------------------------------------

INSTALLED_APPS = [
    # The admin with the counsellors' own pages (catalogue.admin_site.CatalogueAdminSite).
    "catalogue.apps.CatalogueAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_filters",
    "django_prose_editor",
    "axes",
    "reversion",
    "import_export",
    "catalogue",
]

MIDDLEWARE = [
    # First, so that its duration covers everything, HTTPS redirects and static files included.
    "catalogue.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Right after the static files: a cached page skips everything below (see docs/caching.md).
    "catalogue.middleware.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # After (inside) the CSP middleware: it sets the admin's own policy before that one runs.
    "catalogue.middleware.SecurityHeadersMiddleware",
    # Last, as django-axes requires.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "orientation.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "orientation.wsgi.application"

# --- Data -------------------------------------------------------------------------------------------

# Database: DATABASE_URL (PostgreSQL in production), else a local SQLite file.
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    (BASE_DIR / "var").mkdir(exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # WAL lets readers and the writer work at the same time on the embedded database.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = "PRAGMA journal_mode=WAL;"
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Typo correction (catalogue.search) asks pg_trgm for words at least 0.2 similar; set per
    # connection so that a search costs no extra query.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c pg_trgm.similarity_threshold=0.2"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: shared Redis when CACHE_URL (or REDIS_URL) is set, so that every process of every server sees
# the same entries; else memory local to each process (one process, development, tests).
# "catalogue": data derived from the catalogue once per catalogue version (facet index, vocabularies of
# the job list; catalogue/facets.py), kept in each process's memory under the shared version, so exact.
# Only with the shared cache: without it the version is per process and a write in another process (a
# management command) would not move it on; DummyCache recomputes every time.
CACHE_URL = os.environ.get("CACHE_URL") or os.environ.get("REDIS_URL") or ""
if CACHE_URL:
    if not CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured("CACHE_URL / REDIS_URL must be a redis://, rediss:// or unix:// address.")
    CACHES = {
        "default": {
            "BACKEND": "catalogue.cache_backends.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "orientation",
        },
        # Entries are keyed on the version: old ones are only dropped, a few versions are enough.
        "catalogue": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "catalogue",
            "TIMEOUT": None,
            "OPTIONS": {"MAX_ENTRIES": 16},
        },
    }
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "catalogue": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
    }

# Anonymous public pages are cached whole in that cache for this many seconds, and invalidated at
# once by any write to the catalogue (catalogue.services.cache). On by default in production with the
# shared cache only: memory local to each process would let one worker invalidate its own copy and
# not the others'; development and tests always show the code and data of the moment. 0 turns it off.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 300 if PRODUCTION and CACHE_URL else 0)
if PAGE_CACHE_SECONDS < 0:
    raise ImproperlyConfigured("PAGE_CACHE_SECONDS cannot be negative.")

# Sessions live in the database: any application server can serve any request.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# --- Accounts ---------------------------------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# django-axes first: it refuses a locked-out login before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Admin brute force: 5 failed logins for one user name from one address lock that pair for 15 minutes.
# Attempts are stored in the database, so every application server counts the same failures.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "catalogue.site_views.lockout"
# The client's address behind TRUSTED_PROXY_COUNT proxies (X-Forwarded-For), see catalogue.middleware.
AXES_CLIENT_IP_CALLABLE = "catalogue.middleware.client_ip"

LOGIN_URL = "admin:login"

# --- Language and time ------------------------------------------------------------------------------

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# --- Static files and uploads ------------------------------------------------------------------------

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    # Uploads: MEDIA_ROOT, a volume shared by every application server.
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed, compressed copies made by collectstatic, served by WhiteNoise with far-future caching.
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or env_bool("STATIC_PLAIN", default=False)
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "media/"

# --- Security ---------------------------------------------------------------------------------------

HTTPS = PRODUCTION and not LOOPBACK_HTTP

SECURE_SSL_REDIRECT = HTTPS
# A load balancer checks /healthz over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if TRUSTED_PROXY_COUNT else None
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
# HSTS: sent on HTTPS responses only. Preloading is a commitment for every subdomain (see docs/deploy.md).
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000) if PRODUCTION else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)

# Headers that hold in every environment.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Sent by catalogue.middleware.SecurityHeadersMiddleware (Django has no setting for these two).
CROSS_ORIGIN_RESOURCE_POLICY = "same-origin"
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
}

# Content-Security-Policy of the public site: files from our own origin only, no inline script or
# style, no plugins, no <base>, forms posted to ourselves, never framed.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
# The admin (/admin/ only): Django's admin marks its scripts with the request's nonce (the import map
# of django-prose-editor included). The rich-text editor (Tiptap) injects its base stylesheet as a
# <style> element that cannot carry the nonce: that one stylesheet is allowed by its hash rather than
# with 'unsafe-inline' (tests/test_security_headers.py checks the hash against the installed editor).
TIPTAP_STYLESHEET_HASH = "'sha256-PlumsSlvJ7vvWzjqibGAYKq92O3y/4JTxWWsWJvyUYA='"
CSP_ADMIN = {
    **SECURE_CSP,
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, TIPTAP_STYLESHEET_HASH],
}

# French page for a refused form (expired or missing CSRF token).
CSRF_FAILURE_VIEW = "catalogue.site_views.csrf_failure"

# --- The catalogue ----------------------------------------------------------------------------------

# Rich-text editor: the same allow-list as catalogue.sanitize.
DJANGO_PROSE_EDITOR_DEFAULT_EXTENSIONS = None

# History of every catalogue change (django-reversion), see catalogue/history.py.
# Spreadsheets (django-import-export): every import in one transaction, a permission of its own.
# Cells a spreadsheet would run as a formula (=, +, -, @) are neutralised by the formats of
# catalogue/resources.py (a leading apostrophe, removed again on import); the library's own setting
# below only strips a leading "=" and finds nothing left to do.
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "import"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True

# Pagination of public lists.
CATALOGUE_PAGE_SIZE = env_int("CATALOGUE_PAGE_SIZE", 20)

# "Mentions légales": who publishes and who hosts the site (shown as written).
LEGAL_PUBLISHER = os.environ.get("LEGAL_PUBLISHER", "")
LEGAL_HOST = os.environ.get("LEGAL_HOST", "")
LEGAL_CONTACT_EMAIL = os.environ.get("LEGAL_CONTACT_EMAIL", "")

# --- E-mail -----------------------------------------------------------------------------------------

# Password reset e-mails for counsellors: printed on the console unless an SMTP server is given
# (Django 6.1's MAILERS setting).
if os.environ.get("EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ["EMAIL_HOST"],
                "port": env_int("EMAIL_PORT", 587),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", default=True),
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Orientation <ne-pas-repondre@localhost>")

# --- Logs -------------------------------------------------------------------------------------------

# Everything on standard error; one JSON line per request from catalogue.middleware.RequestLogMiddleware.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
