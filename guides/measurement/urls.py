from django.urls import path

from guides.measurement import capacity_views, views

app_name = "measurement"

urlpatterns = [
    path("run-chart/", views.run_chart, name="run-chart"),
    path("run-chart/chart.svg", views.chart_svg, name="run-chart-svg"),
    path("run-chart/chart.png", views.chart_png, name="run-chart-png"),
    path("api/run-chart/", views.api_run_chart, name="api-run-chart"),
    path("capacity/", capacity_views.capacity, name="capacity"),
    path("api/capacity/", capacity_views.api_capacity, name="api-capacity"),
]
