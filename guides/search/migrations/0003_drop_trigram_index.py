# Spelling candidates come from Python on both engines (guides/search/query.py reads the
# word list once), so the trigram index 0002 made on PostgreSQL is never read: it only
# cost time at every reindex. The pg_trgm extension is left in place (removing one needs
# more rights than the app may have, and costs nothing unused).

from django.db import migrations


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS search_searchword_trgm")


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS search_searchword_trgm "
            "ON search_searchword USING GIN (word gin_trgm_ops)"
        )


class Migration(migrations.Migration):
    dependencies = [("search", "0002_fulltext")]

    operations = [migrations.RunPython(forward, backward)]
