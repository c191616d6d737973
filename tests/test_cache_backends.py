"""The Redis cache backend keeps one client per connection pool (catalogue.cache_backends)."""

from django.core.cache.backends.redis import RedisCacheClient as DjangoClient

from catalogue.cache_backends import RedisCache


def test_every_call_gets_the_same_client_for_one_server():
    cache = RedisCache("redis://127.0.0.1:6379/0", {})
    client = cache._cache.get_client()
    assert cache._cache.get_client(write=True) is client
    assert client.connection_pool is cache._cache._get_connection_pool(True)


def test_djangos_own_client_would_build_one_per_call():
    # What the backend exists for: if Django starts reusing its clients, this module can go.
    django_client = DjangoClient(["redis://127.0.0.1:6379/0"])
    assert django_client.get_client() is not django_client.get_client()


def test_reads_and_writes_go_to_their_own_pools_with_replicas():
    cache = RedisCache("redis://127.0.0.1:6379/0,redis://127.0.0.1:6379/1", {})
    writer = cache._cache.get_client(write=True)
    reader = cache._cache.get_client()
    assert writer is not reader
    assert reader.connection_pool.connection_kwargs["db"] == 1
