from django.urls import path

from guides.examples import api, chart_views, views

app_name = "examples"

urlpatterns = [
    path("examples/", views.example_list, name="list"),
    path("examples/new/", views.example_add, name="new"),
    path("examples/mine/", views.my_examples, name="mine"),
    path("examples/review/", views.review_queue, name="review"),
    path("examples/<int:pk>/", views.example_detail, name="detail"),
    path("examples/<int:pk>/edit/", views.example_edit, name="edit"),
    path("examples/<int:pk>/submit/", views.example_submit, name="submit"),
    path("examples/<int:pk>/publish/", views.example_publish, name="publish"),
    path("examples/<int:pk>/return/", views.example_return, name="return"),
    path("examples/<int:pk>/unpublish/", views.example_unpublish, name="unpublish"),
    path("examples/<int:pk>/delete/", views.example_delete, name="delete"),
    # Charts of an example (guides/examples/chart_views.py)
    path("examples/<int:pk>/charts/add/", chart_views.chart_add, name="chart-add"),
    path("examples/<int:pk>/charts/<int:chart_pk>/", chart_views.chart_edit, name="chart-edit"),
    path(
        "examples/<int:pk>/charts/<int:chart_pk>/delete/",
        chart_views.chart_delete,
        name="chart-delete",
    ),
    path("examples/add-chart/", chart_views.chart_choose, name="chart-choose"),
    path("api/examples/", api.example_list, name="api-list"),
    path("api/examples/<int:pk>/", api.example_detail, name="api-detail"),
]
