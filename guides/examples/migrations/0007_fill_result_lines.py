"""Examples saved before result_line existed (0004) have it blank, so lists showed no
result for them: fill it from their results, as saving an example does."""

from django.db import migrations

BATCH = 500


def fill(apps, schema_editor):
    from guides.examples.models import _shorten, first_sentence
    from guides.library.markup import html_to_text

    LocalExample = apps.get_model("examples", "LocalExample")
    rows = LocalExample.objects.filter(result_line="").exclude(results_html="")
    batch = []
    for example in rows.only("pk", "results_html").iterator(chunk_size=BATCH):
        example.result_line = _shorten(first_sentence(html_to_text(example.results_html)), 180)
        if example.result_line:
            batch.append(example)
        if len(batch) >= BATCH:
            LocalExample.objects.bulk_update(batch, ["result_line"])
            batch = []
    if batch:
        LocalExample.objects.bulk_update(batch, ["result_line"])


class Migration(migrations.Migration):
    dependencies = [("examples", "0006_newest_first_index")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
