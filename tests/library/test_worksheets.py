"""Tool templates: one structured definition per tool (fixtures/templates/), checked by
the loader, shown on the tool page and downloaded as Word and Excel files that carry the
same columns, rows and sums."""

import re
from io import BytesIO

import pytest
from docx import Document
from docx.shared import Mm
from openpyxl import load_workbook

from guides.library.content import ContentError, load_content
from guides.library.models import Tool
from guides.library.worksheets import Sheet, check_worksheet, formula, worksheet_docx
from guides.library.worksheets.sheet import percents

pytestmark = pytest.mark.django_db


class Problems:
    def __init__(self) -> None:
        self.problems: list[str] = []
        self.count = 0

    def add(self, message: str) -> None:
        self.problems.append(message)
        self.count += 1


def check(raw) -> tuple[dict | None, list[str]]:
    problems = Problems()
    return check_worksheet(raw, problems), problems.problems


def sheets() -> list[tuple[Tool, Sheet]]:
    found = [
        (t, Sheet.from_json(t.worksheet)) for t in Tool.objects.filter(worksheet__isnull=False)
    ]
    assert len(found) >= 30  # every tool with a template, not a handful
    return found


def table_labels(sheet: Sheet) -> list[list[str]]:
    return [[c.label for c in p.columns] for p in sheet.tables]


# Checking the definition --------------------------------------------------------------


SIMPLE = {
    "title": "T",
    "fields": [{"key": "start", "label": "Start", "number": True}],
    "parts": [{"columns": ["Week", {"key": "a", "label": "A", "number": True},
                           {"key": "b", "label": "B", "formula": "a * 2"}], "rows": 3}],
}  # fmt: skip


def with_columns(*columns, rows=3, **part) -> dict:
    return {**SIMPLE, "parts": [{"columns": ["Week", *columns], "rows": rows, **part}]}


def test_a_good_definition_is_normalised():
    sheet, problems = check(SIMPLE)
    assert problems == []
    part = sheet["parts"][0]
    assert [c["key"] for c in part["columns"]] == ["week", "a", "b"]
    assert part["rows"] == [["", "", ""]] * 3 and part["grid"] is True
    assert sheet["orientation"] == "portrait"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"parts": SIMPLE["parts"]}, "missing required field 'title'"),
        ({"title": "T", "parts": []}, "'parts' must be a list"),
        (with_columns({"label": "B", "formula": "a +"}), "is incomplete"),
        (with_columns({"label": "B", "formula": "a ^ 2"}), "'^' is not allowed"),
        (with_columns({"label": "B", "formula": "nope * 2"}), "uses 'nope', which is not a column"),
        (with_columns({"key": "t", "label": "T"}, {"label": "B", "formula": "t * 2"}),
         "uses 't', which is not a number column"),
        (with_columns({"key": "x", "label": "X", "formula": "y"},
                      {"key": "y", "label": "Y", "formula": "x"}), "depends on itself"),
        (with_columns({"label": "B", "formula": "oops(week)"}), "unknown function 'oops'"),
        (with_columns({"label": "B", "formula": "above(b)", "start": "missing"}),
         "start 'missing' is not a field key"),
        (with_columns("A", rows=0), "'rows' must be from 1 to 60"),
        (with_columns("A", totals=["median"]), "'totals' may list only: total, average"),
        (with_columns("A", rows=["a", ["b", "c", "d"]]),
         "row 2 must be text, with at most 2 cells"),
        (with_columns({"label": "B", "formula": "1 + 1"}, rows=["x"]),
         "needs a number of blank rows"),
        (with_columns("A", space=9), "'space' must be a number of writing lines from 1 to 6"),
        ({**SIMPLE, "colour": "red"}, "unknown field 'colour'"),
    ],
)  # fmt: skip
def test_a_bad_definition_is_refused_with_what_is_wrong(raw, message):
    sheet, problems = check(raw)
    assert sheet is None
    assert any(message in p for p in problems), problems


def test_formulas_in_words_and_widths_that_add_up():
    tree = formula.parse("above(backlog) + demand − activity")
    assert formula.names(tree) == [("above", "backlog"), ("name", "demand"), ("name", "activity")]
    words = formula.render(tree, lambda how, key: key.title(), words=True)
    assert words == "Backlog + Demand − Activity"
    for weights in ([2] * 7, [1, 1, 1], [3, 1, 1, 2, 1, 1, 1, 1], [1], [2, 3]):
        assert sum(percents(weights)) == 100


