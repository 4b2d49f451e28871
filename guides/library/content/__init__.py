"""Reading, checking and loading the guide content in `fixtures/`.

`read_content(folder)` parses and validates every file (parse.py) and checks and
renders it (check.py), raising `ContentError` with every problem found (file and what is
wrong). `load_content(folder)` then writes the result in one transaction (load.py),
updating rows in place by natural key, deleting content whose file was removed, and
leaving user data alone. The format is described in `fixtures/README.md`.
"""

from guides.library.content.check import check_references, read_content, render_content
from guides.library.content.load import LoadReport, apply_content, load_content
from guides.library.content.parse import Content, ContentError

__all__ = [
    "Content",
    "ContentError",
    "LoadReport",
    "apply_content",
    "check_references",
    "load_content",
    "read_content",
    "render_content",
]
