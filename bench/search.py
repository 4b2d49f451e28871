"""Search latency at 0, 10,000 and 100,000 local examples, on SQLite and PostgreSQL.

    .venv/bin/python bench/search.py [--sizes 0,10000,100000] [--engines sqlite,postgres]

Each engine gets a fresh database (a temporary SQLite file; a throwaway PostgreSQL
cluster through tests/with_postgres.sh), the real content and synthetic examples from
`seed_examples` (90% published). The fixed query mix is the relevance set in
tests/search/relevance.py plus very common words, which are the slow case. Prints p50,
p95 and max milliseconds per query (what the grouped search page asks of search():
planning, ranking, counts and the snippets it shows), each query run three times after
one warm-up pass.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMMON = ["patients", "discharge", "waiting list", "run chart", "huddle", "staff", "clinic",
          "measure", "change", "time"]  # fmt: skip


def child(sizes: list[int], repeat: int) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ilg.settings")
    import io

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from guides.examples.models import LocalExample
    from guides.search import engine as search
    from tests.search.relevance import RELEVANCE

    quiet = io.StringIO()
    call_command("migrate", verbosity=0, stdout=quiet)
    call_command("load_guides", verbosity=0, stdout=quiet)
    queries = [q for q, _ in RELEVANCE] + COMMON
    for size in sizes:
        have = LocalExample.objects.count()
        if size > have:
            start = time.perf_counter()
            call_command("seed_examples", count=size - have, seed=size, stdout=quiet)
            seeded = time.perf_counter() - start
        else:
            seeded = 0.0
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")

        def as_the_page_asks(query: str) -> None:
            # The grouped page: its count, the best answer and three of each group, with
            # the snippets of those it shows (snippets are made when first shown).
            results = search.search(query, group_size=3)
            for result in results.results[:1] + [r for g in results.groups for r in g.results]:
                result.snippet_html  # noqa: B018

        for query in queries:  # warm-up
            as_the_page_asks(query)
        times = []
        for _ in range(repeat):
            for query in queries:
                start = time.perf_counter()
                as_the_page_asks(query)
                times.append((time.perf_counter() - start) * 1000)
        times.sort()
        p50 = times[len(times) // 2]
        p95 = times[int(len(times) * 0.95) - 1]
        print(
            f"{connection.vendor:<10} {size:>8} {len(queries):>8} {p50:>8.1f} {p95:>8.1f} "
            f"{times[-1]:>8.1f}   (seeded in {seeded:.0f} s)",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="0,10000,100000")
    parser.add_argument("--engines", default="sqlite,postgres")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.child:
        child(sizes, args.repeat)
        return
    header = ["engine", "examples", "queries", "p50 ms", "p95 ms", "max ms"]
    print(f"{header[0]:<10} " + " ".join(f"{h:>8}" for h in header[1:]))
    command = [sys.executable, __file__, "--child", "--sizes", args.sizes, "--repeat",
               str(args.repeat)]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "HTTPS")}
    for engine in args.engines.split(","):
        if engine == "sqlite":
            with tempfile.TemporaryDirectory() as folder:
                url = f"sqlite:///{folder}/bench.sqlite3"
                subprocess.run(command, env={**env, "DATABASE_URL": url}, check=True)
        elif engine == "postgres":
            subprocess.run([str(ROOT / "tests/with_postgres.sh"), *command], env=env, check=True)
        else:
            raise SystemExit(f"unknown engine {engine!r}")


if __name__ == "__main__":
    main()