def test_wide_tables_are_landscape():
    for tool, sheet in sheets():
        widest = max((len(p.columns) for p in sheet.tables), default=0)
        assert sheet.landscape == (widest > 5), tool.slug


# The real templates -------------------------------------------------------------------


def test_rows_enough_for_the_exercise():
    dc = Sheet.from_json(Tool.objects.get(slug="demand-and-capacity-tables").worksheet)
    assert len(dc.parts[0].rows) == 12 and dc.parts[0].total_rows == ["Total", "Average"]
    assert dc.landscape
    pdsa = Sheet.from_json(Tool.objects.get(slug="pdsa-cycles").worksheet)
    prompts = [row[0] for row in pdsa.parts[0].rows]
    for stage in ("Plan:", "Do:", "Study:", "Act:"):
        assert any(p.startswith(stage) for p in prompts), stage
    assert pdsa.parts[0].row_mm >= 16  # room to write a few lines for each stage
    for tool, sheet in sheets():
        for part in sheet.tables:
            assert part.row_mm >= 8, tool.slug
            if part.grid:
                assert len(part.rows) >= 5, tool.slug


def test_tool_page_shows_the_table_from_the_definition(client):
    tool = Tool.objects.get(slug="demand-and-capacity-tables")
    html = client.get(tool.get_absolute_url()).content.decode()
    template = html.split('id="template"', 1)[1]
    headers = re.findall(r'<th scope="col">([^<]+)', template)
    assert [h.strip() for h in headers] == table_labels(Sheet.from_json(tool.worksheet))[0]
    assert "Lost capacity = Capacity − Activity." in template
    # A screen shows three of the twelve weeks; printing the page gives all of them.
    body = template.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert body.count("<tr") == 14 and body.count('<tr class="more-row">') == 9
    assert "The printed worksheet and the downloads have 12 rows." in template
    for link in ("worksheet/", "worksheet.docx", "worksheet.xlsx"):
        assert f'href="/tools/{tool.slug}/{link}"' in template


def test_printable_worksheet_has_every_row(client):
    html = client.get("/tools/demand-and-capacity-tables/worksheet/").content.decode()
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert body.count("<tr") == 14  # twelve weeks, total and average
    assert "worksheet-landscape" in html


def test_a_tool_without_a_template_has_no_downloads(client):
    assert client.get("/tools/systems-thinking/worksheet/").status_code == 404
    assert client.get("/tools/systems-thinking/worksheet.docx").status_code == 404
    assert client.get("/tools/no-such-tool/worksheet.xlsx").status_code == 404
    # A form (prompts and answers) is a Word document, not a spreadsheet.
    assert client.get("/tools/pdsa-cycles/worksheet.docx").status_code == 200
    assert client.get("/tools/pdsa-cycles/worksheet.xlsx").status_code == 404
    page = client.get("/tools/pdsa-cycles/").content.decode()
    assert "worksheet.docx" in page and "worksheet.xlsx" not in page


# Word ----------------------------------------------------------------------------------


def test_every_template_as_word_has_its_columns_and_rows(client):
    for tool, sheet in sheets():
        response = client.get(f"/tools/{tool.slug}/worksheet.docx")
        assert response.status_code == 200, tool.slug
        assert (
            response["Content-Disposition"] == f'attachment; filename="{tool.slug}-template.docx"'
        )
        doc = Document(BytesIO(response.content))
        assert len(doc.tables) == len(sheet.tables), tool.slug
        for table, part in zip(doc.tables, sheet.tables, strict=True):
            assert [c.text for c in table.rows[0].cells] == [c.label for c in part.columns]
            assert len(table.rows) == 1 + len(part.rows) + len(part.totals), tool.slug
            prompts = [r.cells[0].text for r in table.rows[1 : 1 + len(part.rows)]]
            assert prompts == [row[0] for row in part.rows], tool.slug
            for row in table.rows[1:]:
                assert row.height >= Mm(8), tool.slug
        section = doc.sections[0]
        assert (section.page_width > section.page_height) == sheet.landscape, tool.slug
        usable = section.page_width - section.left_margin - section.right_margin
        for table in doc.tables:
            assert sum(c.width for c in table.rows[0].cells) <= usable + Mm(1), tool.slug


def test_word_checklist_and_fields():
    sheet = Sheet.from_json(Tool.objects.get(slug="ground-rules-and-meeting-roles").worksheet)
    doc = Document(BytesIO(worksheet_docx(sheet)))
    text = [p.text for p in doc.paragraphs]
    assert "☐  We start and finish on time." in text
    sheet = Sheet.from_json(Tool.objects.get(slug="demand-and-capacity-tables").worksheet)
    text = [p.text for p in Document(BytesIO(worksheet_docx(sheet))).paragraphs]
    assert any(t.startswith("Starting backlog: ___") for t in text)


