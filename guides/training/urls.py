from django.urls import path

from guides.training import views

app_name = "training"

item = "modules/<int:pk>/items/<int:item_pk>"
urlpatterns = [
    path("modules/", views.module_list, name="list"),
    path("modules/new/", views.module_new, name="new"),
    path("modules/add/", views.add_from_page, name="add-from-page"),
    path("modules/<int:pk>/", views.module_detail, name="detail"),
    path("modules/<int:pk>/edit/", views.module_edit, name="edit"),
    path("modules/<int:pk>/items/add/", views.item_add, name="item-add"),
    path("modules/<int:pk>/notes/add/", views.note_add, name="note-add"),
    path(f"{item}/edit/", views.item_edit, name="item-edit"),
    path(f"{item}/up/", views.item_move, {"direction": "up"}, name="item-up"),
    path(f"{item}/down/", views.item_move, {"direction": "down"}, name="item-down"),
    path(f"{item}/move/", views.item_move, name="item-move"),
    path(f"{item}/remove/", views.item_remove, name="item-remove"),
    path("modules/<int:pk>/duplicate/", views.module_duplicate, name="duplicate"),
    path("modules/<int:pk>/share/", views.module_share, name="share"),
    path("modules/<int:pk>/delete/", views.module_delete, name="delete"),
    # Handouts: a module's, and any guide's or tool's.
    path("modules/<int:pk>/handout/", views.module_handout, name="handout"),
    path("modules/<int:pk>/handout.pdf", views.module_handout_pdf, name="handout-pdf"),
    path("guides/<slug:slug>/handout/", views.guide_handout, name="guide-handout"),
    path("guides/<slug:slug>/handout.pdf", views.guide_handout_pdf, name="guide-handout-pdf"),
    path("tools/<slug:slug>/handout/", views.tool_handout, name="tool-handout"),
    path("tools/<slug:slug>/handout.pdf", views.tool_handout_pdf, name="tool-handout-pdf"),
]
