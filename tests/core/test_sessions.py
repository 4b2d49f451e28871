"""The signed-in request's two lookups made cheaper (guides/core/sessions.py): the session
read with one plain statement, and the user's row kept per site version. Nothing about
who is signed in may lag behind the database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DjangoStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from guides.core import caching, sessions
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

GUIDE = "/guides/process-mapping/"
PAGES = [GUIDE, "/tools/run-charts/", "/glossary/pdsa/"]


def get(client: Client, url: str = GUIDE):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    response.queries = [q["sql"] for q in queries]
    response.text = response.content.decode()
    return response


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def fred():
    return make_user("fred_facilitator", "facilitator", first_name="Fred", last_name="Ward")


def test_the_settings_use_these_stores():
    assert settings.SESSION_ENGINE == "guides.core.sessions"
    assert "guides.core.sessions.ModelBackend" in settings.AUTHENTICATION_BACKENDS
    assert "django.contrib.auth.backends.ModelBackend" not in settings.AUTHENTICATION_BACKENDS


@pytest.mark.parametrize("url", PAGES)
def test_a_signed_in_page_costs_one_query(page_cache, fred, url):
    client = signed_in(fred)
    get(client, url)
    page = get(client, url)
    assert "Sign out" in page.text and "Fred Ward" in page.text
    # The site version and the session in one statement: no user row, no permissions,
    # no content.
    assert len(page.queries) == 1, page.queries
    assert "core_siteversion" in page.queries[0] and "django_session" in page.queries[0]


def test_a_new_name_shows_at_once(page_cache, fred):
    client = signed_in(fred)
    get(client)
    assert "Fred Ward" in get(client).text
    fred.first_name = "Frederick"
    fred.save()
    assert "Frederick Ward" in get(client).text


def test_an_account_made_inactive_is_signed_out_at_its_next_request(page_cache, fred):
    client = signed_in(fred)
    get(client)
    fred.is_active = False
    fred.save()
    page = get(client).text
    assert "Fred Ward" not in page and "Staff sign in" in page


def test_a_password_changed_elsewhere_signs_this_session_out(page_cache, fred):
    client = signed_in(fred)
    get(client)
    assert "Sign out" in get(client).text
    fred.set_password("a-new-password-for-fred-0427")
    fred.save()
    page = get(client).text
    assert "Sign out" not in page and "Staff sign in" in page


def test_a_deleted_account_is_signed_out(page_cache, fred):
    client = signed_in(fred)
    get(client)
    fred.delete()
    assert "Staff sign in" in get(client).text


def test_signing_out_ends_the_session_everywhere(page_cache, fred):
    client = signed_in(fred)
    other = Client()
    # The same session in another browser (or a request to another process).
    other.cookies[settings.SESSION_COOKIE_NAME] = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert "Fred Ward" in get(other).text
    assert "Fred Ward" in get(other).text
    client.post("/accounts/logout/")
    assert "Staff sign in" in get(other).text


def test_each_request_gets_its_own_copy_of_the_kept_row(fred):
    backend = sessions.ModelBackend()
    reset = caching._this_request.set("a-site-version")
    try:
        first = backend.get_user(fred.pk)
        first.first_name = "Changed in one request"
        first._perm_cache = {"made.up"}
        with CaptureQueriesContext(connection) as queries:
            second = backend.get_user(fred.pk)
        assert len(queries) == 0
        assert second.first_name == "Fred" and not hasattr(second, "_perm_cache")
        assert second is not first
    finally:
        caching._this_request.reset(reset)


def test_without_a_site_version_the_row_is_read_every_time(fred):
    backend = sessions.ModelBackend()
    assert caching.token_of_this_request() is None
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            assert backend.get_user(fred.pk).pk == fred.pk
        assert len(queries) == 1


def test_the_kept_rows_are_bounded_and_the_least_recently_used_go_first():
    kept = sessions._Kept(size=3)
    for n in range(3):
        kept.put(("v", str(n)), n)
    assert kept.get(("v", "0")) == 0  # used: now the newest
    kept.put(("v", "3"), 3)
    assert kept.get(("v", "1")) is None
    assert [kept.get(("v", str(n))) for n in (0, 2, 3)] == [0, 2, 3]
    for n in range(100):
        kept.put(("w", str(n)), n)
    assert len(kept.rows) == 3


def test_a_kept_row_is_never_used_under_another_site_version(fred):
    backend = sessions.ModelBackend()
    reset = caching._this_request.set("version-1")
    try:
        backend.get_user(fred.pk)
    finally:
        caching._this_request.reset(reset)
    reset = caching._this_request.set("version-2")
    try:
        with CaptureQueriesContext(connection) as queries:
            backend.get_user(fred.pk)
        assert len(queries) == 1
    finally:
        caching._this_request.reset(reset)


# The session store ----------------------------------------------------------------------


def django_session(user, **extra) -> DjangoStore:
    store = DjangoStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "guides.core.sessions.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    for name, value in extra.items():
        store[name] = value
    store.save()
    return store


def test_the_store_reads_what_djangos_wrote_in_one_query(fred):
    written = django_session(fred, colour="blue", numbers=[1, 2, 3])
    store = sessions.SessionStore(written.session_key)
    with CaptureQueriesContext(connection) as queries:
        data = dict(store.items())
    assert len(queries) == 1
    assert data == dict(DjangoStore(written.session_key).items())
    assert data["colour"] == "blue" and data["numbers"] == [1, 2, 3]


def test_an_expired_or_unknown_session_is_empty_and_gets_a_new_key(fred):
    written = django_session(fred)
    Session.objects.filter(pk=written.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    for key in (written.session_key, "no-such-session-key-0123456789", ""):
        store = sessions.SessionStore(key or None)
        assert dict(store.items()) == {}
        store["new"] = 1
        store.save()
        # Never the key the browser offered: no one can choose another's session key.
        assert store.session_key and store.session_key != key


def test_a_session_from_before_this_store_still_signs_in(page_cache, fred):
    """Sessions written while Django's own backend was named keep working."""
    store = DjangoStore()
    store[SESSION_KEY] = str(fred.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = fred.get_session_auth_hash()
    store.save()
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = store.session_key
    assert "Fred Ward" in get(client).text
    assert "Fred Ward" in get(client, "/examples/mine/").text


def test_signing_in_through_the_form_writes_a_session_this_store_reads(fred):
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": "fred_facilitator", "password": "wrong-password-1"}
    )
    assert response.status_code == 200  # a wrong password: the form again
    response = client.post(
        "/accounts/login/", {"username": "fred_facilitator", "password": PASSWORD}
    )
    assert response.status_code == 302
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    store = sessions.SessionStore(key)
    assert store[SESSION_KEY] == str(fred.pk)
    assert store[BACKEND_SESSION_KEY] in settings.AUTHENTICATION_BACKENDS
    assert "Fred Ward" in get(client).text


def test_an_expired_session_is_signed_out_on_a_page_read_in_one_statement(page_cache, fred):
    client = signed_in(fred)
    get(client)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    Session.objects.filter(pk=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    page = get(client)
    assert "Fred Ward" not in page.text and "Staff sign in" in page.text


def test_a_site_with_no_version_yet_still_signs_in(page_cache, fred):
    from guides.core.models import SiteVersion

    client = signed_in(fred)
    SiteVersion.objects.all().delete()
    assert caching.current_token() == ""
    assert "Fred Ward" in get(client).text
    assert "Fred Ward" in get(client).text


def test_the_session_read_with_the_version_is_used_once(fred):
    written = django_session(fred, colour="green")
    request = type("Request", (), {"COOKIES": {settings.SESSION_COOKIE_NAME: written.session_key}})
    with sessions.read_with_token(request):
        with CaptureQueriesContext(connection) as queries:
            assert sessions.SessionStore(written.session_key)["colour"] == "green"
            assert sessions.SessionStore(written.session_key)["colour"] == "green"
        assert len(queries) == 1  # the second store read the database itself
        assert sessions.SessionStore("another-key-0123456789").get("colour") is None
    assert sessions._read.get() is None
