"""Move a database made before the apps were split (everything in one app, `guides`)
to the new layout, in place, keeping everything staff made.

    python manage.py upgrade_layout

The tables of the content, local examples, modules and site version are renamed to their
new apps (guides_guide -> library_guide, guides_localexample -> examples_localexample,
...), their content types are moved with them (so permissions, groups and tags keep
pointing at the same rows), and the new apps' migrations are recorded as applied. The
search index, which is derived data, is dropped and made again by `migrate` and
`rebuild_search_index`. All of it happens in one transaction: if anything fails, the
database is as it was. On a database that is already in the new layout it does nothing.
"""

from __future__ import annotations

from django.apps import apps
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from guides.core.layout import OLD_APP, has_old_layout

# The apps whose tables move; search's tables are rebuilt instead.
MOVED_APPS = ("core", "library", "examples", "training")
REBUILT_APP = "search"
OLD_SEARCH_TABLES = ("guides_searchdocument", "guides_searchword")
OLD_FTS_TABLES = ("guides_searchdocument_fts", "guides_searchexample_fts")
# The migrations that the single-app layout's tables match: recorded as applied. Any
# migration added since (a new field, a new model) is left for the `migrate` after.
LAYOUT_MIGRATIONS = {
    ("core", "0001_initial"),
    ("library", "0001_initial"),
    ("examples", "0001_initial"),
    ("examples", "0002_roles"),
    ("training", "0001_initial"),
    ("training", "0002_roles"),
}


class Command(BaseCommand):
    help = "Move a database from the single-app layout to one app per feature, in place."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args: object, **options: object) -> None:
        using = str(options["database"])
        if not has_old_layout(using):
            self.stdout.write("No database from the single-app layout here: nothing to move.")
            return
        moved = upgrade(using)
        self.stdout.write(f"Moved {moved} tables to the new apps; making the search index again.")
        call_command("migrate", database=using, interactive=False, verbosity=0)
        call_command("rebuild_search_index", stdout=self.stdout)
        self.stdout.write("The database is in the current layout. Nothing staff made was lost.")


def old_name(table: str, app_label: str) -> str:
    return OLD_APP + table.removeprefix(app_label)


def upgrade(using: str) -> int:
    """Rename, repoint and record, in one transaction; the number of tables renamed."""
    connection = connections[using]
    ContentType = apps.get_model("contenttypes", "ContentType")
    existing = set(connection.introspection.table_names())
    renamed = 0
    # The schema editor is one transaction (on SQLite too: it turns foreign key checks
    # off around it, as renaming needs).
    with connection.schema_editor(atomic=True) as editor:
        for table in OLD_FTS_TABLES:
            if connection.vendor == "sqlite" and table in existing:
                editor.execute(f"DROP TABLE {editor.quote_name(table)}")
        for table in OLD_SEARCH_TABLES:
            if table in existing:
                cascade = " CASCADE" if connection.vendor == "postgresql" else ""
                editor.execute(f"DROP TABLE {editor.quote_name(table)}{cascade}")
        search_models = [m._meta.model_name for m in apps.get_app_config(REBUILT_APP).get_models()]
        ContentType.objects.using(using).filter(app_label=OLD_APP, model__in=search_models).delete()
        for label in MOVED_APPS:
            config = apps.get_app_config(label)
            for model in config.get_models(include_auto_created=True):
                old = old_name(model._meta.db_table, label)
                if old in existing:
                    editor.alter_db_table(model, old, model._meta.db_table)
                    renamed += 1
                if not model._meta.auto_created:
                    ContentType.objects.using(using).filter(
                        app_label=OLD_APP, model=model._meta.model_name
                    ).update(app_label=label)
        recorder = MigrationRecorder(connection)
        recorder.migration_qs.filter(app=OLD_APP).delete()
        loader = MigrationLoader(connection, ignore_no_migrations=True)
        for app_label, name in sorted(loader.disk_migrations):
            if app_label in MOVED_APPS and (app_label, name) in LAYOUT_MIGRATIONS:
                recorder.record_applied(app_label, name)
    return renamed
