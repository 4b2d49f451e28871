import inspect
from pathlib import Path

import pytest
from django.conf import settings

from guides.library.content import load_content

TEST_CONTENT = Path(__file__).parent / "content"


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # The manifest storage needs `collectstatic`; tests serve static files plainly.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _site_url(settings):
    # The test client's host: absolute addresses come from SITE_URL, not the request.
    settings.SITE_URL = "http://testserver"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Tests make many users: a fast hasher keeps them quick (never in production)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _page_cache_off(settings):
    # Tests change data in ways no app code does (rows created straight in the test,
    # transactions rolled back): the anonymous page cache is on only where a test asks
    # for it with the `page_cache` fixture (tests/test_caching.py, browser journeys).
    settings.PAGE_CACHE_SECONDS = 0


@pytest.fixture
def page_cache(settings):
    """The anonymous page cache switched on, and empty."""
    from django.core.cache import caches

    from guides.core.caching import CACHE_ALIAS
    from guides.core.sessions import kept_users

    settings.PAGE_CACHE_SECONDS = 600
    caches[CACHE_ALIAS].clear()
    kept_users.clear()
    yield caches[CACHE_ALIAS]
    caches[CACHE_ALIAS].clear()
    kept_users.clear()


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    """A throwaway redis-server of the tests' own (no saving to disk), as a CACHE_URL.
    Skipped with a message when the binary is missing; with CI=true that is a failure."""
    import os
    import shutil
    import socket
    import subprocess
    import time

    binary = shutil.which("redis-server")
    if binary is None:
        message = "redis-server not found (apt-get install redis-server): Redis tests skipped"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message.replace("skipped", "required with CI=true"))
        pytest.skip(message)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    folder = tmp_path_factory.mktemp("redis")
    server = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
         "no", "--dir", str(folder), "--maxmemory", "64mb", "--maxmemory-policy",
         "allkeys-lru"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                pytest.fail(f"redis-server did not start on port {port}")
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    server.terminate()
    server.wait(10)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the real content once; each test runs in a transaction that is rolled back."""
    with django_db_blocker.unblock():
        load_content(settings.CONTENT_DIR)


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    """A copy of the small test library that a test may change freely."""
    import shutil

    target = tmp_path / "content"
    shutil.copytree(TEST_CONTENT, target)
    return target


# Whole files whose every test is slow: a real browser, gunicorn and a database cut, or
# manage.py in subprocesses against databases of their own.
SLOW_PATHS = ("/browser/", "/test_resilience.py", "/test_backups.py", "/test_upgrade.py")


# And any test that makes a PDF (WeasyPrint takes a second or so each time).
SLOW_CALLS = ("pdf_of(", "write_pdf(", "handout.pdf")


def _makes_a_pdf(item) -> bool:
    function = getattr(item, "function", None)
    try:
        source = inspect.getsource(function) if function else ""
    except (OSError, TypeError):
        return False
    return any(call in source for call in SLOW_CALLS)


def pytest_collection_modifyitems(config, items):
    for item in items:
        path = str(item.fspath).replace("\\", "/")
        if any(part in path for part in SLOW_PATHS) or _makes_a_pdf(item):
            item.add_marker(pytest.mark.slow)
    # Browser tests use real transactions, after which pytest-django empties the tables:
    # run them last so the content loaded once for the session serves everything else.
    items.sort(key=lambda item: "/browser/" in str(item.fspath).replace("\\", "/"))


class Inbox:
    """What a real SMTP server (aiosmtpd, on a free local port) received, as parsed
    messages; `refuse` makes it refuse every recipient, as a misconfigured relay does."""

    def __init__(self, refuse: bool = False) -> None:
        self.messages: list = []
        self.refuse = refuse

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse:
            return "550 5.7.1 Relaying denied"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        import email
        from email import policy

        message = email.message_from_bytes(envelope.content, policy=policy.default)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list:
        return [m for m in self.messages if m["To"] == address]

    @staticmethod
    def body(message) -> str:
        return message.get_body(preferencelist=("plain",)).get_content()


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _smtp(settings, handler: Inbox):
    from aiosmtpd.controller import Controller

    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    return controller


@pytest.fixture
def smtp_inbox(settings):
    """Django's SMTP email backend pointed at a real SMTP server started for the test."""
    inbox = Inbox()
    controller = _smtp(settings, inbox)
    yield inbox
    controller.stop()


@pytest.fixture
def refusing_smtp(settings):
    """An SMTP server that refuses every recipient."""
    inbox = Inbox(refuse=True)
    controller = _smtp(settings, inbox)
    yield inbox
    controller.stop()
