"""Time the pages that show local examples by section, at 0, 1,000 and 10,000 published
examples spread over every section of every guide: the guide page (the per-section
panels), the examples list (filtered by guide and section, with its counts) and the
JSON API. Prints median and p95 milliseconds and database queries per request.

    .venv/bin/python bench/section_examples.py [--repeat 30] [--sizes 0,1000,10000]

Runs in a throwaway SQLite database of its own (migrated and loaded from fixtures/), so
it touches nothing else. Compare rows within one run: the machines are shared.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
_db = tempfile.NamedTemporaryFile(suffix=".sqlite3", delete=False)
os.environ["DATABASE_URL"] = f"sqlite:///{_db.name}"
os.environ["PAGE_CACHE_SECONDS"] = "0"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ilg.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.utils import timezone  # noqa: E402

PAGES = [
    ("guide page", "/guides/process-mapping/"),
    ("list: guide+section", "/examples/?guide=process-mapping&section=how-to-do-it"),
    ("list: all", "/examples/"),
    ("API: guide+section", "/api/examples/?guide=process-mapping&section=how-to-do-it"),
]


def grow_to(n: int) -> None:
    from guides.examples.models import LocalExample
    from guides.library.models import Section

    have = LocalExample.objects.count()
    if n <= have:
        return
    sections = list(Section.objects.values_list("guide_id", "anchor"))
    template = LocalExample(title="Bench", problem="Waits were long.", what_was_done="Mapped.",
                            results="Waits fell by half. Then held.", service="Clinic",
                            organisation_type="acute", status="published")  # fmt: skip
    template.render()
    fields = {f.attname: getattr(template, f.attname) for f in LocalExample._meta.concrete_fields
              if f.attname not in ("id", "uid", "guide_id", "section_anchor")}  # fmt: skip
    now = timezone.now()
    batch = []
    for i in range(have, n):
        guide_id, anchor = sections[i % len(sections)]
        values = {**fields, "title": f"Bench example {i}", "published_at": now}
        batch.append(LocalExample(guide_id=guide_id, section_anchor=anchor, **values))
    LocalExample.objects.bulk_create(batch, batch_size=1000)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--sizes", default="0,1000,10000")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    call_command("load_guides", verbosity=0)
    client = Client()
    print(f"{'examples':>8} {'page':<22} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
    with override_settings(DEBUG=True, ALLOWED_HOSTS=["testserver"], STORAGES={
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    }):  # fmt: skip
        for size in (int(s) for s in args.sizes.split(",")):
            grow_to(size)
            for label, url in PAGES:
                assert client.get(url).status_code == 200, url
                times = []
                for _ in range(args.repeat):
                    reset_queries()
                    start = time.perf_counter()
                    client.get(url)
                    times.append((time.perf_counter() - start) * 1000)
                queries = len(connection.queries)
                p95 = statistics.quantiles(times, n=20)[-1]
                print(f"{size:>8} {label:<22} {statistics.median(times):>10.1f} {p95:>8.1f} "
                      f"{queries:>8}")  # fmt: skip
    os.unlink(_db.name)


if __name__ == "__main__":
    main()
