from django.contrib import admin

from .models import ContentVersion, GlossaryTerm, Guide, Section, Tool


class SectionInline(admin.StackedInline):
    model = Section
    extra = 0
    fields = ["order", "title", "anchor", "body"]


@admin.register(Guide)
class GuideAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "side"]
    list_filter = ["side"]
    search_fields = ["title", "purpose"]
    inlines = [SectionInline]


@admin.register(Tool)
class ToolAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "summary"]
    filter_horizontal = ["related_tools"]


@admin.register(GlossaryTerm)
class GlossaryTermAdmin(admin.ModelAdmin):
    list_display = ["term", "slug"]
    search_fields = ["term", "definition"]
    filter_horizontal = ["related_terms", "used_in_guides", "used_in_tools"]


@admin.register(ContentVersion)
class ContentVersionAdmin(admin.ModelAdmin):
    list_display = ["label", "loaded_at", "digest"]
    readonly_fields = ["digest", "loaded_at", "summary"]
