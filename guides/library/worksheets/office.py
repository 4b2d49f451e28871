"""A worksheet as a Word document (python-docx) and as a spreadsheet (openpyxl), built
from the same Sheet as the page and the printed sheet. The spreadsheet's formula
columns get real formulas, made from the column's formula (formula.py)."""

from __future__ import annotations

from io import BytesIO

from guides.library.worksheets import formula
from guides.library.worksheets.sheet import Column, Sheet

A4 = (210, 297)  # mm
MARGIN_MM = 15
POINTS_PER_MM = 72 / 25.4
BLANK = "_" * 24


# Word ------------------------------------------------------------------------------------


def worksheet_docx(sheet: Sheet) -> bytes:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.table import WD_ROW_HEIGHT_RULE
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    doc = Document()
    section = doc.sections[0]
    width, height = A4[::-1] if sheet.landscape else A4
    section.orientation = WD_ORIENT.LANDSCAPE if sheet.landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(width), Mm(height)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(MARGIN_MM))
    usable = width - 2 * MARGIN_MM
    doc.core_properties.title = sheet.title
    doc.add_heading(sheet.title, level=1)
    if sheet.intro:
        doc.add_paragraph(sheet.intro)
    for f in sheet.fields:
        doc.add_paragraph(f"{f.label}: {BLANK}")

    def flag(row: object, name: str) -> None:
        properties = row._tr.get_or_add_trPr()
        element = OxmlElement(f"w:{name}")
        element.set(qn("w:val"), "true")
        properties.append(element)

    for part in sheet.parts:
        if part.heading:
            doc.add_heading(part.heading, level=2)
        if part.note:
            doc.add_paragraph(part.note)
        if part.kind == "checklist":
            for item in part.items:
                doc.add_paragraph(f"☐  {item}")
            continue
        body = part.rows + [[label] + [""] * (len(part.columns) - 1) for label in part.total_rows]
        table = doc.add_table(rows=1 + len(body), cols=len(part.columns))
        table.style = "Table Grid"
        table.autofit = False
        header = table.rows[0]
        flag(header, "tblHeader")  # repeated at the top of each page
        for cell, column in zip(header.cells, part.columns, strict=True):
            cell.text = ""
            run = cell.paragraphs[0].add_run(column.label)
            run.bold = True
            run.font.size = Pt(10)
        for row, values in zip(table.rows[1:], body, strict=True):
            row.height = Mm(part.row_mm)
            row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
            flag(row, "cantSplit")
            for i, (cell, value) in enumerate(zip(row.cells, values, strict=True)):
                if value:
                    run = cell.paragraphs[0].add_run(value)
                    run.bold = i == 0 and (part.prompts or value in part.total_rows)
        for i, column in enumerate(part.columns):
            for row in table.rows:
                row.cells[i].width = Mm(usable * column.percent / 100)
        for line in part.explanations:
            doc.add_paragraph(line).runs[0].italic = True
    if sheet.after:
        doc.add_paragraph(sheet.after)
    out = BytesIO()
    doc.save(out)
    return out.getvalue()


# Spreadsheet -----------------------------------------------------------------------------


