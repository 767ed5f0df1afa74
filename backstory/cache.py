"""A Redis cache that an outage slows down instead of breaking.

Backstory uses its cache for speed only (rendered page sections, sessions next to their database
rows, throttle counts): when Redis is unreachable a read is a miss and a write is skipped, logged
once a minute, so signed-in pages keep working from the database. ``/healthz`` reports the cache.
"""

from __future__ import annotations

import functools
import logging
import time

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)
_MISS_RESULTS = {
    "get": lambda args, kwargs: kwargs.get("default", args[1] if len(args) > 1 else None),
    "get_many": lambda args, kwargs: {},
    "has_key": lambda args, kwargs: False,
    "add": lambda args, kwargs: False,
    "touch": lambda args, kwargs: False,
    "delete": lambda args, kwargs: False,
    "set_many": lambda args, kwargs: list(args[0]) if args else [],
}
_SKIPPED = ("set", "delete_many", "clear")


class OutageTolerantRedisCache(RedisCache):
    """Django's RedisCache, where an unreachable Redis is a miss (reads) or a no-op (writes)."""

    _last_warning = 0.0

    def __init__(self, server, params):
        options = params.setdefault("OPTIONS", {})
        # Fail fast: a page must not wait on a cache that is not there.
        options.setdefault("socket_connect_timeout", 0.5)
        options.setdefault("socket_timeout", 0.5)
        super().__init__(server, params)

    def _outage(self, name: str, error: Exception) -> None:
        now = time.monotonic()
        if now - OutageTolerantRedisCache._last_warning > 60:
            OutageTolerantRedisCache._last_warning = now
            logger.warning("Cache unreachable (%s on %s): serving without it", error, name)


def _tolerant(name: str, on_outage):
    method = getattr(RedisCache, name)

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except RedisError as error:
            self._outage(name, error)
            return on_outage(args, kwargs)

    return wrapper


for _name, _result in _MISS_RESULTS.items():
    setattr(OutageTolerantRedisCache, _name, _tolerant(_name, _result))
for _name in _SKIPPED:
    setattr(OutageTolerantRedisCache, _name, _tolerant(_name, lambda args, kwargs: None))


def cache_is_reachable(cache) -> bool:
    """Does a write and read of the cache work right now? (For /healthz; raises nothing.)"""
    if isinstance(cache, RedisCache):
        try:
            return bool(cache._cache.get_client(write=True).ping())
        except RedisError:
            return False
    try:
        cache.set("healthz", "ok", 5)
        return cache.get("healthz") == "ok"
    except Exception:
        return False
