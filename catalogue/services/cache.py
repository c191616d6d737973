"""The catalogue's version: one integer in the shared cache, moved on by every write to the catalogue.

Cached public pages (`catalogue.middleware.PageCacheMiddleware`) are stored with the version they
were rendered at and served only while it is still the current one: one bump invalidates every
cached page at once, in every process of every server sharing the cache. The version lives in the
cache itself (Redis in production) so that all workers agree on it.

Every write calls `bump_catalogue_version()` explicitly: the admin, the imports, conflict
resolution, the backup import. See docs/caching.md.
"""

import secrets

from django.core.cache import cache
from django.db import transaction

VERSION_KEY = "catalogue:version"


def fresh_version() -> int:
    """A random starting value rather than 0: after a cache flush or an eviction the new version
    never repeats one that pages were cached under. 62 bits leave room for Redis' 64-bit INCR."""
    return secrets.randbits(62)


def catalogue_version() -> int:
    """The current version (one cache read; set lazily on first use)."""
    version = cache.get(VERSION_KEY)
    return version if version is not None else initialise_version()


def initialise_version() -> int:
    """Set the version if no process did yet, and return the one that won."""
    version = fresh_version()
    cache.add(VERSION_KEY, version, timeout=None)
    return cache.get(VERSION_KEY, version)


def bump_catalogue_version() -> None:
    """Invalidate every cached page once the current transaction commits (at once outside one).

    After the commit, not before: a page rendered under the new version then always reads the new
    data. A rolled-back transaction (a dry run, a failed import) never bumps.
    """
    transaction.on_commit(_bump)


def _bump() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # never set, flushed or evicted: any new random value invalidates as well
        cache.set(VERSION_KEY, fresh_version(), timeout=None)
