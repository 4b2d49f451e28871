"""Tool templates as structured data, defined once in `fixtures/templates/<tool>.yaml`:
checked on load (spec), shown on the tool page and printed from the one HTML include
(library/_worksheet.html), and downloaded as Word and Excel files (office), all from the
same Sheet (sheet). Formulas are parsed once (formula)."""

from guides.library.worksheets.office import excel_formula, worksheet_docx, worksheet_xlsx
from guides.library.worksheets.sheet import Sheet
from guides.library.worksheets.spec import check_worksheet

__all__ = ["Sheet", "check_worksheet", "excel_formula", "worksheet_docx", "worksheet_xlsx"]
