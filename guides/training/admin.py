from django.contrib import admin

from guides.training.models import Module, ModuleItem


class ModuleItemInline(admin.TabularInline):
    model = ModuleItem
    extra = 0
    fields = ["order", "kind", "title", "minutes", "for_participants"]
    readonly_fields = ["kind", "title"]


@admin.register(Module)
class ModuleAdmin(admin.ModelAdmin):
    """Staff data, built in the site by trainers; the admin is for the rare fix by an
    administrator (who owns a module, say, when its owner leaves)."""

    list_display = ["title", "owner", "visibility", "updated_at"]
    list_filter = ["visibility"]
    search_fields = ["title", "audience"]
    readonly_fields = ["share_token", "version", "created_at", "updated_at"]
    raw_id_fields = ["owner"]
    inlines = [ModuleItemInline]
