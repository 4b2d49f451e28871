from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from guides.examples.charts import ExampleChart
from guides.examples.models import LocalExample


class ChartInline(admin.TabularInline):
    """An example's charts, to see; they are changed on the site's own chart pages, whose
    form checks the data as the run chart maker does (so a stored chart can always be
    drawn)."""

    model = ExampleChart
    extra = 0
    can_delete = False
    fields = ["position", "title", "chart", "units", "finding", "change_on_the_site"]
    readonly_fields = fields
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False

    @admin.display(description="Change")
    def change_on_the_site(self, chart: ExampleChart) -> str:
        url = reverse("examples:chart-edit", args=[chart.example_id, chart.pk])
        return format_html('<a href="{}">Change this chart on the site</a>', url)


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
    inlines = [ChartInline]
