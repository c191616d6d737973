"""orientation/settings.py read from the environment: development by default, production on demand.

`load_settings()` runs the settings file with a given environment and returns its names, without
touching the settings of the running test process.
"""

import os
import runpy
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

REPO_DIR = Path(__file__).resolve().parent.parent
SETTINGS_FILE = REPO_DIR / "orientation" / "settings.py"

# Every variable the settings read besides DATABASE_URL, cleared before each load.
SETTINGS_ENV = (
    "ORIENTATION_ENV",
    "DEBUG",
    "SECRET_KEY",
    "SECRET_KEY_FALLBACKS",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "LOOPBACK_HTTP",
    "TRUSTED_PROXY_COUNT",
    "CACHE_URL",
    "REDIS_URL",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "STATIC_PLAIN",
)

STRONG_KEY = "k8ZqPw3xN7vR2mT9bL4cY6hJ1sD5fG0aQeUiOpWzXcVbNmAsDfGhJkL"
# The production environment documented in docs/deploy.md.
PRODUCTION_ENV = {
    "ORIENTATION_ENV": "production",
    "SECRET_KEY": STRONG_KEY,
    "ALLOWED_HOSTS": "orientation.example.org",
    "EMAIL_HOST": "smtp.example.org",
}

# Settings that make the site's security, copied into the test process by tests that need production.
SECURITY_SETTINGS = (
    "SECURE_SSL_REDIRECT",
    "SECURE_REDIRECT_EXEMPT",
    "SECURE_PROXY_SSL_HEADER",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "CSRF_COOKIE_HTTPONLY",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "SECURE_CROSS_ORIGIN_OPENER_POLICY",
    "X_FRAME_OPTIONS",
    "CROSS_ORIGIN_RESOURCE_POLICY",
    "PERMISSIONS_POLICY",
    "SECURE_CSP",
    "CSP_ADMIN",
    "TRUSTED_PROXY_COUNT",
)


@contextmanager
def _environment(env: dict[str, str]):
    saved = {name: os.environ.get(name) for name in (*SETTINGS_ENV, *env)}
    try:
        for name in SETTINGS_ENV:
            os.environ.pop(name, None)
        os.environ.update(env)
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def load_settings(**env: str) -> dict:
    """The names defined by settings.py under `env` (and nothing else of the current environment)."""
    with _environment(env):
        return runpy.run_path(str(SETTINGS_FILE))


def apply_production_settings(settings, **env: str) -> dict:
    """Copy the production security settings into pytest-django's `settings` fixture."""
    loaded = load_settings(**{**PRODUCTION_ENV, **env})
    for name in SECURITY_SETTINGS:
        setattr(settings, name, loaded[name])
    settings.ALLOWED_HOSTS = [*loaded["ALLOWED_HOSTS"], "testserver"]
    return loaded


# --- Development: nothing to set -------------------------------------------------------------------


def test_development_is_the_default_and_needs_no_variable():
    loaded = load_settings()
    assert loaded["ENVIRONMENT"] == "development"
    assert loaded["DEBUG"] is False
    assert loaded["SECRET_KEY"] == loaded["DEVELOPMENT_SECRET_KEY"]
    assert loaded["ALLOWED_HOSTS"] == ["127.0.0.1", "localhost", "[::1]"]
    assert loaded["SECURE_SSL_REDIRECT"] is False
    assert loaded["SESSION_COOKIE_SECURE"] is False
    assert loaded["SECURE_HSTS_SECONDS"] == 0
    assert loaded["SECURE_PROXY_SSL_HEADER"] is None


def test_debug_is_on_only_when_asked():
    assert load_settings(DEBUG="1")["DEBUG"] is True
    assert load_settings(DEBUG="0")["DEBUG"] is False
    assert load_settings(DEBUG="")["DEBUG"] is False


def test_an_unknown_environment_is_refused():
    with pytest.raises(ImproperlyConfigured, match="ORIENTATION_ENV"):
        load_settings(ORIENTATION_ENV="staging")


# --- Production: strong key, hosts, HTTPS ------------------------------------------------------------


def test_production_refuses_a_missing_secret_key():
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY"):
        load_settings(ORIENTATION_ENV="production", ALLOWED_HOSTS="orientation.example.org")


@pytest.mark.parametrize(
    "weak_key",
    [
        "short-key",
        "django-insecure-development-only-key-never-use-in-production",
        "a" * 60,  # fewer than 5 different characters
        "django-insecure-" + STRONG_KEY,
    ],
)
def test_production_refuses_a_weak_secret_key(weak_key):
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY"):
        load_settings(**{**PRODUCTION_ENV, "SECRET_KEY": weak_key})


def test_production_refuses_a_weak_fallback_key():
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY_FALLBACKS"):
        load_settings(**PRODUCTION_ENV, SECRET_KEY_FALLBACKS="old-and-short")


