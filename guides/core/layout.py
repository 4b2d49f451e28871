"""Databases made before the apps were split (everything in one app, `guides`)."""

from __future__ import annotations

from django.apps import AppConfig
from django.core.management.base import CommandError
from django.db import connections

OLD_APP = "guides"


def has_old_layout(using: str = "default") -> bool:
    """True when the database holds the single-app layout's tables and migrations."""
    connection = connections[using]
    tables = set(connection.introspection.table_names())
    if "django_migrations" not in tables:
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM django_migrations WHERE app = %s", [OLD_APP])
        recorded = cursor.fetchone()[0]
    return bool(recorded) and "guides_guide" in tables


def refuse_old_layout(sender: AppConfig, using: str = "default", **kwargs) -> None:
    """pre_migrate: migrating an old database would make the new, empty tables beside
    the old ones and hide everything staff made. Say what to do instead."""
    if has_old_layout(using):
        raise CommandError(
            "This database was made by an earlier version of the library, in which "
            "everything was one app ('guides'). Nothing has been changed. Run\n\n"
            "    python manage.py upgrade_layout\n\n"
            "to move its tables to the new apps in place (accounts, local examples and "
            "training modules are all kept), then migrate again. `make run` does this "
            "for you."
        )
