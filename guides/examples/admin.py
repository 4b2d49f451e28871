from django.contrib import admin

from guides.examples.models import LocalExample


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
