"""A tool's template: the printable A4 worksheet page, and the same worksheet as a Word
document and (for tables of repeated rows) a spreadsheet with formulas. All three are
made from the tool's one structured template (guides.library.worksheets)."""

from __future__ import annotations

import json
from functools import lru_cache

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from guides.library.models import Tool
from guides.library.worksheets import Sheet, worksheet_docx, worksheet_xlsx

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _sheet(slug: str) -> tuple[Tool, Sheet]:
    tool = get_object_or_404(Tool.objects.only("slug", "name", "worksheet"), slug=slug)
    sheet = Sheet.from_json(tool.worksheet)
    if sheet is None:
        raise Http404("This tool has no template.")
    return tool, sheet


@lru_cache(maxsize=128)
def _built(kind: str, definition: str) -> bytes:
    """A Word or Excel file for one worksheet definition, made once per process: python-
    docx alone takes about 0.1 s to open its template, and the files depend only on the
    definition (a content load that changes it changes the key)."""
    sheet = Sheet.from_json(json.loads(definition))
    return worksheet_docx(sheet) if kind == "docx" else worksheet_xlsx(sheet)


def _file(tool: Tool, kind: str) -> bytes:
    return _built(kind, json.dumps(tool.worksheet, sort_keys=True))


def _download(body: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_safe
def worksheet(request: HttpRequest, slug: str) -> HttpResponse:
    tool, sheet = _sheet(slug)
    return render(request, "library/worksheet.html", {"tool": tool, "sheet": sheet})


@require_safe
def worksheet_docx_download(request: HttpRequest, slug: str) -> HttpResponse:
    tool, sheet = _sheet(slug)
    return _download(_file(tool, "docx"), DOCX, f"{tool.slug}-template.docx")


@require_safe
def worksheet_xlsx_download(request: HttpRequest, slug: str) -> HttpResponse:
    tool, sheet = _sheet(slug)
    if not sheet.tabular:
        raise Http404("This template is a form, not a table: it is offered as a Word document.")
    return _download(_file(tool, "xlsx"), XLSX, f"{tool.slug}-template.xlsx")
