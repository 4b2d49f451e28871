from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from guides.library.content import ContentError, load_content


class Command(BaseCommand):
    help = "Check the guide content in fixtures/ and load it into the database, all or nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dir", default=str(settings.CONTENT_DIR), help="Content folder (default: fixtures/)."
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="Check the files and report what would change, without saving anything.",
        )

    def handle(self, *args, **options) -> None:
        try:
            report = load_content(options["dir"], dry_run=options["check"])
        except ContentError as exc:
            raise CommandError(
                f"The content has {len(exc.problems)} problem(s); nothing was changed:\n  "
                + "\n  ".join(exc.problems)
            ) from exc
        prefix = "Check only, nothing saved. " if options["check"] else ""
        self.stdout.write(prefix + str(report))
        if not options["check"]:
            self.stdout.write(f"Content version {report.version}.")
