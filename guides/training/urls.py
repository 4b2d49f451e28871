from django.urls import path

from guides.training import charts
from guides.training.views import handouts, modules

app_name = "training"

item = "modules/<int:pk>/items/<int:item_pk>"
urlpatterns = [
    path("modules/", modules.module_list, name="list"),
    path("modules/new/", modules.module_new, name="new"),
    path("modules/add/", modules.add_from_page, name="add-from-page"),
    path("modules/add-chart/", charts.chart_to_module, name="chart-to-module"),
    path("modules/<int:pk>/", modules.module_detail, name="detail"),
    path("modules/<int:pk>/edit/", modules.module_edit, name="edit"),
    path("modules/<int:pk>/items/add/", modules.item_add, name="item-add"),
    path("modules/<int:pk>/notes/add/", modules.note_add, name="note-add"),
    path(f"{item}/edit/", modules.item_edit, name="item-edit"),
    path(f"{item}/up/", modules.item_move, {"direction": "up"}, name="item-up"),
    path(f"{item}/down/", modules.item_move, {"direction": "down"}, name="item-down"),
    path(f"{item}/move/", modules.item_move, name="item-move"),
    path(f"{item}/remove/", modules.item_remove, name="item-remove"),
    path("modules/<int:pk>/duplicate/", modules.module_duplicate, name="duplicate"),
    path("modules/<int:pk>/share/", modules.module_share, name="share"),
    path("modules/<int:pk>/delete/", modules.module_delete, name="delete"),
    # Handouts: a module's, and any guide's or tool's.
    path("modules/<int:pk>/handout/", handouts.module_handout, name="handout"),
    path("modules/<int:pk>/handout.pdf", handouts.module_handout_pdf, name="handout-pdf"),
    path("guides/<slug:slug>/handout/", handouts.guide_handout, name="guide-handout"),
    path("guides/<slug:slug>/handout.pdf", handouts.guide_handout_pdf, name="guide-handout-pdf"),
    path("tools/<slug:slug>/handout/", handouts.tool_handout, name="tool-handout"),
    path("tools/<slug:slug>/handout.pdf", handouts.tool_handout_pdf, name="tool-handout-pdf"),
]
