from django.urls import path

from guides.library.views import api, browse, finder, worksheets

app_name = "library"

urlpatterns = [
    path("", browse.home, name="home"),
    path("guides/<slug:slug>/", browse.guide_detail, name="guide"),
    path("tools/", browse.tool_list, name="tools"),
    path("tools/finder/", finder.tool_finder, name="tool-finder"),
    path("tools/<slug:slug>/", browse.tool_detail, name="tool"),
    path("tools/<slug:slug>/worksheet/", worksheets.worksheet, name="tool-worksheet"),
    path(
        "tools/<slug:slug>/worksheet.docx",
        worksheets.worksheet_docx_download,
        name="tool-worksheet-docx",
    ),
    path(
        "tools/<slug:slug>/worksheet.xlsx",
        worksheets.worksheet_xlsx_download,
        name="tool-worksheet-xlsx",
    ),
    path("glossary/", browse.glossary, name="glossary"),
    path("glossary/<slug:slug>/", browse.term_detail, name="term"),
    path("api/guides/", api.guide_list, name="api-guides"),
    path("api/guides/<slug:slug>/", api.guide_detail, name="api-guide"),
    path("api/tools/<slug:slug>/", api.tool_detail, name="api-tool"),
    path("api/glossary/", api.glossary, name="api-glossary"),
]
