"""Time the demand and capacity calculator on a large waiting list file, and measure the
memory it takes.

    .venv/bin/python bench/capacity.py [--rows 100000] [--repeat 5]

Makes a made-up waiting list of --rows referrals over about two years (CSV, as a
hospital's export would be, with a few extra columns), then times, median of --repeat:

- the sums alone: decoding, reading every row, the weekly numbers, the formulas and the
  projection (guides.measurement.capacity);
- the page: the file posted to /capacity/ and the whole answer rendered, with the two
  weekly XmR charts and the waiting list chart (what a person waits for);
- the API: the file posted to /api/capacity/.

Memory: the peak Python allocation during one page request (tracemalloc, which slows
the run, so it is measured apart from the timings) and the process's peak resident size.
Exits with status 1 if the page takes 2 seconds or more. Uses the database the settings
point at (load the content first: `make setup`).
"""

import argparse
import os
import random
import resource
import statistics
import sys
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ilg.settings")

import django  # noqa: E402

django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

from guides.measurement.capacity import (  # noqa: E402
    calculate,
    decode,
    parse,
    project,
    read_inputs,
    stats,
)
from guides.measurement.capacity_forms import given_from  # noqa: E402

LIMIT_SECONDS = 2.0


def waiting_list(rows: int, seed: int = 15) -> bytes:
    """`rows` referrals over about two years; most seen after an exponential wait."""
    rng = random.Random(seed)
    start = date(2023, 1, 2)
    days = 730
    end = start + timedelta(days=days - 1)
    lines = ["Patient ID,Referral date,Removal date,Specialty,Priority"]
    for n in range(rows):
        referral = start + timedelta(days=rng.randrange(days))
        removal = referral + timedelta(days=int(rng.expovariate(1 / 70)))
        removal_text = removal.isoformat() if removal <= end else ""
        lines.append(f"P{n:07d},{referral.isoformat()},{removal_text},T&O,Routine")
    return ("\n".join(lines) + "\n").encode()


def the_sums(raw: bytes) -> None:
    figures = stats(parse(decode(raw)))
    inputs, errors = read_inputs({"target_wait": "18"}, given_from(figures))
    assert not errors, errors
    project(calculate(inputs))


def post(client: Client, url: str, raw: bytes):
    upload = SimpleUploadedFile("list.csv", raw, content_type="text/csv")
    return client.post(url, {"waiting_list": upload, "target_wait": "18"})


def median_seconds(action, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    raw = waiting_list(args.rows)
    print(f"waiting list: {args.rows:,} rows, {len(raw) / 1_000_000:.2f} MB")
    client = Client()
    storages = {"staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    with override_settings(ALLOWED_HOSTS=["testserver"], STORAGES=storages):
        response = post(client, "/capacity/", raw)
        if response.status_code != 200 or response.content.count(b"<svg") != 3:
            print(f"the page answered {response.status_code} without its three charts")
            return 1
        api = post(client, "/api/capacity/", raw)
        if api.status_code != 200:
            print(f"the API answered {api.status_code}: {api.content[:200]!r}")
            return 1
        body = api.json()
        print(
            f"  demand {body['demand']:.1f}/week, capacity {body['capacity']:.1f}/week, "
            f"list {body['queue']:,}, {body['weeks']:.1f} weeks"
        )
        sums = median_seconds(lambda: the_sums(raw), args.repeat)
        page = median_seconds(lambda: post(client, "/capacity/", raw), args.repeat)
        api_time = median_seconds(lambda: post(client, "/api/capacity/", raw), args.repeat)
        tracemalloc.start()
        post(client, "/capacity/", raw)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    maxrss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
    print(f"{'step':<44} {'median s':>9}")
    print(f"{'the sums (read, weekly numbers, formulas)':<44} {sums:>9.3f}")
    print(f"{'the page: analysed and charted (3 charts)':<44} {page:>9.3f}")
    print(f"{'the API (POST a file)':<44} {api_time:>9.3f}")
    print(f"peak Python memory during one page request (tracemalloc): {peak / 1_000_000:.1f} MB")
    print(f"peak resident size of this process (ru_maxrss): {maxrss_kb / 1024:.1f} MB")
    ok = page < LIMIT_SECONDS
    print(f"{'PASS' if ok else 'FAIL'}: the page takes {page:.2f} s (limit {LIMIT_SECONDS:.0f} s)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
