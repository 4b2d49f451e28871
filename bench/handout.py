"""Time the handout of all eleven guides: a module holding every guide, as a PDF made by
WeasyPrint, the same way /modules/<id>/handout.pdf makes it (target: under 5 seconds),
and the same PDF asked for again through the view, served from the cache (target: under
50 ms).

    .venv/bin/python bench/handout.py [--repeat 3] [--out /tmp/eleven-guides.pdf]

Uses the database the settings point at (load the content first: `make setup`). The
module is made inside a transaction that is rolled back, so nothing is left behind. The
first run in a process also loads WeasyPrint and the fonts; it is reported on its own.
"""

import argparse
import io
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ilg.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from pypdf import PdfReader  # noqa: E402

from guides.library.models import Guide  # noqa: E402
from guides.training import handouts  # noqa: E402
from guides.training.models import ItemKind, Module, ModuleItem  # noqa: E402

BASE_URL = "http://127.0.0.1:8000/"
TARGET_COLD, TARGET_CACHED = 5.0, 0.050
# Plain static files storage: the benchmark must not depend on `collectstatic`.
PLAIN_STATIC = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


def one_run(module: Module) -> tuple[float, float, float, bytes]:
    """(seconds assembling the HTML, seconds in all, CPU seconds in all, the PDF)"""
    start, cpu = time.perf_counter(), time.process_time()
    handout = handouts.module_handout(module, edition=handouts.TRAINER, base_url=BASE_URL)
    html = handouts.render_html(handout, pdf=True)
    assembled = time.perf_counter()
    pdf = handouts.write_pdf(html, base_url=BASE_URL)
    return assembled - start, time.perf_counter() - start, time.process_time() - cpu, pdf


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="timed runs after the first")
    parser.add_argument("--out", help="also write the PDF here")
    args = parser.parse_args()

    guides = list(Guide.objects.order_by("number"))
    if len(guides) != 11:
        sys.exit(f"Expected the eleven guides, found {len(guides)}: run `make setup` first.")
    allowed = ["127.0.0.1", "localhost", "testserver"]
    with (
        override_settings(STORAGES=PLAIN_STATIC, ALLOWED_HOSTS=allowed),
        transaction.atomic(),
    ):
        owner = User.objects.create_user("bench-handout-owner")
        module = Module.objects.create(owner=owner, title="All eleven Improvement Leaders' Guides")
        ModuleItem.objects.bulk_create(
            ModuleItem(module=module, order=n, kind=ItemKind.GUIDE, guide=g, title=g.title)
            for n, g in enumerate(guides, start=1)
        )
        first_html, first, first_cpu, pdf = one_run(module)
        runs = [one_run(module) for _ in range(args.repeat)]
        cold, cached = through_the_view(module, owner, max(args.repeat, 1))
        transaction.set_rollback(True)

    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    if args.out:
        Path(args.out).write_bytes(pdf)
    totals = [total for _, total, _, _ in runs] or [first]
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    print("Handout of all eleven guides (trainer's edition, A4 PDF)")
    print(f"  pages: {pages}, size: {len(pdf) / 1024:.0f} KiB")
    print(f"  load average {load} on {os.cpu_count()} CPUs (other work slows the figures)")
    print(
        f"  first run in a fresh process: {first:.2f} s, CPU {first_cpu:.2f} s "
        f"(assembling the HTML {first_html:.2f} s)"
    )
    if runs:
        print(
            f"  next {len(runs)} runs: median {statistics.median(totals):.2f} s, "
            f"fastest {min(totals):.2f} s, slowest {max(totals):.2f} s, "
            f"CPU median {statistics.median(c for _, _, c, _ in runs):.2f} s "
            f"(assembling the HTML median {statistics.median(h for h, _, _, _ in runs):.2f} s)"
        )
    worst = max(totals)
    verdict = "within" if worst < TARGET_COLD else "OVER"
    print(f"  made afresh, target under {TARGET_COLD:.0f} s: {verdict} (slowest {worst:.2f} s)")
    print("Through /modules/<id>/handout.pdf (the page cache off, the PDF cache on):")
    print(f"  cold (not yet in the cache): {cold:.2f} s")
    verdict = "within" if max(cached) < TARGET_CACHED else "OVER"
    print(
        f"  cached: median {statistics.median(cached) * 1000:.1f} ms, slowest "
        f"{max(cached) * 1000:.1f} ms over {len(cached)} requests; target under "
        f"{TARGET_CACHED * 1000:.0f} ms: {verdict}"
    )


def through_the_view(module: Module, owner: User, repeat: int) -> tuple[float, list[float]]:
    """Seconds for the first request (the PDF made and kept) and for each of `repeat * 10`
    requests after it (served from the cache)."""
    cache.clear()
    client = Client()
    client.force_login(owner)
    url = f"/modules/{module.pk}/handout.pdf"
    start = time.perf_counter()
    response = client.get(url)
    cold = time.perf_counter() - start
    assert response.status_code == 200, response.status_code
    cached = []
    for _ in range(repeat * 10):
        start = time.perf_counter()
        again = client.get(url)
        cached.append(time.perf_counter() - start)
        assert again.content == response.content
    return cold, cached


if __name__ == "__main__":
    main()
