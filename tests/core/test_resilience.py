"""When the database goes away the site says so quickly (a 503 page) and comes back by
itself when the database does, without restarting the app."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection
from django.db.utils import InterfaceError, OperationalError
from django.test import Client

from tests.factories import assert_hardened

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def database_down(monkeypatch):
    def refused(*args, **kwargs):
        raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")

    monkeypatch.setattr(connection, "cursor", refused)


@pytest.mark.parametrize(
    "url", ["/", "/guides/process-mapping/", "/search/?q=pdsa", "/examples/", "/api/guides/"]
)
def test_a_database_outage_is_a_friendly_503_with_the_security_headers(database_down, url):
    client = Client(raise_request_exception=False)
    response = client.get(url)
    assert response.status_code == 503
    assert "Back in a moment" in response.content.decode()
    assert response["Retry-After"] == "10"
    assert "no-store" in response["Cache-Control"]
    assert_hardened(response)


def test_the_cached_page_path_gives_the_503_too(page_cache, database_down):
    response = Client(raise_request_exception=False).get("/guides/process-mapping/")
    assert response.status_code == 503


def test_a_closed_connection_is_a_503_not_a_500(monkeypatch):
    def closed(*args, **kwargs):
        raise InterfaceError("connection already closed")

    monkeypatch.setattr(connection, "cursor", closed)
    assert Client(raise_request_exception=False).get("/tools/").status_code == 503


def test_other_errors_stay_a_500(monkeypatch):
    from guides.library.views import browse

    def bug(*args, **kwargs):
        raise ValueError("a bug, not an outage")

    monkeypatch.setattr(browse, "render", bug)
    response = Client(raise_request_exception=False).get("/")
    assert response.status_code == 500
    assert "Sorry, something went wrong" in response.content.decode()


def test_the_site_version_read_reconnects_once_when_its_connection_has_gone(monkeypatch):
    # The first query of a request doubles as the connection's health check: a cut
    # connection is closed and the query tried once more on a new one.
    from guides.core import caching

    calls, closed = [], []

    def fetch(sql, params=None):
        calls.append(sql)
        if len(calls) == 1:
            raise OperationalError("terminating connection due to administrator command")
        return ("abc",)

    from django.db import connections

    wrapper = connections["default"]  # the object itself, not the proxy
    wrapper.ensure_connection()
    monkeypatch.setattr(caching, "_fetch_one", fetch)
    monkeypatch.setattr(wrapper, "close", lambda: closed.append(True))
    monkeypatch.setattr(wrapper, "in_atomic_block", False)
    monkeypatch.setattr(wrapper, "health_check_enabled", True)
    monkeypatch.setattr(wrapper, "health_check_done", False)
    assert caching.current_token() == "abc"
    assert len(calls) == 2 and closed == [True]
    assert wrapper.health_check_done  # no separate SELECT 1 for this request

    # Later in the same request the check is done: an error is an error.
    calls.clear()
    with pytest.raises(OperationalError):
        caching.current_token()


# A real outage under load, on PostgreSQL ---------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _fetch(url: str, timeout: float = 5.0) -> tuple[int, float, bytes, dict]:
    started = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, time.monotonic() - started, response.read(), response.headers
    except urllib.error.HTTPError as error:
        return error.code, time.monotonic() - started, error.read(), error.headers


def _admin_sql(settings_dict: dict, *statements: str) -> None:
    import psycopg

    with psycopg.connect(
        host=settings_dict["HOST"],
        port=settings_dict["PORT"] or 5432,
        user=settings_dict["USER"],
        password=settings_dict["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as admin:
        for statement in statements:
            admin.execute(statement)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
def test_the_site_fails_fast_while_postgresql_is_away_and_recovers_by_itself(tmp_path):
    db = connection.settings_dict
    name = db["NAME"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        own_pid = cursor.fetchone()[0]
    port = _free_port()
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{name}"
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DATABASE_URL": url,
        "DEBUG": "false",
        "SECRET_KEY": "resilience-test-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1",
        "CONN_MAX_AGE": "600",
    }
    log = tmp_path / "gunicorn.log"
    # As in production (make run): the manifest storage needs the collected files.
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=ROOT, env=env, check=True, timeout=120,
    )  # fmt: skip
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "ilg.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", "2", "--log-file", str(log)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    down = f"ALTER DATABASE {name} WITH ALLOW_CONNECTIONS false"
    up = f"ALTER DATABASE {name} WITH ALLOW_CONNECTIONS true"
    kill = (
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        f"WHERE datname = '{name}' AND pid <> {own_pid} AND pid <> pg_backend_pid()"
    )
    results: list[tuple[float, str, int, float]] = []
    stop = threading.Event()
    try:
        for _ in range(100):
            try:
                if _fetch(base + "/healthz", timeout=1)[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        else:
            pytest.fail("gunicorn did not start: " + log.read_text()[-2000:])

        paths = ["/guides/process-mapping/", "/healthz", "/search/?q=pdsa", "/tools/"]

        def load(path: str) -> None:
            while not stop.is_set():
                started = time.monotonic()
                try:
                    status, elapsed, _, _ = _fetch(base + path)
                except OSError:
                    status, elapsed = 0, time.monotonic() - started
                results.append((started, path, status, elapsed))

        threads = [threading.Thread(target=load, args=(p,)) for p in paths]
        for t in threads:
            t.start()
        time.sleep(1.5)
        # A restart so quick that the database is back at once: connections are cut.
        killed = time.monotonic()
        _admin_sql(db, kill)
        time.sleep(1.5)
        went_down = time.monotonic()
        _admin_sql(db, down, kill)  # as when PostgreSQL stops: connections cut, none taken
        time.sleep(2.5)
        # While it is away: the 503 page, with its headers.
        status, elapsed, body, headers = _fetch(base + "/guides/process-mapping/")
        assert status == 503 and b"Back in a moment" in body
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert headers["Retry-After"] == "10"
        came_back = time.monotonic()
        _admin_sql(db, up)
        time.sleep(2.5)
        stop.set()
        for t in threads:
            t.join()
    finally:
        stop.set()
        _admin_sql(db, up)
        server.terminate()
        server.wait(timeout=10)

    statuses = {status for _, _, status, _ in results}
    assert statuses <= {200, 503}, f"only 200 and 503 expected, got {sorted(statuses)}"
    before = [r for r in results if r[0] + r[3] < killed]
    reconnected = [r for r in results if killed + 0.3 < r[0] and r[0] + r[3] < went_down]
    during = [r for r in results if went_down + 0.5 < r[0] and r[0] + r[3] < came_back]
    after = [r for r in results if r[0] > came_back + 1.0]
    assert before and reconnected and during and after
    assert all(status == 200 for _, _, status, _ in before)
    # Cut connections are noticed and replaced: the next requests just work.
    assert all(status == 200 for _, _, status, _ in reconnected), reconnected
    assert all(status == 503 for _, _, status, _ in during), during
    # Failing fast: no request waits for a timeout while the database is away.
    assert max(elapsed for *_, elapsed in during) < 1.0
    assert all(status == 200 for _, _, status, _ in after), after
    # Recovered without a restart: the same two workers served everything.
    assert log.read_text().count("Booting worker") == 2
