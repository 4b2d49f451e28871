"""Backups restore: the export command's file into a fresh database, and (on PostgreSQL)
a pg_dump of the whole database into a fresh one, with every count compared."""

from __future__ import annotations

import glob
import json
import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection

from tests.factories import ROOT, every_count, populate

pytestmark = pytest.mark.django_db

COUNT_SCRIPT = """
import json, os, sys
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ilg.settings")
django.setup()
from django.core.management import call_command
from tests.factories import every_count
step = sys.argv[1]
if step == "restore":
    call_command("migrate", verbosity=0)
    call_command("load_guides", verbosity=0)
    for spec in json.loads(sys.argv[3]):
        roles = [arg for role in spec["roles"] for arg in ("--role", role)]
        email = spec["username"] + "@nhs.example"
        call_command("create_user", spec["username"], "--no-password", "--email", email, *roles,
                     stdout=open(os.devnull, "w"))
    call_command("import_examples", sys.argv[2], verbosity=0, stdout=open(os.devnull, "w"))
elif step == "populate":
    from tests.factories import populate
    call_command("migrate", verbosity=0)
    call_command("load_guides", verbosity=0)
    populate()
print("COUNTS " + json.dumps(every_count(), sort_keys=True, default=str))
"""


def run_script(database_url: str, *args: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update({"DATABASE_URL": database_url, "DEBUG": "false"})
    result = subprocess.run(
        [sys.executable, "-c", COUNT_SCRIPT, *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    line = next(x for x in result.stdout.splitlines() if x.startswith("COUNTS "))
    return json.loads(line.removeprefix("COUNTS "))


def test_an_export_restores_into_a_fresh_database_with_every_count(tmp_path):
    populate()
    from guides.training.models import Module

    Module.objects.all().delete()  # modules are not in the examples export (pg_dump has them)
    source = every_count()
    assert source["examples.localexample"] == 5
    assert source["examples without an author"] == 1
    path = tmp_path / "examples.json"
    call_command("export_examples", "--output", str(path))
    users = [
        {"username": u.username, "roles": [g.name.lower().rstrip("s") for g in u.groups.all()]}
        for u in apps.get_model("auth", "User").objects.prefetch_related("groups")
    ]
    with fresh_database(tmp_path) as url:
        restored = run_script(url, "restore", str(path), json.dumps(users))
    differences = {
        name: (count, restored.get(name))
        for name, count in source.items()
        if restored.get(name) != count
    }
    assert differences == {}
    assert restored["examples.localexample"] == 5


def _pg_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


def _admin(sql: str) -> None:
    import psycopg

    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"],
        password=db["PASSWORD"] or None, dbname="postgres", autocommit=True,
    ) as admin:  # fmt: skip
        admin.execute(sql)


def _pg_url(name: str) -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{name}"


class fresh_database:
    """An empty database of the same kind as the one the tests run on."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.name = f"ilg_restore_{secrets.token_hex(4)}"

    def __enter__(self) -> str:
        if connection.vendor == "postgresql":
            _admin(f"CREATE DATABASE {self.name}")
            return _pg_url(self.name)
        return f"sqlite:///{self.tmp_path / 'restored.sqlite3'}"

    def __exit__(self, *exc) -> None:
        if connection.vendor == "postgresql":
            _admin(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")


def table_counts(url: str) -> dict[str, int]:
    import psycopg

    with psycopg.connect(url.replace("postgres://", "postgresql://")) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1"
            )
        ]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump needs PostgreSQL")
def test_pg_dump_restores_into_a_fresh_database_with_every_count(tmp_path):
    import psycopg

    pg_dump, pg_restore = _pg_bin("pg_dump"), _pg_bin("pg_restore")
    if not (pg_dump and pg_restore):
        pytest.skip("pg_dump and pg_restore not installed")
    source, target = f"ilg_src_{secrets.token_hex(4)}", f"ilg_dst_{secrets.token_hex(4)}"
    dump = tmp_path / "ilg.dump"
    _admin(f"CREATE DATABASE {source}")
    try:
        through_orm = run_script(_pg_url(source), "populate")
        # As the README says: a custom-format dump, restored into an empty database.
        subprocess.run(
            [pg_dump, "--format=custom", "--no-owner", f"--file={dump}", _pg_url(source)],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        _admin(f"CREATE DATABASE {target}")
        subprocess.run(
            [pg_restore, "--no-owner", "--exit-on-error", f"--dbname={_pg_url(target)}", str(dump)],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        before, after = table_counts(_pg_url(source)), table_counts(_pg_url(target))
        assert after == before
        assert before["examples_localexample"] == 5 and before["training_moduleitem"] == 2
        assert before["search_searchdocument"] > 0 and before["auth_user"] == 3
        # The restored database works: the app counts the same through the ORM, and its
        # full-text index (a generated column) was rebuilt.
        assert run_script(_pg_url(target), "counts") == through_orm
        with psycopg.connect(_pg_url(target).replace("postgres://", "postgresql://")) as conn:
            found = conn.execute(
                "SELECT count(*) FROM search_searchdocument "
                "WHERE search @@ websearch_to_tsquery('english', 'run chart')"
            ).fetchone()[0]
        assert found > 0
    finally:
        _admin(f"DROP DATABASE IF EXISTS {source} WITH (FORCE)")
        _admin(f"DROP DATABASE IF EXISTS {target} WITH (FORCE)")
