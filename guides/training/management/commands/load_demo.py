"""manage.py load_demo: add (or with --delete remove) the demonstration examples and the
sample module of guides/training/demo.py. Refused when HTTPS=true (production)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from guides.examples.models import LocalExample
from guides.library.models import Guide
from guides.training import demo
from guides.training.models import Module


class Command(BaseCommand):
    help = (
        "Add a few clearly marked demonstration local examples (annotating sections of "
        "several guides) and a sample training module, so a first visit is not empty. "
        "--delete removes exactly what it added. Refused when HTTPS=true."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--delete", action="store_true", help="Remove the demonstration data.")
        group.add_argument(
            "--offer",
            action="store_true",
            help="Only say how to add it, and only when there are no examples or modules yet "
            "(for `make run`).",
        )

    def handle(self, *args, **options) -> None:
        if options["offer"]:
            if not LocalExample.objects.exists() and not Module.objects.exists():
                self.stdout.write(
                    "\n  There are no local examples or training modules yet. To add a few "
                    "demonstration ones:\n    make run DEMO=1   (or: .venv/bin/python "
                    "manage.py load_demo)\n  and to remove them again: .venv/bin/python "
                    "manage.py load_demo --delete\n"
                )
            return
        if settings.HTTPS and not options["delete"]:
            raise CommandError(
                "load_demo adds made-up examples, so it is refused when HTTPS=true (a real "
                "deployment). Run it on a development or training copy of the site."
            )
        if options["delete"]:
            done = demo.delete()
            self.stdout.write("\n".join(done) if done else "There was no demonstration data.")
            return
        if not Guide.objects.exists():
            raise CommandError("Load the content first: manage.py load_guides")
        done = demo.load()
        self.stdout.write("\n".join(done) if done else "The demonstration data is already there.")
