"""The `questions:` list in tool and guide front matter: checked, stored, and refused
with the file and the problem when it is wrong."""

import re
from pathlib import Path

import pytest

from guides.library.content import ContentError, load_content
from guides.library.models import Guide, Tool

pytestmark = pytest.mark.django_db


def add_questions(path: Path, after: str, block: str) -> None:
    """Insert a `questions:` block after the front-matter line that starts with `after`."""
    text = path.read_text()
    text, n = re.subn(rf"^({after}:.*\n)", lambda m: m.group(1) + block, text, count=1, flags=re.M)
    assert n == 1
    path.write_text(text)


def test_questions_are_loaded_onto_tools_and_guides(content_dir):
    block = 'questions:\n  - "how do we try   an idea out?"\n  - "testing on a small scale"\n'
    add_questions(content_dir / "tools/pdsa-cycles.md", "also_known_as", block)
    add_questions(content_dir / "guides/01-process-mapping.md", "side",
                  'questions:\n  - "where does the time go"\n')  # fmt: skip
    load_content(content_dir)
    assert Tool.objects.get(slug="pdsa-cycles").questions == [
        "how do we try an idea out?", "testing on a small scale"
    ]  # fmt: skip
    assert Guide.objects.get(slug="process-mapping").questions == ["where does the time go"]
    assert Tool.objects.get(slug="run-charts").questions == []  # the field is optional


@pytest.mark.parametrize(
    ("block", "message"),
    [
        ("questions: where are we now\n", "'questions' must be a list of questions or phrases"),
        ("questions:\n  - 12\n", "'questions' must be a list of questions or phrases"),
        ("questions:\n  - [a, b]\n", "'questions' must be a list of questions or phrases"),
        ('questions:\n  - "  "\n', "'questions' item 1 is empty"),
        (f'questions:\n  - "ok"\n  - "{"x" * 151}"\n', "'questions' item 2 is longer than 150"),
        ('questions:\n  - "Who is it for?"\n  - "who is it for"\n',
         "'questions' lists the question 'who is it for' twice"),
    ],
)  # fmt: skip
def test_bad_questions_are_refused_with_the_file(content_dir, block, message):
    before = list(Tool.objects.values_list("slug", "questions"))
    add_questions(content_dir / "tools/run-charts.md", "name", block)
    with pytest.raises(ContentError) as caught:
        load_content(content_dir)
    assert any("tools/run-charts.md: " in p and message in p for p in caught.value.problems), (
        caught.value.problems
    )
    assert list(Tool.objects.values_list("slug", "questions")) == before  # nothing changed


def test_bad_guide_questions_name_the_guide_file(content_dir):
    add_questions(content_dir / "guides/02-measurement-for-improvement.md", "side",
                  "questions: {a: b}\n")  # fmt: skip
    with pytest.raises(ContentError) as caught:
        load_content(content_dir)
    assert any(
        "guides/02-measurement-for-improvement.md: " in p and "'questions'" in p
        for p in caught.value.problems
    )


def test_every_real_tool_and_guide_carries_questions():
    """The real content (loaded for the session) has questions for every page."""
    for model in (Tool, Guide):
        for obj in model.objects.all():
            assert len(obj.questions) >= 3, obj
            assert all(q == " ".join(q.split()) and len(q) <= 150 for q in obj.questions)
