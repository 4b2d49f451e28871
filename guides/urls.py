from django.urls import path

from .views import api, browse, search
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
    # Run chart and SPC chart maker
    path("run-chart/", runchart_views.run_chart, name="run-chart"),
    path("run-chart/chart.svg", runchart_views.chart_svg, name="run-chart-svg"),
    path("run-chart/chart.png", runchart_views.chart_png, name="run-chart-png"),
    path("api/run-chart/", runchart_views.api_run_chart, name="api-run-chart"),
]
