"""manage.py load_demo: clearly marked demonstration examples on sections of several
guides and a sample module; idempotent; refused in production; --delete removes exactly
what it added; `make run` offers it on an empty database."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from guides.examples.models import ExampleStatus, LocalExample
from guides.training import demo
from guides.training.models import ItemKind, Module
from tests.factories import csrf_client, every_count, populate

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def test_it_adds_marked_examples_on_sections_of_several_guides_and_a_module():
    out = run()
    examples = list(LocalExample.objects.filter(uid__in=demo.demo_uids()))
    assert len(examples) == len(demo.EXAMPLES) >= 5
    assert len({e.guide_id for e in examples}) >= 5
    for example in examples:
        assert example.status == ExampleStatus.PUBLISHED
        assert example.section is not None, example.title
        assert example.title.startswith("Demo: ")
        assert "demonstration example, made up" in example.problem_html
        assert "demo" in example.tags.names()
        assert example.tools.exists()
        assert f"“{example.title}”" in out
    module = Module.objects.get(title=demo.MODULE_TITLE)
    kinds = list(module.items.values_list("kind", flat=True))
    assert {ItemKind.SECTION, ItemKind.TOOL, ItemKind.EXAMPLE, ItemKind.NOTE} <= set(kinds)
    assert module.items.get(kind=ItemKind.SECTION).with_examples
    user = User.objects.get(username=demo.DEMO_USERNAME)
    assert not user.is_active and not user.has_usable_password()
    # The guide page shows them beside their sections.
    first = next(e for e in examples if e.guide.slug == "process-mapping")
    html = csrf_client().get("/guides/process-mapping/").content.decode()
    assert first.title in html and "1 local example</summary>" in html


def test_a_second_run_adds_nothing():
    run()
    before = every_count()
    assert "already there" in run()
    assert every_count() == before


def test_it_is_refused_in_production(settings):
    settings.HTTPS = True
    before = every_count()
    with pytest.raises(CommandError, match="refused when HTTPS=true"):
        run()
    assert every_count() == before


def test_delete_removes_exactly_what_it_added():
    populate()  # staff data, which must survive
    staff = LocalExample.objects.get(title="Cutting waits for echo", status="draft")
    staff.tags.add("cardiology")  # a tag the demo uses too
    before = every_count()
    run()
    assert every_count() != before
    out = run("--delete")
    assert f"Removed {len(demo.EXAMPLES)} demo examples." in out
    assert every_count() == before
    assert "cardiology" in LocalExample.objects.get(pk=staff.pk).tags.names()
    assert "There was no demonstration data." in run("--delete")


def test_make_run_offers_it_only_on_an_empty_database():
    assert "load_demo" in run("--offer")
    run()
    assert run("--offer") == ""


def test_the_makefile_offers_it_without_asking():
    from pathlib import Path

    makefile = (Path(__file__).resolve().parents[2] / "Makefile").read_text()
    assert "manage.py load_demo --offer" in makefile
    assert "manage.py load_demo;" in makefile  # DEMO=1 loads it