def worksheet_xlsx(sheet: Sheet) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    book = Workbook()
    ws = book.active
    ws.title = _sheet_name(sheet.title)
    thin = Side(style="thin", color="666666")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    bold = Font(bold=True)
    grey = PatternFill("solid", fgColor="DDDDDD")
    formula_fill = PatternFill("solid", fgColor="EEF3F8")
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if sheet.landscape else "portrait"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0

    row = 1
    ws.cell(row, 1, sheet.title).font = Font(bold=True, size=14)
    row += 1
    if sheet.intro:
        ws.cell(row, 1, sheet.intro).alignment = Alignment(wrap_text=False)
        row += 1
    fields: dict[str, str] = {}
    for f in sheet.fields:
        ws.cell(row, 1, f.label).font = bold
        ws.cell(row, 2).border = box
        fields[f.key] = f"$B${row}"
        row += 1
    widths: dict[int, float] = {}
    for part in sheet.parts:
        row += 1
        if part.heading:
            ws.cell(row, 1, part.heading).font = Font(bold=True, size=12)
            row += 1
        if part.note:
            ws.cell(row, 1, part.note)
            row += 1
        if part.kind == "checklist":
            for item in part.items:
                ws.cell(row, 1, "☐")
                ws.cell(row, 2, item)
                row += 1
            continue
        for i, column in enumerate(part.columns, start=1):
            cell = ws.cell(row, i, column.label)
            cell.font, cell.fill, cell.border, cell.alignment = bold, grey, box, wrap
            widths[i] = max(widths.get(i, 0), 10 + 6 * column.width)
        first, last = row + 1, row + len(part.rows)
        if part.grid and not ws.print_title_rows:
            ws.print_title_rows = f"{row}:{row}"  # the headings on every printed page
        letters = {c.key: get_column_letter(i) for i, c in enumerate(part.columns, start=1)}
        for r, values in enumerate(part.rows, start=first):
            ws.row_dimensions[r].height = part.row_mm * POINTS_PER_MM
            for i, (column, value) in enumerate(zip(part.columns, values, strict=True), 1):
                cell = ws.cell(r, i)
                cell.border, cell.alignment = box, wrap
                if column.formula and part.grid:
                    cell.value = excel_formula(column, letters, fields, r, first, last)
                    cell.fill = formula_fill
                elif value:
                    cell.value = float(value) if column.number and _is_number(value) else value
                    if i == 1 and part.prompts:
                        cell.font = bold
        r = last
        for kind, label in zip(part.totals, part.total_rows, strict=True):
            r += 1
            ws.cell(r, 1, label).font = bold
            for i, column in enumerate(part.columns, start=1):
                cell = ws.cell(r, i)
                cell.border = box
                if i == 1 or not (column.number and column.summed):
                    continue
                span = f"{letters[column.key]}{first}:{letters[column.key]}{last}"
                cell.value = (
                    f"=SUM({span})"
                    if kind == "total"
                    else f'=IF(COUNT({span})=0,"",AVERAGE({span}))'
                )
                cell.font, cell.fill = bold, formula_fill
        row = r + 1
        for line in part.explanations:
            ws.cell(row, 1, line).font = Font(italic=True)
            row += 1
    for i, width in widths.items():
        ws.column_dimensions[get_column_letter(i)].width = width
    if sheet.after:
        ws.cell(row + 1, 1, sheet.after)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def excel_formula(
    column: Column, letters: dict[str, str], fields: dict[str, str], row: int, first: int, last: int
) -> str | None:
    """The Excel formula of `column` on `row` of a table whose rows run first..last.
    Blank until the row has a number in it; blank, not an error, on a division by zero.
    On the first row, `above(key)` is the column's start field if it has one, nothing
    for a running total of itself, and the formula is left out where the row above is
    needed (a moving range has none on the first row)."""
    tree = column.tree
    same_row = sorted({f"{letters[k]}{row}" for how, k in formula.names(tree)
                       if how == "name" and k in letters})  # fmt: skip

    def ref(how: str, key: str) -> str:
        if how == "name":
            return f"{letters[key]}{row}" if key in letters else fields[key]
        if how == "total":
            return f"SUM({letters[key]}${first}:{letters[key]}${last})"
        if row > first:
            return f"{letters[key]}{row - 1}"
        if key == column.key and column.start in fields:
            return fields[column.start]
        if key == column.key:
            return "0"
        raise LookupError  # nothing above the first row

    try:
        expression = formula.render(tree, ref)
    except LookupError:
        return None
    guarded = f'IFERROR({expression},"")'
    if same_row:
        return f'=IF(COUNT({",".join(same_row)})=0,"",{guarded})'
    return f"={guarded}"


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def _sheet_name(title: str) -> str:
    name = "".join(ch for ch in title if ch not in "[]:*?/\\").strip() or "Template"
    return name[:31]
