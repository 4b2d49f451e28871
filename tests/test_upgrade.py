"""A database made by the single-app layout (tests/data/old-layout.sqlite3.gz: made by
commit 75ef4c5 from tests/content, with two staff, a published example with a tool and
tags, a draft, and a module of three items) is moved in place by `upgrade_layout`, and
plain `migrate` refuses it rather than hide what staff made behind new, empty tables."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest

from tests.factories import manage

pytestmark = pytest.mark.slow

OLD_DATABASE = Path(__file__).parent / "data" / "old-layout.sqlite3.gz"
AFTER = """
import json
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from guides.examples.models import LocalExample
from guides.search.engine import search
from guides.training.models import Module
facilitator = User.objects.get(username="facilitator")
trainer = User.objects.get(username="trainer")
published = LocalExample.objects.get(title="Old layout example")
# The manifest storage needs collectstatic, which this test does not run.
plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
settings.STORAGES = {**settings.STORAGES, "staticfiles": plain}
client = Client(HTTP_HOST="127.0.0.1")
print("FACTS " + json.dumps({
    "examples": sorted(LocalExample.objects.values_list("title", "status")),
    "tags": sorted(published.tags.names()),
    "tools": list(published.tools.values_list("slug", flat=True)),
    "items": list(Module.objects.get().items.values_list("kind", "title")),
    "facilitator may add": facilitator.has_perm("examples.add_localexample"),
    "trainer may build": trainer.has_perm("training.add_module"),
    "found": [r.key for r in search("old layout").results],
    "example page": client.get(published.get_absolute_url()).status_code,
    "search page": client.get("/search/?q=old+layout").status_code,
}))
"""


@pytest.fixture
def old_database(tmp_path: Path) -> dict[str, str]:
    path = tmp_path / "old.sqlite3"
    with gzip.open(OLD_DATABASE) as source, path.open("wb") as target:
        shutil.copyfileobj(source, target)
    return {"DATABASE_URL": f"sqlite:///{path}"}


def test_migrate_refuses_an_old_database_and_says_what_to_do(old_database):
    result = manage("migrate", "--noinput", **old_database)
    assert result.returncode != 0
    assert "python manage.py upgrade_layout" in result.stderr
    # Nothing was made beside the old tables.
    tables = "from django.db import connection; print(connection.introspection.table_names())"
    check = manage("shell", "-c", tables, **old_database)
    assert "guides_localexample" in check.stdout and "examples_localexample" not in check.stdout


def test_upgrade_moves_everything_staff_made_to_the_new_apps(old_database):
    result = manage("upgrade_layout", **old_database)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Nothing staff made was lost" in result.stdout
    facts = manage("shell", "-c", AFTER, **old_database)
    assert facts.returncode == 0, facts.stderr[-3000:]
    line = next(x for x in facts.stdout.splitlines() if x.startswith("FACTS "))
    assert json.loads(line.removeprefix("FACTS ")) == {
        "examples": [["Old layout draft", "draft"], ["Old layout example", "published"]],
        "tags": ["cardiac", "old layout"],
        "tools": ["pdsa-cycles"],
        "items": [["guide", "Process mapping, analysis and redesign"],
                  ["example", "Old layout example"], ["note", "Exercise"]],
        "facilitator may add": True,
        "trainer may build": True,
        "found": ["example:1"],
        "example page": 200,
        "search page": 200,
    }  # fmt: skip
    again = manage("upgrade_layout", **old_database)
    assert again.returncode == 0 and "nothing to move" in again.stdout
    migrate = manage("migrate", "--noinput", "--check", **old_database)
    assert migrate.returncode == 0, migrate.stdout + migrate.stderr