# Excel ---------------------------------------------------------------------------------


def evaluate(ws, ref: str):
    """Just enough of a spreadsheet to check the formulas this app writes."""
    value = ws[ref].value
    if not (isinstance(value, str) and value.startswith("=")):
        return value
    return calc(ws, value[1:])


def calc(ws, expr: str):
    m = re.fullmatch(r'IF\(COUNT\(([^()]*)\)=0,"",(.*)\)', expr)
    if m:
        refs = [r.replace("$", "") for r in m.group(1).split(",")]
        cells = (
            [c for r in refs for row in ws[r] for c in (row if isinstance(row, tuple) else (row,))]
            if ":" in m.group(1)
            else [ws[r] for r in refs]
        )
        if not any(isinstance(evaluate(ws, c.coordinate), int | float) for c in cells):
            return ""
        return calc(ws, m.group(2))
    m = re.fullmatch(r'IFERROR\((.*),""\)', expr)
    if m:
        try:
            return calc(ws, m.group(1))
        except (ZeroDivisionError, TypeError):
            return ""

    def total(match):
        cells = [c for row in ws[match.group(1).replace("$", "")] for c in row]
        values = [evaluate(ws, c.coordinate) for c in cells]
        return str(sum(v for v in values if isinstance(v, int | float)))

    expr = re.sub(r"SUM\(([A-Z]+\$?\d+:[A-Z]+\$?\d+)\)", total, expr)
    m = re.fullmatch(r"AVERAGE\(([A-Z]+\d+:[A-Z]+\d+)\)", expr)
    if m:
        values = [evaluate(ws, c.coordinate) for row in ws[m.group(1)] for c in row]
        numbers = [v for v in values if isinstance(v, int | float)]
        return sum(numbers) / len(numbers)

    def cell(match):
        value = evaluate(ws, match.group(0).replace("$", ""))
        if value == "":
            raise TypeError("blank text in a sum")
        return str(value or 0)

    expr = re.sub(r"\$?[A-Z]+\$?\d+", cell, expr).replace("ABS(", "abs(")
    assert re.fullmatch(r"[\d.+\-*/() abs]+", expr), expr
    return eval(expr)  # noqa: S307 - digits and operators only, checked above


def header_row(ws, first_label: str) -> int:
    for row in ws.iter_rows():
        if row[0].value == first_label:
            return row[0].row
    raise AssertionError(first_label)


def test_every_tabular_template_as_a_spreadsheet_has_its_columns_and_rows(client):
    for tool, sheet in sheets():
        response = client.get(f"/tools/{tool.slug}/worksheet.xlsx")
        if not sheet.tabular:
            assert response.status_code == 404, tool.slug
            continue
        assert response.status_code == 200, tool.slug
        ws = load_workbook(BytesIO(response.content)).active
        rows = [[c.value for c in row] for row in ws.iter_rows()]
        for part in sheet.tables:
            labels = [c.label or None for c in part.columns]
            at = next(i for i, r in enumerate(rows) if r[: len(labels)] == labels)
            body = rows[at + 1 : at + 1 + len(part.rows)]
            assert len(body) == len(part.rows), tool.slug
            for got, want in zip(body, part.rows, strict=True):
                assert got[0] == (
                    float(want[0])
                    if want[0].isdigit() and part.columns[0].number
                    else want[0] or None
                )
        assert ws.page_setup.orientation == ("landscape" if sheet.landscape else "portrait")


