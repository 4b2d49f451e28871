from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from guides.library.models import (
    ContentVersion,
    FinderChoice,
    GlossaryTerm,
    Guide,
    Problem,
    Section,
    Tool,
)


class FromFilesAdmin(admin.ModelAdmin):
    """Content comes from fixtures/ through load_guides, which would overwrite any edit
    made here, so the admin shows it read-only."""

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class SectionInline(admin.StackedInline):
    model = Section
    extra = 0
    fields = ["order", "title", "anchor", "body"]

    def has_add_permission(self, request: HttpRequest, obj: Guide | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Guide | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Guide | None = None) -> bool:
        return False


@admin.register(Guide)
class GuideAdmin(FromFilesAdmin):
    list_display = ["number", "title", "side"]
    list_filter = ["side"]
    search_fields = ["title", "purpose"]
    inlines = [SectionInline]


@admin.register(Tool)
class ToolAdmin(FromFilesAdmin):
    list_display = ["name", "slug", "time", "people", "difficulty"]
    list_filter = ["time", "people", "difficulty"]
    search_fields = ["name", "summary"]


@admin.register(FinderChoice)
class FinderChoiceAdmin(FromFilesAdmin):
    list_display = ["name", "group", "slug", "order"]
    list_filter = ["group"]


@admin.register(Problem)
class ProblemAdmin(FromFilesAdmin):
    list_display = ["text", "slug", "order"]


@admin.register(GlossaryTerm)
class GlossaryTermAdmin(FromFilesAdmin):
    list_display = ["term", "slug"]
    search_fields = ["term", "definition"]


@admin.register(ContentVersion)
class ContentVersionAdmin(FromFilesAdmin):
    list_display = ["label", "loaded_at", "digest"]
