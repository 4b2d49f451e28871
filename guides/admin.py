from django.contrib import admin

from .models import ContentVersion, GlossaryTerm, Guide, LocalExample, Section, Tool


class FromFilesAdmin(admin.ModelAdmin):
    """Content comes from fixtures/ through load_guides, which would overwrite any edit
    made here, so the admin shows it read-only."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class SectionInline(admin.StackedInline):
    model = Section
    extra = 0
    fields = ["order", "title", "anchor", "body"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Guide)
class GuideAdmin(FromFilesAdmin):
    list_display = ["number", "title", "side"]
    list_filter = ["side"]
    search_fields = ["title", "purpose"]
    inlines = [SectionInline]


@admin.register(Tool)
class ToolAdmin(FromFilesAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "summary"]


@admin.register(GlossaryTerm)
class GlossaryTermAdmin(FromFilesAdmin):
    list_display = ["term", "slug"]
    search_fields = ["term", "definition"]


@admin.register(ContentVersion)
class ContentVersionAdmin(FromFilesAdmin):
    list_display = ["label", "loaded_at", "digest"]


@admin.register(LocalExample)
class LocalExampleAdmin(admin.ModelAdmin):
    """Staff data, edited in the site by its authors and editors; the admin is for the
    rare fix by an administrator (saving re-renders and re-sanitises the Markdown)."""

    list_display = ["title", "guide", "status", "author", "updated_at"]
    list_filter = ["status", "guide"]
    search_fields = ["title", "service", "team"]
    readonly_fields = ["uid", "version", "created_at", "updated_at", "published_at"]
    raw_id_fields = ["author", "reviewed_by"]
    filter_horizontal = ["tools"]
