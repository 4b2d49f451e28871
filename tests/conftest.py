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

    settings.PAGE_CACHE_SECONDS = 600
    caches[CACHE_ALIAS].clear()
    yield caches[CACHE_ALIAS]
    caches[CACHE_ALIAS].clear()


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
