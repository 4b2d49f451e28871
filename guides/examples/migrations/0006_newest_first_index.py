"""The lists of published examples, newest first, read from an index in their order.

`newest_first()` orders by published_at descending with empty dates last, then
updated_at and id descending. The index that serves it says the same; PostgreSQL needs
NULLS LAST spelt out (its default for a descending column is NULLS FIRST), SQLite has no
such clause and already puts empty values last when descending. Django's Index cannot
say both, so the index is made here in each engine's own words (it replaces
example_status_published, which only covered the first column of the order)."""

from django.db import migrations

NAME = "example_published_newest"


def create(apps, schema_editor):
    nulls = " NULLS LAST" if schema_editor.connection.vendor == "postgresql" else ""
    quote = schema_editor.quote_name
    schema_editor.execute(
        f"CREATE INDEX {quote(NAME)} ON {quote('examples_localexample')} "
        f"({quote('status')}, {quote('published_at')} DESC{nulls}, "
        f"{quote('updated_at')} DESC, {quote('id')} DESC)"
    )


def drop(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX {schema_editor.quote_name(NAME)}")


class Migration(migrations.Migration):
    dependencies = [("examples", "0005_tool_step")]

    operations = [
        migrations.RemoveIndex(model_name="localexample", name="example_status_published"),
        migrations.RunPython(create, drop),
    ]
