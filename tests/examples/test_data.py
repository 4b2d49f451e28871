"""Nothing lost: examples survive content reloads, export and import round-trip them
exactly, and accounts are made by a command with no default password."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import CommandError, call_command
from taggit.models import Tag

from guides.examples.models import ExampleStatus, LocalExample
from guides.library.content import ContentError, load_content
from guides.library.models import Guide, Tool
from tests.factories import (
    PASSWORD,
    make_example,
    make_user,
)

pytestmark = pytest.mark.django_db


def snapshot() -> list[dict]:
    """Every stored field of every example, with its tools and tags, comparably."""
    rows = []
    for example in LocalExample.objects.order_by("uid"):
        row = {f.attname: getattr(example, f.attname) for f in LocalExample._meta.concrete_fields}
        row["tools"] = sorted(example.tools.values_list("slug", flat=True))
        row["tags"] = sorted(example.tags.names())
        rows.append(row)
    return rows


# Reloading the content ---------------------------------------------------------------------


@pytest.fixture
def loaded(content_dir: Path) -> dict:
    load_content(content_dir)
    author = make_user("fac_a", "facilitator")
    example = make_example(
        author,
        tools=("pdsa-cycles", "run-charts"),
        tags=("cardiac",),
        status=ExampleStatus.PUBLISHED,
        title="Survivor",
    )
    return {"dir": content_dir, "example": example}


def test_an_unchanged_reload_leaves_examples_exactly_as_they_were(loaded):
    before = snapshot()
    report = load_content(loaded["dir"])
    assert not report.changed
    assert snapshot() == before


def test_an_edited_guide_keeps_its_examples(loaded):
    path = loaded["dir"] / "guides/01-process-mapping.md"
    path.write_text(path.read_text().replace("A process map shows each step.", "New words."))
    before = snapshot()
    load_content(loaded["dir"])
    assert snapshot() == before


def test_a_removed_tool_unlinks_its_examples_which_stay_and_are_reported(loaded):
    folder = loaded["dir"]
    (folder / "tools/pdsa-cycles.md").unlink()
    guide = folder / "guides/01-process-mapping.md"
    guide.write_text(
        guide.read_text().replace("tools: [pdsa-cycles, run-charts]", "tools: [run-charts]")
    )
    report = load_content(folder)
    example = LocalExample.objects.get(pk=loaded["example"].pk)
    assert example.title == "Survivor" and example.status == ExampleStatus.PUBLISHED
    assert list(example.tools.values_list("slug", flat=True)) == ["run-charts"]
    assert any(
        "Tool 'pdsa-cycles'" in note and f"#{example.pk} “Survivor”" in note
        for note in report.notes
    ), report.notes
    assert "lost their link" in str(report)


def test_a_renamed_tool_unlinks_its_examples_which_stay_and_are_reported(loaded):
    folder = loaded["dir"]
    old = folder / "tools/run-charts.md"
    (folder / "tools/run-charts-over-time.md").write_text(
        old.read_text().replace("slug: run-charts", "slug: run-charts-over-time")
    )
    old.unlink()
    for path in [*folder.glob("guides/*.md"), folder / "tools/pdsa-cycles.md"]:
        text = path.read_text().replace("run-charts]", "run-charts-over-time]")
        path.write_text(text.replace("tool:run-charts)", "tool:run-charts-over-time)"))
    out = StringIO()
    call_command("load_guides", "--dir", str(folder), stdout=out)
    example = LocalExample.objects.get(pk=loaded["example"].pk)
    assert list(example.tools.values_list("slug", flat=True)) == ["pdsa-cycles"]
    assert "Tool 'run-charts' (Run charts) was removed: 1 local example" in out.getvalue()
    assert Tool.objects.filter(slug="run-charts-over-time").exists()


def test_removing_a_guide_that_has_examples_is_refused_and_changes_nothing(loaded):
    folder = loaded["dir"]
    (folder / "guides/01-process-mapping.md").unlink()
    guides_before = sorted(Guide.objects.values_list("slug", flat=True))
    before = snapshot()
    with pytest.raises(ContentError) as error:
        load_content(folder)
    message = str(error.value)
    assert "guide 'process-mapping'" in message and "has 1 local example attached" in message
    assert sorted(Guide.objects.values_list("slug", flat=True)) == guides_before
    assert snapshot() == before
    # The command says the same, and so does a dry run.
    for args in ([], ["--check"]):
        with pytest.raises(CommandError, match="has 1 local example attached"):
            call_command("load_guides", "--dir", str(folder), *args, stdout=StringIO())
    assert snapshot() == before


def test_a_guide_without_examples_can_still_be_removed(loaded):
    folder = loaded["dir"]
    (folder / "guides/02-measurement-for-improvement.md").unlink()
    path = folder / "guides/01-process-mapping.md"
    path.write_text(
        path.read_text()
        .replace("related_guides: [measurement-for-improvement]\n", "")
        .replace("Read [the measurement guide](guide:measurement-for-improvement#what-it-is).", "")
    )
    report = load_content(folder)
    assert report.deleted.get("guides") == 1
    assert LocalExample.objects.filter(pk=loaded["example"].pk).exists()


# Export and import -------------------------------------------------------------------------


@pytest.fixture
def varied_examples():
    author = make_user("fac_a", "facilitator", first_name="Asha")
    editor = make_user("editor", "editor")
    gone = make_user("gone", "facilitator")
    when = datetime(2024, 3, 5, 9, 30, 15, 123456, tzinfo=UTC)
    examples = [
        make_example(author, tags=("cardiac", "a&e"), tools=("run-charts", "pdsa-cycles"),
                     period_start=date(2004, 4, 1), period_end=date(2005, 3, 31),
                     organisation_type="acute", team="Echo team", contact="Jo, lead",
                     section_anchor="how-to-do-it"),
        make_example(author, status=ExampleStatus.SUBMITTED, tags=("primary care",),
                     problem="## Heading\n\nA PDSA with *emphasis* and [a link](https://nhs.uk)."),
        make_example(author, status=ExampleStatus.RETURNED, editor_comment="Add measures.",
                     reviewed_by=editor, guide="measurement-for-improvement"),
        make_example(gone, status=ExampleStatus.PUBLISHED, tags=("café", "ｗｉｄｅ")),
    ]  # fmt: skip
    for i, example in enumerate(examples):
        # Distinct, exact times, versions and a published date to carry over.
        LocalExample.objects.filter(pk=example.pk).update(
            created_at=when + timedelta(days=i),
            updated_at=when + timedelta(days=i, seconds=7),
            published_at=when + timedelta(days=i, hours=1) if i == 3 else None,
            version=i + 3,
        )
    gone.delete()  # the author left: the example stays, with no author
    return examples


def export() -> dict:
    out = StringIO()
    call_command("export_examples", stdout=out)
    return json.loads(out.getvalue())


def test_export_then_import_round_trips_every_example_exactly(varied_examples, tmp_path):
    before = snapshot()
    assert len(before) == 4
    assert any(row["author_id"] is None for row in before)
    path = tmp_path / "examples.json"
    call_command("export_examples", "--output", str(path), stderr=StringIO())
    LocalExample.objects.all().delete()
    Tag.objects.all().delete()
    out = StringIO()
    call_command("import_examples", str(path), stdout=out)
    assert "4 created, 0 replaced, 0 already here" in out.getvalue()
    assert snapshot() == before  # ids, uids, html, text, status, version, dates, tags, tools
    assert export() == json.loads(path.read_text())


def test_importing_twice_changes_nothing_and_replace_overwrites(varied_examples, tmp_path):
    path = tmp_path / "examples.json"
    path.write_text(json.dumps(export()))
    before = snapshot()
    out = StringIO()
    call_command("import_examples", str(path), stdout=out)
    assert "0 created, 0 replaced, 4 already here" in out.getvalue()
    assert snapshot() == before
    LocalExample.objects.filter(pk=varied_examples[0].pk).update(title="Changed since")
    call_command("import_examples", str(path), "--replace", stdout=out)
    assert snapshot() == before


def test_an_import_into_a_database_where_the_ids_are_taken_keeps_everything_else(
    varied_examples, tmp_path
):
    data = export()
    LocalExample.objects.all().delete()
    squatter = make_example(None, title="Already here")
    data["examples"][0]["id"] = squatter.pk
    path = tmp_path / "examples.json"
    path.write_text(json.dumps(data))
    call_command("import_examples", str(path), stdout=StringIO())
    assert LocalExample.objects.count() == 5
    moved = LocalExample.objects.get(uid=data["examples"][0]["uid"])
    assert moved.pk != squatter.pk and moved.title == data["examples"][0]["title"]
    assert moved.problem_html.startswith("<p>")


def test_new_examples_get_fresh_ids_after_an_import(varied_examples, tmp_path):
    # PostgreSQL's id sequence must move past the imported ids.
    path = tmp_path / "examples.json"
    path.write_text(json.dumps(export()))
    LocalExample.objects.all().delete()
    call_command("import_examples", str(path), stdout=StringIO())
    new = make_example(None, title="Made after the import")
    assert new.pk > max(e.pk for e in varied_examples)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda row: row.update(guide="no-such-guide"), "unknown guide 'no-such-guide'"),
        (lambda row: row.update(tools=["no-such-tool"]), "unknown tool(s) 'no-such-tool'"),
        (lambda row: row.update(author="nobody"), "unknown user 'nobody'"),
        (lambda row: row.update(status="live"), "unknown status 'live'"),
        (lambda row: row.update(section="no-such"), "unknown section 'no-such'"),
        (lambda row: row.update(title="x" * 300), "at most 200 characters"),
        (
            lambda row: row.update(period_start="2004-04-01", period_end="1990-01-01"),
            "must be on or after its start",
        ),
        (lambda row: row.pop("title"), "'title'"),
    ],
)
def test_a_bad_import_file_imports_nothing(varied_examples, tmp_path, change, message):
    data = export()
    change(data["examples"][1])
    LocalExample.objects.all().delete()
    path = tmp_path / "examples.json"
    path.write_text(json.dumps(data))
    with pytest.raises(CommandError) as error:
        call_command("import_examples", str(path), stdout=StringIO())
    assert message in str(error.value) and "nothing was imported" in str(error.value)
    assert not LocalExample.objects.exists()


def test_import_sanitises_again_rather_than_trusting_the_file(varied_examples, tmp_path):
    data = export()
    data["examples"][0]["problem"] = "<script>alert(1)</script>[x](javascript:alert(1))"
    data["examples"][0]["problem_html"] = "<script>alert(1)</script>"  # ignored
    LocalExample.objects.all().delete()
    path = tmp_path / "examples.json"
    path.write_text(json.dumps(data))
    call_command("import_examples", str(path), stdout=StringIO())
    html = LocalExample.objects.get(uid=data["examples"][0]["uid"]).problem_html
    assert "<script" not in html and "javascript:" not in html


def test_a_file_from_before_sections_imports_each_example_for_its_whole_guide(
    varied_examples, tmp_path
):
    data = export()
    assert any(row["section"] == "how-to-do-it" for row in data["examples"])
    for row in data["examples"]:
        row.pop("section")
    LocalExample.objects.all().delete()
    path = tmp_path / "examples.json"
    path.write_text(json.dumps(data))
    call_command("import_examples", str(path), stdout=StringIO())
    assert set(LocalExample.objects.values_list("section_anchor", flat=True)) == {""}


def test_a_file_that_is_not_an_export_is_refused(tmp_path):
    path = tmp_path / "other.json"
    path.write_text(json.dumps({"something": "else"}))
    with pytest.raises(CommandError, match="not a 'ilg-local-examples' file"):
        call_command("import_examples", str(path), stdout=StringIO())


# create_user ---------------------------------------------------------------------------------


def test_create_user_from_a_password_file(tmp_path):
    secret = tmp_path / "password"
    secret.write_text("Correct-horse-battery-staple-9\n")
    out = StringIO()
    call_command("create_user", "jsmith", "--role", "facilitator", "--email",
                 "j.smith@nhs.example", "--password-file", str(secret), stdout=out)  # fmt: skip
    user = User.objects.get(username="jsmith")
    assert user.check_password("Correct-horse-battery-staple-9")
    assert list(user.groups.values_list("name", flat=True)) == ["Facilitators"]
    assert user.has_perm("examples.add_localexample") and not user.is_staff
    assert "Created 'jsmith' with the roles: Facilitators." in out.getvalue()


def test_create_user_from_the_environment_with_two_roles(monkeypatch):
    monkeypatch.setenv("ILG_NEW_USER_PASSWORD", "Another-long-secret-42")
    call_command("create_user", "lead", "--role", "editor", "--role", "trainer", stdout=StringIO())
    user = User.objects.get(username="lead")
    assert user.check_password("Another-long-secret-42")
    assert set(user.groups.values_list("name", flat=True)) == {"Editors", "Trainers"}
    assert user.has_perm("examples.review_localexample")


def test_create_user_never_makes_up_a_password(monkeypatch):
    monkeypatch.delenv("ILG_NEW_USER_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    with pytest.raises(CommandError, match="No password given"):
        call_command("create_user", "nopass", "--role", "facilitator", stdout=StringIO())
    assert not User.objects.filter(username="nopass").exists()


def test_create_user_refuses_a_weak_password(monkeypatch):
    monkeypatch.setenv("ILG_NEW_USER_PASSWORD", "password")
    with pytest.raises(CommandError, match="refused"):
        call_command("create_user", "weak", "--role", "facilitator", stdout=StringIO())
    assert not User.objects.filter(username="weak").exists()


def test_create_user_without_a_password_needs_an_email():
    with pytest.raises(CommandError, match="needs --email"):
        call_command("create_user", "x", "--role", "trainer", "--no-password", stdout=StringIO())
    call_command("create_user", "x", "--role", "trainer", "--no-password", "--email",
                 "x@nhs.example", stdout=StringIO())  # fmt: skip
    assert not User.objects.get(username="x").has_usable_password()


def test_create_user_refuses_an_existing_name(monkeypatch):
    make_user("taken")
    monkeypatch.setenv("ILG_NEW_USER_PASSWORD", "Another-long-secret-42")
    with pytest.raises(CommandError, match="already a user called 'taken'"):
        call_command("create_user", "taken", "--role", "editor", stdout=StringIO())
    assert User.objects.get(username="taken").check_password(PASSWORD)


def test_the_roles_exist_with_their_permissions():
    def codenames(name: str) -> set[str]:
        return set(Group.objects.get(name=name).permissions.values_list("codename", flat=True))

    assert codenames("Facilitators") == {"add_localexample"}
    assert codenames("Editors") >= {
        "add_localexample", "change_localexample", "delete_localexample", "view_localexample",
        "review_localexample",
    }  # fmt: skip
    assert Group.objects.filter(name="Trainers").exists()


def test_no_account_exists_until_someone_makes_one():
    # Migrations create roles, never users (so no default password anywhere).
    assert not User.objects.exists()
