"""Static files as production serves them: collected by the project's storage, with
hashed names that can be cached for good."""

import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from ilg import settings as project_settings

IMPORT = re.compile(r"""\bimport\b[^'"]*?\bfrom\s*["']([^"']+)["']""")


@pytest.fixture
def collected(settings, tmp_path: Path) -> Path:
    settings.STORAGES = project_settings.STORAGES  # the conftest's plain storage undone
    settings.STATIC_ROOT = tmp_path / "static"
    call_command("collectstatic", interactive=False, verbosity=0)
    return settings.STATIC_ROOT


@pytest.mark.slow
@pytest.mark.django_db
def test_the_module_script_imports_hashed_copies_that_are_cached_for_good(collected):
    page = Client().get("/").content.decode()
    tag = r'<script type="module" src="/static/(js/nhsuk-init\.[0-9a-f]{12}\.js)"'
    found = re.search(tag, page)
    assert found, "the page should name the hashed copy of the module script"
    script = (collected / found.group(1)).read_text()
    imports = IMPORT.findall(script)
    assert imports, "nhsuk-init should import the NHS.UK frontend"
    for name in imports:
        assert re.search(r"\.[0-9a-f]{12}\.js$", name), f"{name} is imported by its unhashed name"
        target = (collected / found.group(1)).parent / name
        assert target.resolve().is_file(), f"{name} is not among the collected files"
        url = "/static/" + target.resolve().relative_to(collected.resolve()).as_posix()
        response = Client().get(url)
        assert response.status_code == 200
        assert (
            "immutable" in response["Cache-Control"]
            or "max-age=315360000" in response["Cache-Control"]
        ), response["Cache-Control"]
