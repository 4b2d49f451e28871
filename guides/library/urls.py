from django.urls import path

from guides.library.views import api, browse

app_name = "library"

urlpatterns = [
    path("", browse.home, name="home"),
    path("guides/<slug:slug>/", browse.guide_detail, name="guide"),
    path("tools/", browse.tool_list, name="tools"),
    path("tools/<slug:slug>/", browse.tool_detail, name="tool"),
    path("glossary/", browse.glossary, name="glossary"),
    path("glossary/<slug:slug>/", browse.term_detail, name="term"),
    path("api/guides/", api.guide_list, name="api-guides"),
    path("api/guides/<slug:slug>/", api.guide_detail, name="api-guide"),
    path("api/tools/<slug:slug>/", api.tool_detail, name="api-tool"),
    path("api/glossary/", api.glossary, name="api-glossary"),
]
