"""The smaller findings of the second security review (issue 19): disguised
protocol-relative links, an oversized module note, the export file's permissions, and
unpublished example ids that could be told from missing ones."""

from __future__ import annotations

import os
import re
import stat

import pytest
from django.core.management import call_command

from guides.examples.models import ExampleStatus
from guides.library import markup
from guides.training.models import Module
from tests.factories import csrf_client, make_example, make_user, post


@pytest.mark.parametrize(
    "href",
    [
        "//evil.example/x",
        "\\/evil.example/x",
        "\\\\evil.example/x",
        "/\\evil.example/x",
        "/\t/evil.example/x",
        "/&#9;/evil.example/x",
        "/\n/evil.example/x",
        " //evil.example/x",
        "\t\\/evil.example/x",
        "https:evil.example/x",
        "HTTP:evil.example/x",
        "https:/evil.example/x",
        "ht\ttps:evil.example/x",
    ],
)
def test_disguised_protocol_relative_links_are_dropped(href):
    clean = markup.sanitise(f'<a href="{href}">x</a><img src="{href}" alt="y">')
    assert "href" not in clean and "src" not in clean
    assert "evil" not in clean


@pytest.mark.parametrize(
    "href",
    ["/guides/process-mapping/", "#step-2", "notes/1", "/a//b", "https://www.england.nhs.uk/x"],
)
def test_relative_links_and_full_addresses_stay(href):
    assert f'href="{href}"' in markup.sanitise(f'<a href="{href}">x</a>')


@pytest.mark.django_db
def test_an_oversized_module_note_gets_its_module_page_with_a_message(settings):
    trainer = make_user("trainer", "trainer")
    module = Module.objects.create(owner=trainer, title="Notes")
    client = csrf_client(trainer)
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    data = {"note-text": "x" * 5000, "note-audience": "everyone", "note-version": 1}
    response = post(client, f"/modules/{module.pk}/notes/add/", data, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == module.get_absolute_url()
    assert "too large to read, so nothing was saved" in response.content.decode()
    assert not module.items.exists()


@pytest.mark.django_db
def test_export_examples_writes_a_file_only_its_owner_can_read(tmp_path):
    make_example(make_user("fac", "facilitator"), status=ExampleStatus.PUBLISHED)
    target = tmp_path / "examples.json"
    target.write_text("old")
    target.chmod(0o644)  # an earlier export, or a file made by hand
    old_umask = os.umask(0o022)
    try:
        call_command("export_examples", "--output", str(target), stderr=open(os.devnull, "w"))
        fresh = tmp_path / "fresh.json"
        call_command("export_examples", "--output", str(fresh), stderr=open(os.devnull, "w"))
    finally:
        os.umask(old_umask)
    for path in (target, fresh):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
        assert '"examples"' in path.read_text()


@pytest.mark.django_db
def test_an_unpublished_example_id_answers_like_a_missing_one():
    trainer = make_user("trainer", "trainer")
    draft = make_example(make_user("fac", "facilitator"), status=ExampleStatus.DRAFT)
    module = Module.objects.create(owner=trainer, title="Probe")
    client = csrf_client(trainer)

    def answer(pk: int) -> tuple[int, str]:
        module.refresh_from_db()
        response = post(
            client,
            f"/modules/{module.pk}/items/add/",
            {"item": f"example:{pk}", "version": module.version},
            follow=True,
        )
        found = re.search(
            r'<div class="messages"[^>]*>(.*?)</div>', response.content.decode(), re.S
        )
        return response.status_code, found.group(1).replace(str(pk), "ID") if found else ""

    unpublished, missing = answer(draft.pk), answer(987654)
    assert unpublished[0] == missing[0]
    assert unpublished[1] == missing[1]
    assert "could not be found, or is not published" in missing[1]
    assert not module.items.exists()
