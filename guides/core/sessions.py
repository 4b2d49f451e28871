"""The two lookups every signed-in request makes, made cheaper (SESSION_ENGINE and
AUTHENTICATION_BACKENDS point here).

- `SessionStore`: Django's database sessions, reading a session with one fixed SQL
  statement instead of building an ORM query each time; on a signed-in page request
  the session is read in the same statement as the site version
  (`read_with_token()`, called by the page cache middleware), so the page costs one
  query. Writing, creating and deleting
  are Django's own, so a session is still ended for everyone the moment it is deleted
  (signing out, or "this is a shared computer" at browser close).
- `ModelBackend`: Django's, with the signed-in user's row kept in this process's memory
  for the current site version (guides/core/caching.py). Every change to a user, their
  groups or a group's permissions moves the site version on, and each request reads the
  version first, so a kept row is never older than the database's at that moment: a
  user made inactive, or whose password changed, is signed out on their next request
  as before. Only rows read while the version is known are kept (signed-in page
  requests); the store is bounded, and it is never shared between machines (it holds
  password hashes, which do not belong in a shared cache).
"""

from __future__ import annotations

import copy
import functools
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, backends
from django.contrib.sessions.backends import db
from django.db import connection, connections, router
from django.http import HttpRequest
from django.utils import timezone

from guides.core import caching

# Sessions written while Django's own backend was the one named in the settings.
EARLIER_BACKEND = "django.contrib.auth.backends.ModelBackend"
BACKEND = "guides.core.sessions.ModelBackend"


# The session read with the site version at the start of this request: (key, data or
# None), used once by the SessionStore for that key.
_read: ContextVar[tuple[str, str | None] | None] = ContextVar("session_read", default=None)


@contextmanager
def read_with_token(request: HttpRequest) -> Iterator[str]:
    """The site version now, and (with this store, on the default database) the
    request's session read in the same statement, for the SessionStore to use."""
    key = request.COOKIES.get(settings.SESSION_COOKIE_NAME, "")
    model = SessionStore.get_model_class()
    if (
        settings.SESSION_ENGINE != __name__
        or not key
        or router.db_for_read(model) != connection.alias
    ):
        yield caching.current_token()
        return
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    row = caching.first_query(_token_and_session_sql(), [key, now])
    reset = _read.set((key, row[1]))
    try:
        yield row[0] or ""
    finally:
        _read.reset(reset)


@functools.cache
def _session_sql(alias: str) -> str:
    table = connections[alias].ops.quote_name(SessionStore.get_model_class()._meta.db_table)
    return f"SELECT session_data FROM {table} WHERE session_key = %s AND expire_date > %s"


@functools.cache
def _token_and_session_sql() -> str:
    from guides.core.models import SiteVersion

    quote = connection.ops.quote_name
    return (
        f"SELECT (SELECT token FROM {quote(SiteVersion._meta.db_table)} WHERE id = 1), "
        f"(SELECT session_data FROM {quote(SessionStore.get_model_class()._meta.db_table)} "
        "WHERE session_key = %s AND expire_date > %s)"
    )


class SessionStore(db.SessionStore):
    def load(self) -> dict[str, Any]:
        data = super().load()
        if data.get(BACKEND_SESSION_KEY) == EARLIER_BACKEND:
            data[BACKEND_SESSION_KEY] = BACKEND  # the same rows and checks: still signed in
        return data

    def _get_session_from_db(self) -> Any:
        key = self.session_key
        if not key:
            self._session_key = None
            return None
        read = _read.get()
        if read is not None and read[0] == key:
            _read.set(None)  # once: a session loaded again is read again
            if read[1] is None:
                self._session_key = None
                return None
            return self.model(session_key=key, session_data=read[1])
        alias = router.db_for_read(self.model)
        database = connections[alias]
        now = database.ops.adapt_datetimefield_value(timezone.now())
        with database.cursor() as cursor:
            cursor.execute(_session_sql(alias), [key, now])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return self.model(session_key=key, session_data=row[0])


class _Kept:
    """A small least-recently-used store of user rows, by (site version, user id)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.rows: OrderedDict[tuple[str, str], Any] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple[str, str]) -> Any:
        with self.lock:
            row = self.rows.get(key)
            if row is not None:
                self.rows.move_to_end(key)
            return row

    def put(self, key: tuple[str, str], row: Any) -> None:
        with self.lock:
            self.rows[key] = row
            self.rows.move_to_end(key)
            while len(self.rows) > self.size:
                self.rows.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.rows.clear()


kept_users = _Kept(size=2000)


class ModelBackend(backends.ModelBackend):
    def get_user(self, user_id: Any) -> Any:
        token = caching.token_of_this_request()
        if token is None:
            return super().get_user(user_id)
        key = (token, str(user_id))
        user = kept_users.get(key)
        if user is None:
            user = super().get_user(user_id)
            if user is None:
                return None
            kept_users.put(key, copy.copy(user))
            return user
        # A copy per request: a request may change its user (permissions cached on it,
        # a new last_login) without touching the kept row.
        return copy.copy(user)
