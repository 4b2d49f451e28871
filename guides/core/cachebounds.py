"""Where the caches live and how much they may hold.

`CACHE_URL` (read by ilg/settings.py through `caches_from_url()`) chooses the store:

- `locmem://` (the default): each app process keeps its own caches in memory, through
  `BoundedLocMemCache`, which caps both one entry's size and the total bytes held
  (least recently used entries go first), so no run of distinct addresses can grow a
  process without limit;
- `redis://host:6379/0` (or `rediss://` for TLS): every app server shares one Redis,
  through Django's built-in Redis backend. Redis bounds its own total with its
  `maxmemory` and `maxmemory-policy allkeys-lru` settings; the page cache still refuses
  entries over its size limit before they are sent.

Nothing here imports Django's models: the settings module calls it.
"""

from __future__ import annotations

import pickle
from typing import Any
from urllib.parse import urlsplit

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.exceptions import ImproperlyConfigured

# What one process's memory caches may hold by default (bytes).
DEFAULT_MAX_BYTES = 64 * 1024 * 1024
DEFAULT_MAX_ENTRY_BYTES = 1024 * 1024

_sizes: dict[str, dict[str, int]] = {}


class BoundedLocMemCache(LocMemCache):
    """Django's local-memory cache with two more bounds, in OPTIONS: `MAX_BYTES` (the
    pickled size of everything held) and `MAX_ENTRY_BYTES` (one value; a larger one is
    not stored at all). MAX_ENTRIES still applies."""

    def __init__(self, name: str, params: dict[str, Any]) -> None:
        options = dict(params.get("OPTIONS") or {})
        self.max_bytes = int(options.pop("MAX_BYTES", DEFAULT_MAX_BYTES))
        self.max_entry_bytes = int(options.pop("MAX_ENTRY_BYTES", DEFAULT_MAX_ENTRY_BYTES))
        super().__init__(name, {**params, "OPTIONS": options})
        self._sizes = _sizes.setdefault(name, {})

    @property
    def total_bytes(self) -> int:
        """The pickled bytes held now (for the tests and the curious)."""
        with self._lock:
            return sum(self._sizes.values())

    def _too_big(self, pickled: bytes) -> bool:
        return len(pickled) > min(self.max_entry_bytes, self.max_bytes)

    def add(
        self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> bool:
        pickled = pickle.dumps(value, self.pickle_protocol)
        if self._too_big(pickled):
            return False
        return super().add(key, value, timeout, version)

    def set(
        self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> None:
        pickled = pickle.dumps(value, self.pickle_protocol)
        key = self.make_and_validate_key(key, version=version)
        with self._lock:
            if self._too_big(pickled):
                self._delete(key)  # an older, smaller value must not outlive this one
                return
            self._set(key, pickled, timeout)

    def _set(self, key: str, value: bytes, timeout: Any = DEFAULT_TIMEOUT) -> None:
        self._delete(key)
        size = len(value)
        while self._cache and sum(self._sizes.values()) + size > self.max_bytes:
            self._pop_oldest()
        super()._set(key, value, timeout)
        self._sizes[key] = size

    def _pop_oldest(self) -> None:
        key, _ = self._cache.popitem()  # the least recently used is last
        self._expire_info.pop(key, None)
        self._sizes.pop(key, None)

    def _cull(self) -> None:
        super()._cull()
        for key in [k for k in self._sizes if k not in self._cache]:
            del self._sizes[key]

    def _delete(self, key: str) -> bool:
        self._sizes.pop(key, None)
        return super()._delete(key)

    def incr(self, key: str, delta: int = 1, version: Any = None) -> int:
        value = super().incr(key, delta, version)
        stored = self.make_and_validate_key(key, version=version)
        with self._lock:
            if stored in self._cache:
                self._sizes[stored] = len(self._cache[stored])
        return value

    def clear(self) -> None:
        with self._lock:
            self._sizes.clear()
        super().clear()


def caches_from_url(
    url: str, *, max_bytes: int = DEFAULT_MAX_BYTES, max_entry_bytes: int = DEFAULT_MAX_ENTRY_BYTES
) -> dict[str, dict[str, Any]]:
    """The CACHES setting for `CACHE_URL`: the `default` cache (guide and tool PDFs,
    throttles) and the `pages` cache (signed-out pages), in the same store."""
    url = (url or "locmem://").strip()
    scheme = urlsplit(url).scheme.lower()
    if scheme == "locmem":
        local = {
            "BACKEND": "guides.core.cachebounds.BoundedLocMemCache",
            "OPTIONS": {
                "MAX_ENTRIES": 5000,
                "MAX_BYTES": max_bytes,
                "MAX_ENTRY_BYTES": max_entry_bytes,
            },
        }
        return {
            "default": {**local, "LOCATION": "default"},
            "pages": {**local, "LOCATION": "pages"},
        }
    if scheme in ("redis", "rediss", "unix"):
        shared = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
        return {
            "default": {**shared, "KEY_PREFIX": "ilg"},
            "pages": {**shared, "KEY_PREFIX": "ilg-pages"},
        }
    raise ImproperlyConfigured(
        f"CACHE_URL must be locmem:// or redis://host:port/db (or rediss://), not {url!r}"
    )
