from django.urls import path

from .views import api, browse, examples, modules, search
from .views import runchart as runchart_views

app_name = "guides"

urlpatterns = [
    path("", browse.home, name="home"),
    path("guides/<slug:slug>/", browse.guide_detail, name="guide"),
    path("tools/", browse.tool_list, name="tools"),
    path("tools/<slug:slug>/", browse.tool_detail, name="tool"),
    path("glossary/", browse.glossary, name="glossary"),
    path("glossary/<slug:slug>/", browse.term_detail, name="term"),
    path("search/", search.search, name="search"),
    path("api/search/", search.api_search, name="api-search"),
    path("api/guides/", api.guide_list, name="api-guides"),
    path("api/guides/<slug:slug>/", api.guide_detail, name="api-guide"),
    path("api/tools/<slug:slug>/", api.tool_detail, name="api-tool"),
    path("api/glossary/", api.glossary, name="api-glossary"),
    path("healthz", browse.healthz, name="healthz"),
    path("healthz/live", browse.live, name="live"),
    # Run chart and SPC chart maker
    path("run-chart/", runchart_views.run_chart, name="run-chart"),
    path("run-chart/chart.svg", runchart_views.chart_svg, name="run-chart-svg"),
    path("run-chart/chart.png", runchart_views.chart_png, name="run-chart-png"),
    path("api/run-chart/", runchart_views.api_run_chart, name="api-run-chart"),
    # Local examples
    path("examples/", examples.example_list, name="examples"),
    path("examples/new/", examples.example_add, name="example-new"),
    path("examples/mine/", examples.my_examples, name="examples-mine"),
    path("examples/review/", examples.review_queue, name="examples-review"),
    path("examples/<int:pk>/", examples.example_detail, name="example"),
    path("examples/<int:pk>/edit/", examples.example_edit, name="example-edit"),
    path("examples/<int:pk>/submit/", examples.example_submit, name="example-submit"),
    path("examples/<int:pk>/publish/", examples.example_publish, name="example-publish"),
    path("examples/<int:pk>/return/", examples.example_return, name="example-return"),
    path("examples/<int:pk>/unpublish/", examples.example_unpublish, name="example-unpublish"),
    path("examples/<int:pk>/delete/", examples.example_delete, name="example-delete"),
    # Training modules and handouts
    path("modules/", modules.module_list, name="modules"),
    path("modules/new/", modules.module_new, name="module-new"),
    path("modules/add/", modules.add_from_page, name="module-add"),
    path("modules/<int:pk>/", modules.module_detail, name="module"),
    path("modules/<int:pk>/edit/", modules.module_edit, name="module-edit"),
    path("modules/<int:pk>/items/add/", modules.item_add, name="module-item-add"),
    path("modules/<int:pk>/notes/add/", modules.note_add, name="module-note-add"),
    path("modules/<int:pk>/items/<int:item_pk>/edit/", modules.item_edit, name="module-item-edit"),
    path(
        "modules/<int:pk>/items/<int:item_pk>/up/",
        modules.item_move,
        {"direction": "up"},
        name="module-item-up",
    ),
    path(
        "modules/<int:pk>/items/<int:item_pk>/down/",
        modules.item_move,
        {"direction": "down"},
        name="module-item-down",
    ),
    path("modules/<int:pk>/items/<int:item_pk>/move/", modules.item_move, name="module-item-move"),
    path(
        "modules/<int:pk>/items/<int:item_pk>/remove/",
        modules.item_remove,
        name="module-item-remove",
    ),
    path("modules/<int:pk>/duplicate/", modules.module_duplicate, name="module-duplicate"),
    path("modules/<int:pk>/share/", modules.module_share, name="module-share"),
    path("modules/<int:pk>/delete/", modules.module_delete, name="module-delete"),
    path("modules/<int:pk>/handout/", modules.module_handout, name="module-handout"),
    path("modules/<int:pk>/handout.pdf", modules.module_handout_pdf, name="module-handout-pdf"),
    path("guides/<slug:slug>/handout/", modules.guide_handout, name="guide-handout"),
    path("guides/<slug:slug>/handout.pdf", modules.guide_handout_pdf, name="guide-handout-pdf"),
    path("tools/<slug:slug>/handout/", modules.tool_handout, name="tool-handout"),
    path("tools/<slug:slug>/handout.pdf", modules.tool_handout_pdf, name="tool-handout-pdf"),
]
