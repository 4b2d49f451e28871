"""The boundaries of ARCHITECTURE.md, read from the code itself, so that a change which
crosses one fails here rather than quietly. Each check is also run on a small made-up
source that breaks it, to show the check can fail."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GUIDES = ROOT / "guides"
APPS = ("core", "library", "search", "examples", "training", "measurement")
MAX_LINES = 600


def python_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if "migrations" not in p.parts)


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(source: str, module: str = "") -> set[str]:
    """Every module a source imports, anywhere in it (functions and TYPE_CHECKING blocks
    too), with relative imports made absolute."""
    found = set()
    package = module.rsplit(".", 1)[0] if module else ""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found |= {f"{base}.{alias.name}" for alias in node.names}
    return found


def crossings(folder: Path, forbidden: tuple[str, ...], root: Path = ROOT) -> list[str]:
    """Each import under `folder` of a module in (or under) `forbidden`."""
    problems = []
    for path in sorted(p for p in folder.rglob("*.py") if "migrations" not in p.parts):
        parts = path.relative_to(root).with_suffix("").parts
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        for name in imports(path.read_text(), module):
            if any(name == f or name.startswith(f + ".") for f in forbidden):
                problems.append(f"{path.relative_to(root)} imports {name}")
    return sorted(problems)


LIBRARY_MUST_NOT_IMPORT = ("guides.examples", "guides.training", "guides.search")
PURE = [GUIDES / "measurement" / "runchart", GUIDES / "measurement" / "capacity"]
NOT_IN_PURE = ("django", "guides.core", "guides.library", "guides.measurement.views",
               "guides.measurement.forms", "guides.measurement.charts",
               "guides.measurement.capacity_views", "guides.measurement.capacity_forms",
               "guides.measurement.capacity_chart", "guides.measurement.drawing")  # fmt: skip


def test_the_library_imports_no_feature_built_on_it():
    assert crossings(GUIDES / "library", LIBRARY_MUST_NOT_IMPORT) == []


def test_the_library_templates_name_no_feature_built_on_it():
    """Its pages reach other apps only through panels (guides/core/panels.py)."""
    named = re.compile(r"""(?:url ['"]|include ['"]|extends ['"])(examples|training|search)[:/]""")
    problems = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in sorted((GUIDES / "library" / "templates").rglob("*.html"))
        for match in named.finditer(path.read_text())
    ]
    assert problems == []


def test_the_chart_maker_imports_no_app_that_stores_charts():
    """Examples and training draw charts through measurement.maker, never the reverse."""
    stores = ("guides.examples", "guides.training", "guides.search")
    assert crossings(GUIDES / "measurement", stores) == []


def test_the_pure_rules_import_nothing_from_django_or_the_pages():
    assert all(folder.is_dir() for folder in PURE)
    for folder in PURE:
        assert crossings(folder, NOT_IN_PURE) == []


def test_only_the_library_markup_pipeline_calls_markdown_or_nh3():
    pipeline = GUIDES / "library" / "markup.py"
    problems = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in python_files(GUIDES)
        if path != pipeline
        for name in imports(path.read_text(), module_name(path))
        if name.split(".")[0] in ("markdown", "nh3")
    ]
    assert problems == []
    assert {"markdown", "nh3"} <= imports(pipeline.read_text())


# Template variables marked safe: the pipeline's stored output (its fields end in "html"),
# the form preview (made by markup.render), and search snippets (escaped, then <mark>ed).
SAFE_SOURCES = re.compile(r"^(?:[\w.]*html|preview\.\w+|r\.snippet_html)$")


def test_templates_mark_safe_only_what_the_pipeline_made():
    problems = []
    for path in sorted(GUIDES.rglob("templates/**/*.html")) + sorted(
        (ROOT / "templates").rglob("*.html")
    ):
        for variable in re.findall(r"\{\{\s*([^|}]+?)\s*\|\s*safe", path.read_text()):
            if not SAFE_SOURCES.match(variable):
                problems.append(f"{path.relative_to(ROOT)}: {variable}|safe")
    assert problems == []


def test_no_python_file_under_guides_is_too_long():
    long = {
        str(p.relative_to(ROOT)): n
        for p in python_files(GUIDES)
        if (n := len(p.read_text().splitlines())) > MAX_LINES
    }
    assert long == {}


@pytest.mark.parametrize("app", APPS)
def test_each_app_has_its_own_parts(app):
    folder = GUIDES / app
    for part in ("apps.py", "urls.py", "admin.py"):
        assert (folder / part).is_file(), f"{app} has no {part}"
    assert (folder / "views.py").is_file() or (folder / "views" / "__init__.py").is_file()
    assert (folder / "templates" / app).is_dir() or app == "core"
    assert f'app_name = "{app}"' in (folder / "urls.py").read_text()
    assert f'label = "{app}"' in (folder / "apps.py").read_text()


def test_no_test_file_imports_another():
    tests = ROOT / "tests"
    test_modules = {module_name(p) for p in tests.rglob("test_*.py")}
    problems = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in sorted(tests.rglob("*.py"))
        for name in imports(path.read_text(), module_name(path))
        if name in test_modules
        or any(name.startswith(m + ".") for m in test_modules)
        or name.rsplit(".", 1)[-1] == "conftest"
    ]
    assert problems == []


# The checks can fail ---------------------------------------------------------------------


def test_the_import_reader_sees_every_kind_of_import():
    source = """
import nh3
from guides.examples.models import LocalExample
from ..search import engine
def later():
    from guides.training import handouts
if TYPE_CHECKING:
    from django.http import HttpRequest
"""
    found = imports(source, "guides.library.views.browse")
    assert {"nh3", "guides.examples.models", "guides.library.search.engine"} <= found
    assert {"guides.training.handouts", "django.http"} <= found


def test_a_forbidden_import_added_to_the_library_fails(tmp_path):
    library = tmp_path / "guides" / "library"
    library.mkdir(parents=True)
    (library / "sneaky.py").write_text("def f():\n    from guides.search import engine\n")
    assert crossings(library, LIBRARY_MUST_NOT_IMPORT, root=tmp_path) == [
        "guides/library/sneaky.py imports guides.search",
        "guides/library/sneaky.py imports guides.search.engine",
    ]


def test_django_added_to_a_pure_module_fails(tmp_path):
    pure = tmp_path / "guides" / "measurement" / "runchart"
    pure.mkdir(parents=True)
    (pure / "rules.py").write_text("from django.utils import timezone\n")
    assert crossings(pure, NOT_IN_PURE, root=tmp_path) == [
        "guides/measurement/runchart/rules.py imports django.utils",
        "guides/measurement/runchart/rules.py imports django.utils.timezone",
    ]
