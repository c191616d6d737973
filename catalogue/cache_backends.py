"""Django's Redis cache, keeping one redis-py client per connection pool.

Django 6.1's RedisCacheClient builds a new `redis.Redis` on every cache call (about 60 µs with
redis-py 8, a quarter of a cached page hit, measured in docs/performance.md). A client is
thread-safe and only wraps the pool, so one per pool is enough; Django already keeps the pools.
"""

from django.core.cache.backends import redis


class RedisCacheClient(redis.RedisCacheClient):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(redis.RedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient
