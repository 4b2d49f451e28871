from django.core.management.base import BaseCommand

from guides.search import index


class Command(BaseCommand):
    help = "Rebuild the search index of the content and of every published local example."

    def handle(self, *args, **options) -> None:
        index.reindex_content()
        n = index.reindex_examples()
        self.stdout.write(f"Search index rebuilt: the content and {n} published local examples.")