def test_production_needs_allowed_hosts():
    with pytest.raises(ImproperlyConfigured, match="ALLOWED_HOSTS"):
        load_settings(ORIENTATION_ENV="production", SECRET_KEY=STRONG_KEY)


def test_production_refuses_debug():
    with pytest.raises(ImproperlyConfigured, match="DEBUG"):
        load_settings(**PRODUCTION_ENV, DEBUG="1")


def test_production_turns_https_on_behind_one_proxy():
    loaded = load_settings(**PRODUCTION_ENV)
    assert loaded["DEBUG"] is False
    assert loaded["SECRET_KEY"] == STRONG_KEY
    assert loaded["ALLOWED_HOSTS"] == ["orientation.example.org"]
    assert loaded["SECURE_SSL_REDIRECT"] is True
    assert loaded["SECURE_REDIRECT_EXEMPT"] == [r"^healthz$"]
    assert loaded["SESSION_COOKIE_SECURE"] is True
    assert loaded["CSRF_COOKIE_SECURE"] is True
    assert loaded["SESSION_COOKIE_HTTPONLY"] is True
    assert loaded["SECURE_HSTS_SECONDS"] == 31_536_000
    assert loaded["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert loaded["SECURE_HSTS_PRELOAD"] is True
    assert loaded["TRUSTED_PROXY_COUNT"] == 1
    assert loaded["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")


def test_production_without_proxy_ignores_x_forwarded_proto():
    loaded = load_settings(**PRODUCTION_ENV, TRUSTED_PROXY_COUNT="0")
    assert loaded["SECURE_PROXY_SSL_HEADER"] is None
    assert loaded["SECURE_SSL_REDIRECT"] is True


def test_hsts_subdomains_and_preload_can_be_turned_off():
    loaded = load_settings(**PRODUCTION_ENV, SECURE_HSTS_INCLUDE_SUBDOMAINS="0", SECURE_HSTS_PRELOAD="0")
    assert loaded["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is False
    assert loaded["SECURE_HSTS_PRELOAD"] is False
    assert loaded["SECURE_HSTS_SECONDS"] == 31_536_000


def test_loopback_http_turns_the_redirect_and_secure_cookies_off():
    loaded = load_settings(**{**PRODUCTION_ENV, "ALLOWED_HOSTS": "127.0.0.1,localhost,[::1]"}, LOOPBACK_HTTP="1")
    assert loaded["SECURE_SSL_REDIRECT"] is False
    assert loaded["SESSION_COOKIE_SECURE"] is False
    assert loaded["CSRF_COOKIE_SECURE"] is False
    # Everything else stays as in production.
    assert loaded["DEBUG"] is False
    assert loaded["SECURE_CSP"] == load_settings(**PRODUCTION_ENV)["SECURE_CSP"]


def test_loopback_http_is_refused_for_a_public_host_name():
    with pytest.raises(ImproperlyConfigured, match="LOOPBACK_HTTP"):
        load_settings(**PRODUCTION_ENV, LOOPBACK_HTTP="1")


# --- Cache ---------------------------------------------------------------------------------------


def test_cache_is_local_memory_without_redis():
    assert load_settings()["CACHES"]["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"


@pytest.mark.parametrize("variable", ["CACHE_URL", "REDIS_URL"])
def test_cache_is_the_shared_redis_when_an_address_is_given(variable):
    cache = load_settings(**{variable: "redis://127.0.0.1:6379/1"})["CACHES"]["default"]
    assert cache["BACKEND"] == "catalogue.cache_backends.RedisCache"  # Django's, one client per pool
    assert cache["LOCATION"] == "redis://127.0.0.1:6379/1"


def test_cache_refuses_an_address_that_is_not_redis():
    with pytest.raises(ImproperlyConfigured, match="CACHE_URL"):
        load_settings(CACHE_URL="memcached://127.0.0.1:11211")


def test_sessions_are_stored_in_the_database():
    assert load_settings(**PRODUCTION_ENV)["SESSION_ENGINE"] == "django.contrib.sessions.backends.db"


def test_the_redis_backend_finds_its_client_library():
    from catalogue.cache_backends import RedisCache

    # Building the client imports the `redis` package (pinned in requirements.txt); no connection yet.
    client = RedisCache("redis://127.0.0.1:6379/1", {})._cache
    assert type(client).__name__ == "RedisCacheClient"


# --- Django's deployment checks ----------------------------------------------------------------------


def _check_deploy(env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {name: value for name, value in os.environ.items() if name not in SETTINGS_ENV}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_the_documented_production_environment():
    result = _check_deploy(PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_flags_a_development_run():
    result = _check_deploy({})
    assert result.returncode != 0
    assert "security.W009" in result.stderr + result.stdout  # the development key
    assert "security.W008" in result.stderr + result.stdout  # no HTTPS redirect