def test_demand_and_capacity_spreadsheet_works_out_lost_capacity_and_backlog(client):
    """The tool's own worked example: 120 waiting, six weeks; the backlog ends at 142."""
    response = client.get("/tools/demand-and-capacity-tables/worksheet.xlsx")
    book = load_workbook(BytesIO(response.content))
    ws = book.active
    head = header_row(ws, "Week beginning")
    cols = {ws.cell(head, i).value: ws.cell(head, i).column_letter for i in range(1, 9)}
    assert ws.print_title_rows == f"${head}:${head}"  # headings repeat on printed pages
    start = header_row(ws, "Starting backlog")
    ws[f"B{start}"] = 120
    weeks = [(42, 44, 4, 40), (38, 44, 3, 41), (45, 30, 2, 28), (40, 44, 4, 40),
             (47, 44, 4, 40), (40, 44, 3, 41)]  # fmt: skip
    for n, (demand, capacity, dnas, activity) in enumerate(weeks, start=head + 1):
        ws[f"{cols['Demand']}{n}"] = demand
        ws[f"{cols['Capacity']}{n}"] = capacity
        ws[f"{cols['DNAs']}{n}"] = dnas
        ws[f"{cols['Activity']}{n}"] = activity
    backlog = [evaluate(ws, f"{cols['Backlog at end']}{head + 1 + i}") for i in range(6)]
    assert backlog == [122, 119, 136, 136, 143, 142]
    lost = [evaluate(ws, f"{cols['Lost capacity']}{head + 1 + i}") for i in range(6)]
    assert lost == [4, 3, 2, 4, 4, 3]
    assert evaluate(ws, f"{cols['Backlog at end']}{head + 7}") == ""  # week 7 not filled in
    total = header_row(ws, "Total")
    assert evaluate(ws, f"{cols['Demand']}{total}") == 252
    assert evaluate(ws, f"{cols['Activity']}{total}") == 230
    assert evaluate(ws, f"{cols['Demand']}{total + 1}") == 42
    assert ws[f"{cols['Backlog at end']}{total}"].value is None  # a backlog is not summed


def test_other_spreadsheet_sums(client):
    def sheet_of(slug):
        return load_workbook(BytesIO(client.get(f"/tools/{slug}/worksheet.xlsx").content)).active

    ws = sheet_of("pareto-charts")
    head = header_row(ws, "Category (with definition)")
    for n, count in enumerate([30, 15, 5], start=head + 1):
        ws[f"C{n}"] = count
    assert [round(evaluate(ws, f"D{head + i}"), 1) for i in (1, 2, 3)] == [60.0, 30.0, 10.0]
    assert [round(evaluate(ws, f"E{head + i}"), 1) for i in (1, 2, 3)] == [60.0, 90.0, 100.0]

    ws = sheet_of("dna-reduction")
    head = header_row(ws, "Week")
    ws[f"B{head + 1}"], ws[f"C{head + 1}"] = 200, 16
    assert evaluate(ws, f"D{head + 1}") == 8.0
    ws[f"B{head + 2}"], ws[f"C{head + 2}"] = 0, 0
    assert evaluate(ws, f"D{head + 2}") == ""  # no division by zero

    ws = sheet_of("spc-charts")
    head = header_row(ws, "Period")
    assert ws[f"C{head + 1}"].value is None  # no moving range for the first period
    for n, value in enumerate([14, 16, 13], start=head + 1):
        ws[f"B{n}"] = value
    assert [evaluate(ws, f"C{head + i}") for i in (2, 3)] == [2, 3]


# The loader ---------------------------------------------------------------------------


def test_templates_load_and_bad_ones_are_refused_with_the_file(content_dir):
    (content_dir / "templates").mkdir()
    path = content_dir / "templates/run-charts.yaml"
    path.write_text("title: Run chart tally\nparts:\n  - columns: [Week, Count]\n    rows: 12\n")
    load_content(content_dir)
    sheet = Sheet.from_json(Tool.objects.get(slug="run-charts").worksheet)
    assert sheet.title == "Run chart tally" and len(sheet.parts[0].rows) == 12
    before = Tool.objects.get(slug="run-charts").worksheet
    path.write_text(
        "title: Run chart tally\nparts:\n"
        "  - columns: [Week, {label: X, formula: nope}]\n    rows: 12\n"
    )
    (content_dir / "templates/no-such-tool.yaml").write_text("title: X\n")
    with pytest.raises(ContentError) as caught:
        load_content(content_dir)
    problems = caught.value.problems
    assert any(
        p.startswith("content/templates/run-charts.yaml: part 1: column 'X'") for p in problems
    ), problems
    assert any(
        p.startswith("content/templates/no-such-tool.yaml: no tool has the slug") for p in problems
    )
    assert Tool.objects.get(slug="run-charts").worksheet == before


@pytest.mark.parametrize(
    "raw",
    [
        {"title": "T", "orientation": ["landscape"], "parts": SIMPLE["parts"]},
        {"title": "T", "fields": "Unit", "parts": SIMPLE["parts"]},
        {"title": "T", "fields": [{"label": "U", "key": {"a": 1}}], "parts": SIMPLE["parts"]},
        with_columns("A", totals=[["total"]]),
        with_columns([["A"]]),
        with_columns("A", rows=[{"a": 1}]),
        ["not", "a", "mapping"],
    ],
)
def test_malformed_definitions_are_problems_not_crashes(raw):
    sheet, problems = check(raw)
    assert sheet is None and problems
