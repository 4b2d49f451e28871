"""Time the browsing pages in-process and print a table: median and p95 milliseconds and
database queries per request, against a plain response from the same stack as a ceiling.

    .venv/bin/python bench/pages.py [--repeat 200]

Uses the database the settings point at (load the content first: `make setup`).
Compare rows within one run: the machines are shared and absolute figures are noisy.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ilg.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

PAGES = [
    ("health (ceiling)", "/healthz"),
    ("home", "/"),
    ("guide", "/guides/measurement-for-improvement/"),
    ("tool", "/tools/run-charts/"),
    ("tool finder", "/tools/finder/"),
    ("finder filtered", "/tools/finder/?stage=measuring&people=on-your-own"),
    ("worksheet page", "/tools/demand-and-capacity-tables/worksheet/"),
    ("worksheet .docx", "/tools/demand-and-capacity-tables/worksheet.docx"),
    ("worksheet .xlsx", "/tools/demand-and-capacity-tables/worksheet.xlsx"),
    ("tools A-Z", "/tools/"),
    ("glossary A-Z", "/glossary/"),
    ("glossary term", "/glossary/pdsa/"),
    ("API guide", "/api/guides/measurement-for-improvement/"),
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    client = Client()
    print(f"{'page':<18} {'median ms':>10} {'p95 ms':>8} {'queries':>8} {'KB':>6}")
    with override_settings(DEBUG=True, ALLOWED_HOSTS=["testserver"], STORAGES={
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    }):  # fmt: skip
        for label, url in PAGES:
            response = client.get(url)
            if response.status_code != 200:
                print(f"{label:<18} HTTP {response.status_code}: load the content first")
                continue
            times = []
            for _ in range(args.repeat):
                reset_queries()
                start = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - start) * 1000)
            queries = len(connection.queries)
            p95 = statistics.quantiles(times, n=20)[18]
            size = len(response.content) / 1024
            median = statistics.median(times)
            print(f"{label:<18} {median:>10.2f} {p95:>8.2f} {queries:>8} {size:>6.1f}")


if __name__ == "__main__":
    main()
