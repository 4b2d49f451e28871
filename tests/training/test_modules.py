"""Training modules: building (details, items from every kind of content, notes),
reordering, removing, duplicating and sharing, with the permissions around them, the
version check that stops two people overwriting each other, placeholders for content
that has gone, escaping, and bounded query counts. The handouts are in test_handouts.py.
"""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from guides.examples.models import ExampleStatus
from guides.library.models import GlossaryTerm, Guide, Section, Tool
from guides.search import index as search_index
from guides.training.models import MAX_MODULE_ITEMS, ItemKind, Module, ModuleItem, ModuleVisibility
from guides.training.views import STALE
from tests.factories import (
    add_item as add,
)
from tests.factories import (
    csrf_client,
    make_example,
    make_user,
    post,
)

pytestmark = pytest.mark.django_db


# Helpers ----------------------------------------------------------------------------


def make_module(owner, *, title: str = "Measurement for ward teams", **fields) -> Module:
    return Module.objects.create(owner=owner, title=title, **fields)


def with_three_items(owner, **fields) -> Module:
    module = make_module(owner, **fields)
    add(module, ItemKind.GUIDE, Guide.objects.get(slug="measurement-for-improvement"))
    add(module, ItemKind.TOOL, Tool.objects.get(slug="run-charts"))
    add(module, ItemKind.NOTE, title="Exercise: your own data", text="Plot **your** ward's data.")
    return module


def titles(module: Module) -> list[str]:
    return [i.title for i in module.items.order_by("order", "pk")]


def html(response) -> str:
    return response.content.decode()


def messages_in(response) -> str:
    match = re.search(r'<div class="messages"[^>]*>(.*?)</div>', html(response), re.S)
    return match.group(1) if match else ""


@pytest.fixture
def people() -> dict:
    return {
        "anonymous": None,
        "owner": make_user("trainer_a", "trainer"),
        "trainer": make_user("trainer_b", "trainer"),
        "editor": make_user("editor", "editor"),
        "facilitator": make_user("facilitator", "facilitator"),
    }


# Creating a module -------------------------------------------------------------------


def test_trainer_makes_a_module_which_starts_private(people):
    client = csrf_client(people["owner"])
    assert client.get("/modules/new/").status_code == 200
    response = post(
        client,
        "/modules/new/",
        {
            "title": "  Measurement   for ward teams ",
            "audience": "Ward sisters, cardiac unit",
            "duration": "Half a day",
            "objectives": "Read a run chart\n\n- Tell common from special cause\n",
            "trainer_notes": "Bring **real** data.",
        },
    )
    module = Module.objects.get()
    assert response.status_code == 302 and response["Location"] == module.get_absolute_url()
    assert module.owner == people["owner"]
    assert module.title == "Measurement for ward teams"
    assert module.visibility == ModuleVisibility.PRIVATE
    assert module.objective_list == ["Read a run chart", "Tell common from special cause"]
    assert "<strong>real</strong>" in module.trainer_notes_html
    page = html(client.get(module.get_absolute_url()))
    assert "<h1>Measurement for ward teams</h1>" in page
    assert "<li>Tell common from special cause</li>" in page
    assert "only you can see this module" in page


def test_editor_can_build_a_module(people):
    response = post(csrf_client(people["editor"]), "/modules/new/", {"title": "Editors' module"})
    assert response.status_code == 302
    assert Module.objects.get().owner == people["editor"]


@pytest.mark.parametrize("actor", ["facilitator"])
def test_facilitator_cannot_make_a_module(people, actor):
    client = csrf_client(people[actor])
    assert client.get("/modules/new/").status_code == 403
    response = post(client, "/modules/new/", {"title": "Not allowed"})
    assert response.status_code == 403
    assert "Trainers role" in html(response)
    assert not Module.objects.exists()


def test_anonymous_is_sent_to_sign_in():
    client = Client()
    for url in ("/modules/", "/modules/new/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")


def test_title_is_required_and_the_error_is_linked_to_the_field(people):
    response = post(csrf_client(people["owner"]), "/modules/new/", {"title": "   "})
    assert response.status_code == 200
    page = html(response)
    assert "There is a problem" in page
    assert 'href="#id_title"' in page
    assert not Module.objects.exists()


# Adding items --------------------------------------------------------------------------


def test_every_kind_of_item_can_be_added_from_the_module_page(people):
    owner = people["owner"]
    example = make_example(people["facilitator"], status=ExampleStatus.PUBLISHED)
    module = make_module(owner)
    client = csrf_client(owner)
    section = Section.objects.select_related("guide").filter(guide__slug="process-mapping")[1]
    values = [
        ("guide-item", "guide:process-mapping"),
        ("item", f"section:process-mapping#{section.anchor}"),
        ("item", "tool:run-charts"),
        ("item", "term:pdsa"),
        ("item", f"example:{example.pk}"),
    ]
    for name, value in values:
        module.refresh_from_db()
        prefix = "guide-" if name == "guide-item" else ""
        response = post(
            client,
            f"/modules/{module.pk}/items/add/",
            {name: value, f"{prefix}version": module.version, f"{prefix}minutes": "20"},
        )
        assert response.status_code == 302, html(response)
    module.refresh_from_db()
    response = post(
        client,
        f"/modules/{module.pk}/notes/add/",
        {
            "note-title": "Exercise: map your clinic",
            "note-text": "Draw the **first ten** steps.",
            "note-audience": "everyone",
            "note-minutes": "30",
            "note-version": module.version,
        },
    )
    assert response.status_code == 302
    items = list(module.items.order_by("order"))
    assert [i.kind for i in items] == ["guide", "section", "tool", "term", "example", "note"]
    assert [i.minutes for i in items] == [20, 20, 20, 20, 20, 30]
    assert items[1].title == f"Process mapping, analysis and redesign: {section.title}"
    assert items[5].text_html == "<p>Draw the <strong>first ten</strong> steps.</p>"
    page = html(client.get(module.get_absolute_url()))
    for item in items:
        assert escape(item.current_title) in page
    assert 'href="/tools/run-charts/"' in page
    assert "Timings planned: 2 h 10 min" in page


def test_only_published_local_examples_can_be_added(people):
    owner = people["owner"]
    module = make_module(owner)
    client = csrf_client(owner)
    for status in (ExampleStatus.DRAFT, ExampleStatus.SUBMITTED, ExampleStatus.RETURNED):
        example = make_example(owner, status=status)
        response = post(
            client,
            f"/modules/{module.pk}/items/add/",
            {"item": f"example:{example.pk}", "version": module.version},
            follow=True,
        )
        assert "only published local examples can be added" in messages_in(response)
    assert not module.items.exists()


def test_an_unknown_item_is_refused_with_a_message(people):
    module = make_module(people["owner"])
    client = csrf_client(people["owner"])
    for value in ("tool:no-such-tool", "section:process-mapping#nowhere", "script:x", ""):
        response = post(
            client,
            f"/modules/{module.pk}/items/add/",
            {"item": value, "version": module.version},
            follow=True,
        )
        assert response.status_code == 200
        assert "There is a problem" not in html(response) or messages_in(response)
        assert messages_in(response), value
    assert not module.items.exists()


def test_a_note_needs_text_and_the_error_names_the_field(people):
    module = make_module(people["owner"])
    response = post(
        csrf_client(people["owner"]),
        f"/modules/{module.pk}/notes/add/",
        {"note-title": "Empty", "note-text": "", "note-audience": "everyone",
         "note-version": module.version},
    )  # fmt: skip
    assert response.status_code == 400
    assert 'href="#id_note-text"' in html(response)
    assert not module.items.exists()


def test_a_module_holds_at_most_the_limit(people):
    module = make_module(people["owner"])
    ModuleItem.objects.bulk_create(
        ModuleItem(module=module, order=i, kind=ItemKind.NOTE, title=f"n{i}", text="x")
        for i in range(MAX_MODULE_ITEMS)
    )
    response = post(
        csrf_client(people["owner"]),
        f"/modules/{module.pk}/items/add/",
        {"item": "tool:run-charts", "version": module.version},
        follow=True,
    )
    assert f"at most {MAX_MODULE_ITEMS} items" in messages_in(response)
    assert module.items.count() == MAX_MODULE_ITEMS


def test_the_picker_searches_the_library_and_adds_what_it_finds(people):
    owner = people["owner"]
    example = make_example(
        people["facilitator"], title="Zebrafish clinic waits", status=ExampleStatus.PUBLISHED
    )
    draft = make_example(people["facilitator"], title="Zebrafish draft", status=ExampleStatus.DRAFT)
    # As publishing does (idempotent): only published examples are in the index.
    search_index.index_example(example)
    search_index.index_example(draft)
    module = make_module(owner)
    client = csrf_client(owner)
    # The tool's own name: "run chart" alone ranks ten other chart pages above it.
    page = html(client.get(f"/modules/{module.pk}/?q=run+charts"))
    values = re.findall(r'name="item" value="([^"]+)"', page)
    assert "tool:run-charts" in values
    page = html(client.get(f"/modules/{module.pk}/?q=common+pitfalls"))
    values = re.findall(r'name="item" value="([^"]+)"', page)
    assert any(v.startswith("section:") for v in values), values
    page = html(client.get(f"/modules/{module.pk}/?q=zebrafish"))
    values = re.findall(r'name="item" value="([^"]+)"', page)
    assert values == [f"example:{example.pk}"]
    assert f"example:{draft.pk}" not in page
    response = post(client, f"/modules/{module.pk}/items/add/", {"item": values[0], "version": 1})
    assert response.status_code == 302
    response = post(
        client, f"/modules/{module.pk}/items/add/", {"item": "tool:run-charts", "version": 2}
    )
    assert titles(module) == ["Zebrafish clinic waits", "Run charts"]


def test_the_picker_is_not_shown_to_readers(people):
    module = make_module(people["owner"], visibility=ModuleVisibility.STAFF)
    page = html(csrf_client(people["trainer"]).get(f"/modules/{module.pk}/?q=run+chart"))
    assert 'name="item"' not in page
    assert "Add to the module" not in page


# "Add to module" on guide, tool and term pages ----------------------------------------


@pytest.mark.parametrize(
    ("url", "value"),
    [
        ("/guides/process-mapping/", "guide:process-mapping"),
        ("/tools/run-charts/", "tool:run-charts"),
        ("/glossary/pdsa/", "term:pdsa"),
    ],
)
def test_content_pages_offer_add_to_module_to_builders_only(people, url, value):
    module = make_module(people["owner"], title="My cardiac course")
    page = html(csrf_client(people["owner"]).get(url))
    assert "Add to a training module" in page
    assert f'<option value="{module.pk}">My cardiac course</option>' in page
    assert f'value="{value}"' in page
    for actor in ("facilitator", "anonymous"):
        page = html(csrf_client(people[actor]).get(url))
        assert "Add to a training module" not in page
        assert "/modules/add/" not in page


def test_adding_from_a_guide_page_adds_a_section_and_returns_to_the_page(people):
    owner = people["owner"]
    module = make_module(owner)
    section = Section.objects.filter(guide__slug="process-mapping").order_by("order")[2]
    page = html(csrf_client(owner).get("/guides/process-mapping/"))
    assert f'value="section:process-mapping#{section.anchor}"' in page
    client = csrf_client(owner)
    response = post(
        client,
        "/modules/add/",
        {
            "item": f"section:process-mapping#{section.anchor}",
            "module": str(module.pk),
            "next": "/guides/process-mapping/",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/guides/process-mapping/"
    assert f"to your module “{module.title}”" in messages_in(response)
    item = module.items.get()
    assert (item.kind, item.section) == (ItemKind.SECTION, section)
    module.refresh_from_db()
    assert module.version == 2


def test_adding_from_a_page_never_sends_the_user_off_the_site(people):
    module = make_module(people["owner"])
    response = post(
        csrf_client(people["owner"]),
        "/modules/add/",
        {"item": "tool:run-charts", "module": str(module.pk), "next": "https://evil.example/"},
    )
    assert response["Location"] == "/modules/"


def test_a_new_module_can_start_from_a_content_page(people):
    client = csrf_client(people["owner"])
    response = post(client, "/modules/add/", {"item": "tool:run-charts", "module": "new"})
    assert response.status_code == 302
    assert response["Location"] == "/modules/new/?add=tool%3Arun-charts"
    page = html(client.get(response["Location"]))
    assert "will start with <strong>Run charts</strong>" in page
    response = post(
        client, "/modules/new/", {"title": "Run charts morning", "add": "tool:run-charts"}
    )
    module = Module.objects.get()
    assert titles(module) == ["Run charts"]


def test_nobody_can_add_to_someone_elses_module_from_a_page(people):
    module = make_module(people["owner"], visibility=ModuleVisibility.STAFF)
    for actor in ("trainer", "editor"):
        response = post(
            csrf_client(people[actor]),
            "/modules/add/",
            {"item": "tool:run-charts", "module": str(module.pk)},
            follow=True,
        )
        assert "Choose one of your modules" in messages_in(response)
    response = post(
        csrf_client(people["facilitator"]),
        "/modules/add/",
        {"item": "tool:run-charts", "module": str(module.pk)},
    )
    assert response.status_code == 403
    assert not module.items.exists()


# Reordering and removing --------------------------------------------------------------


def test_items_move_up_and_down_without_javascript(people):
    owner = people["owner"]
    module = with_three_items(owner)
    client = csrf_client(owner)
    guide, tool, note = module.items.order_by("order")
    page = html(client.get(module.get_absolute_url()))
    # The first item cannot go up, nor the last down.
    assert f"/items/{guide.pk}/up/" not in page and f"/items/{guide.pk}/down/" in page
    assert f"/items/{note.pk}/down/" not in page and f"/items/{note.pk}/up/" in page
    response = post(
        client, f"/modules/{module.pk}/items/{note.pk}/up/", {"version": 1}, follow=True
    )
    assert "to place 2 of 3" in messages_in(response)
    assert titles(module) == [guide.title, note.title, tool.title]
    post(client, f"/modules/{module.pk}/items/{guide.pk}/down/", {"version": 2})
    assert titles(module) == [note.title, guide.title, tool.title]
    # Drag and drop sends a position.
    post(client, f"/modules/{module.pk}/items/{tool.pk}/move/", {"version": 3, "position": 1})
    assert titles(module) == [tool.title, note.title, guide.title]
    module.refresh_from_db()
    assert module.version == 4


def test_an_item_is_removed(people):
    owner = people["owner"]
    module = with_three_items(owner)
    tool = module.items.get(kind=ItemKind.TOOL)
    response = post(
        csrf_client(owner), f"/modules/{module.pk}/items/{tool.pk}/remove/", {"version": 1},
        follow=True,
    )  # fmt: skip
    assert "Removed “Run charts”" in messages_in(response)
    assert ItemKind.TOOL not in module.items.values_list("kind", flat=True)
    assert Tool.objects.filter(slug="run-charts").exists()


def test_timing_and_notes_can_be_changed(people):
    owner = people["owner"]
    module = with_three_items(owner)
    tool, note = module.items.get(kind="tool"), module.items.get(kind="note")
    client = csrf_client(owner)
    assert client.get(f"/modules/{module.pk}/items/{tool.pk}/edit/").status_code == 200
    post(client, f"/modules/{module.pk}/items/{tool.pk}/edit/", {"minutes": "45", "version": 1})
    post(
        client,
        f"/modules/{module.pk}/items/{note.pk}/edit/",
        {"title": "Trainer: timing", "text": "Keep it *short*.", "audience": "trainer",
         "minutes": "", "version": 2},
    )  # fmt: skip
    tool.refresh_from_db()
    note.refresh_from_db()
    assert tool.minutes == 45
    assert (note.title, note.for_participants, note.minutes) == ("Trainer: timing", False, None)
    assert note.text_html == "<p>Keep it <em>short</em>.</p>"
    response = post(
        client, f"/modules/{module.pk}/items/{tool.pk}/edit/", {"minutes": "0", "version": 3}
    )
    assert response.status_code == 200 and 'href="#id_minutes"' in html(response)


# Two people, one module: no silent overwrites ------------------------------------------


def stale_actions(module: Module) -> list[tuple[str, dict]]:
    guide, tool, note = module.items.order_by("order")
    old = {"version": 1}
    return [
        (f"/modules/{module.pk}/items/add/", {"item": "term:pdsa", **old}),
        (
            f"/modules/{module.pk}/notes/add/",
            {"note-text": "Late note", "note-audience": "everyone", "note-version": 1},
        ),
        (f"/modules/{module.pk}/items/{note.pk}/up/", old),
        (f"/modules/{module.pk}/items/{guide.pk}/down/", old),
        (f"/modules/{module.pk}/items/{tool.pk}/move/", {"position": 1, **old}),
        (f"/modules/{module.pk}/items/{tool.pk}/remove/", old),
        (f"/modules/{module.pk}/items/{tool.pk}/edit/", {"minutes": "5", **old}),
        (f"/modules/{module.pk}/edit/", {"title": "Overwritten", **old}),
        (f"/modules/{module.pk}/share/", {"visibility": "link", **old}),
        (f"/modules/{module.pk}/delete/", old),
    ]


def state(module: Module) -> tuple:
    module = Module.objects.filter(pk=module.pk).first()
    if module is None:
        return ("deleted",)
    items = list(module.items.order_by("order").values_list("kind", "title", "minutes"))
    return (module.title, module.visibility, module.version, items)


@pytest.mark.parametrize("index", range(10))
def test_a_change_based_on_an_old_version_is_refused_with_a_message(people, index):
    owner = people["owner"]
    module = with_three_items(owner)
    # Someone else (here: the owner in another tab) moved the module on to version 2.
    assert module.claim(1)
    before = state(module)
    url, data = stale_actions(module)[index]
    response = post(csrf_client(owner), url, data, follow=True)
    assert state(module) == before, url
    page = html(response)
    assert "Someone else changed this module after you opened it" in page, url
    assert response.status_code in (200, 409), url


def test_an_owner_and_an_editor_on_one_module_do_not_overwrite_each_other(people):
    """Editors may change a shared module. Both open it at version 1; the editor removes
    the tool first; the owner's move, made on the page they still have open, is
    refused with a message instead of silently reordering a list they have not seen."""
    owner, editor = people["owner"], people["editor"]
    module = with_three_items(owner, visibility=ModuleVisibility.STAFF)
    guide, tool, note = module.items.order_by("order")
    owner_client, editor_client = csrf_client(owner), csrf_client(editor)
    assert 'name="version" value="1"' in html(owner_client.get(module.get_absolute_url()))
    assert 'name="version" value="1"' in html(editor_client.get(module.get_absolute_url()))
    response = post(editor_client, f"/modules/{module.pk}/items/{tool.pk}/remove/", {"version": 1})
    assert response.status_code == 302
    response = post(
        owner_client, f"/modules/{module.pk}/items/{note.pk}/up/", {"version": 1}, follow=True
    )
    assert escape(STALE) in messages_in(response)
    assert titles(module) == [guide.title, note.title]
    assert 'name="version" value="2"' in html(response)  # the page now shows the latest


def test_a_stale_edit_of_the_details_keeps_the_users_text(people):
    owner = people["owner"]
    module = make_module(owner, audience="Ward sisters")
    client = csrf_client(owner)
    post(client, f"/modules/{module.pk}/edit/", {"title": "First save", "version": 1})
    response = post(
        client, f"/modules/{module.pk}/edit/", {"title": "My careful rewrite", "version": 1}
    )
    assert response.status_code == 409
    page = html(response)
    assert 'value="My careful rewrite"' in page
    assert "The latest saved details" in page and "First save" in page
    assert 'name="version" value="2"' in page
    module.refresh_from_db()
    assert module.title == "First save"
    # Saving again from that form works: it is now based on the latest version.
    post(client, f"/modules/{module.pk}/edit/", {"title": "My careful rewrite", "version": 2})
    module.refresh_from_db()
    assert module.title == "My careful rewrite"


# Duplicating -----------------------------------------------------------------------------


def test_duplicating_a_shared_module_copies_its_items_for_the_new_owner(people):
    owner, trainer = people["owner"], people["trainer"]
    module = with_three_items(
        owner, visibility=ModuleVisibility.STAFF, audience="Ward sisters", objectives="One\nTwo"
    )
    add(module, ItemKind.NOTE, title="For me", text="Trainer only", for_participants=False)
    response = post(csrf_client(trainer), f"/modules/{module.pk}/duplicate/", follow=True)
    copy = Module.objects.exclude(pk=module.pk).get()
    assert response.redirect_chain[-1][0] == copy.get_absolute_url()
    assert "your own copy" in messages_in(response)
    assert copy.owner == trainer
    assert copy.visibility == ModuleVisibility.PRIVATE
    assert copy.share_token != module.share_token
    assert copy.title == f"Copy of {module.title}"
    assert (copy.audience, copy.objectives) == ("Ward sisters", "One\nTwo")
    fields = ["order", "kind", "guide", "tool", "title", "text_html", "minutes", "for_participants"]
    assert list(copy.items.order_by("order").values_list(*fields)) == list(
        module.items.order_by("order").values_list(*fields)
    )
    # The copy is the new owner's to change; the original is untouched.
    copy_tool = copy.items.get(kind=ItemKind.TOOL)
    post(csrf_client(trainer), f"/modules/{copy.pk}/items/{copy_tool.pk}/remove/", {"version": 1})
    assert module.items.count() == 4 and copy.items.count() == 3


def test_a_private_module_cannot_be_duplicated_by_others(people):
    module = with_three_items(people["owner"])
    response = post(csrf_client(people["trainer"]), f"/modules/{module.pk}/duplicate/")
    assert response.status_code == 404
    assert Module.objects.count() == 1


def test_a_facilitator_cannot_duplicate(people):
    module = make_module(people["owner"], visibility=ModuleVisibility.STAFF)
    response = post(csrf_client(people["facilitator"]), f"/modules/{module.pk}/duplicate/")
    assert response.status_code == 403
    assert Module.objects.count() == 1


# Sharing and who sees what ----------------------------------------------------------------


def test_modules_list_shows_mine_and_shared_ones_only(people):
    mine = make_module(people["owner"], title="Mine, private")
    shared = make_module(people["trainer"], title="Theirs, shared", visibility="staff")
    hidden = make_module(people["trainer"], title="Theirs, private")
    linked = make_module(people["trainer"], title="Theirs, by link", visibility="link")
    page = html(csrf_client(people["owner"]).get("/modules/"))
    assert mine.title in page and shared.title in page
    assert hidden.title not in page and linked.title not in page
    assert "By trainer_b" in page
    # Facilitators (all signed-in staff) see the shared ones, without a "new" button.
    page = html(csrf_client(people["facilitator"]).get("/modules/"))
    assert shared.title in page and hidden.title not in page
    assert "Start a new module" not in page


def test_a_private_module_is_404_to_everyone_but_its_owner(people):
    module = with_three_items(people["owner"])
    urls = [
        f"/modules/{module.pk}/",
        f"/modules/{module.pk}/handout/",
        f"/modules/{module.pk}/handout.pdf",
        f"/modules/{module.pk}/edit/",
        f"/modules/{module.pk}/delete/",
        f"/modules/{module.pk}/?key={module.share_token}",
    ]
    for actor in ("trainer", "editor", "facilitator"):
        client = csrf_client(people[actor])
        for url in urls:
            assert client.get(url).status_code == 404, (actor, url)
    client = Client()
    for url in urls[:3] + urls[5:]:
        assert client.get(url).status_code == 404, url


def test_a_module_shared_with_staff_is_read_only_to_them(people):
    module = with_three_items(
        people["owner"], visibility=ModuleVisibility.STAFF, trainer_notes="Secret *tips*"
    )
    for actor in ("trainer", "facilitator"):
        client = csrf_client(people[actor])
        page = html(client.get(module.get_absolute_url()))
        assert "Run charts" in page
        assert "Secret <em>tips</em>" in page  # staff see the trainer's notes
        assert "/items/" not in page  # no move, edit or remove buttons
        assert "Edit the details" not in page
        assert client.get(f"/modules/{module.pk}/edit/").status_code == 403
    assert Client().get(module.get_absolute_url()).status_code == 404


def test_public_link_lets_anyone_read_the_participant_view(people):
    owner = people["owner"]
    module = with_three_items(
        owner, visibility=ModuleVisibility.LINK, trainer_notes="Secret *tips*"
    )
    add(module, ItemKind.NOTE, title="Trainer only note", text="x", for_participants=False)
    anonymous = Client()
    assert anonymous.get(module.get_absolute_url()).status_code == 404
    assert anonymous.get(f"{module.get_absolute_url()}?key=wrong").status_code == 404
    response = anonymous.get(module.get_share_url())
    assert response.status_code == 200
    page = html(response)
    assert "Run charts" in page and "Exercise: your own data" in page
    assert "Secret" not in page and "Trainer only note" not in page
    assert f"handout/?key={module.share_token}" in page
    assert "Make a copy" not in page
    # The owner's page shows the link to copy.
    owner_page = html(csrf_client(owner).get(module.get_absolute_url()))
    assert f"http://testserver/modules/{module.pk}/?key={module.share_token}" in owner_page


def test_the_owner_shares_makes_a_new_link_and_unshares(people):
    owner = people["owner"]
    module = make_module(owner)
    client = csrf_client(owner)
    response = post(client, f"/modules/{module.pk}/share/", {"visibility": "link", "version": 1})
    module.refresh_from_db()
    assert module.visibility == ModuleVisibility.LINK
    old_url = module.get_share_url()
    assert Client().get(old_url).status_code == 200
    post(
        client,
        f"/modules/{module.pk}/share/",
        {"visibility": "link", "new_link": "on", "version": 2},
    )
    module.refresh_from_db()
    assert Client().get(old_url).status_code == 404
    assert Client().get(module.get_share_url()).status_code == 200
    response = post(
        client, f"/modules/{module.pk}/share/", {"visibility": "staff", "version": 3}, follow=True
    )
    assert "shared with all signed-in staff" in messages_in(response)
    assert Client().get(module.get_share_url()).status_code == 404
    post(client, f"/modules/{module.pk}/share/", {"visibility": "private", "version": 4})
    assert csrf_client(people["facilitator"]).get(module.get_absolute_url()).status_code == 404


def test_the_share_token_is_long_and_random(people):
    a, b = make_module(people["owner"]), make_module(people["owner"])
    assert len(a.share_token) >= 43 and a.share_token != b.share_token


# The permission matrix for changes ------------------------------------------------------


def change_requests(module: Module) -> dict[str, tuple[str, dict]]:
    tool = module.items.order_by("order")[1]
    v = {"version": module.version}
    return {
        "edit": (f"/modules/{module.pk}/edit/", {"title": "Changed", **v}),
        "add": (f"/modules/{module.pk}/items/add/", {"item": "term:pdsa", **v}),
        "note": (
            f"/modules/{module.pk}/notes/add/",
            {"note-text": "x", "note-audience": "everyone", "note-version": module.version},
        ),
        "up": (f"/modules/{module.pk}/items/{tool.pk}/up/", v),
        "down": (f"/modules/{module.pk}/items/{tool.pk}/down/", v),
        "move": (f"/modules/{module.pk}/items/{tool.pk}/move/", {"position": 3, **v}),
        "item-edit": (f"/modules/{module.pk}/items/{tool.pk}/edit/", {"minutes": "9", **v}),
        "remove": (f"/modules/{module.pk}/items/{tool.pk}/remove/", v),
        "share": (f"/modules/{module.pk}/share/", {"visibility": "link", **v}),
        "delete": (f"/modules/{module.pk}/delete/", v),
    }


ACTIONS = ["edit", "add", "note", "up", "down", "move", "item-edit", "remove", "share", "delete"]
OWNER_ONLY = {"share", "delete"}
# private module: others may not know it exists; shared with staff: they may read it.
EXPECTED = {
    ("private", "anonymous"): "login",
    ("private", "trainer"): 404,
    ("private", "editor"): 404,
    ("private", "facilitator"): 404,
    ("staff", "anonymous"): "login",
    ("staff", "trainer"): 403,
    ("staff", "editor"): "ok",  # editors may change shared modules, not share or delete
    ("staff", "facilitator"): 403,
    ("link", "anonymous"): "login",
    ("link", "trainer"): 404,
    ("link", "facilitator"): 404,
}


@pytest.mark.parametrize(("visibility", "actor"), list(EXPECTED))
@pytest.mark.parametrize("action", ACTIONS)
def test_who_may_change_a_module(people, visibility, actor, action):
    module = with_three_items(people["owner"], visibility=visibility)
    before = state(module)
    url, data = change_requests(module)[action]
    expected = EXPECTED[(visibility, actor)]
    if expected == "ok" and action in OWNER_ONLY:
        expected = 403
    response = post(csrf_client(people[actor]), url, data)
    if expected == "ok":
        assert response.status_code == 302, (action, response.status_code)
        assert state(module) != before
        return
    if expected == "login":
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")
    else:
        assert response.status_code == expected, (action, response.status_code)
    assert state(module) == before


def test_the_owner_may_do_everything(people):
    module = with_three_items(people["owner"])
    client = csrf_client(people["owner"])
    for action in ACTIONS:
        module.refresh_from_db()
        if not Module.objects.filter(pk=module.pk).exists():
            break
        before = state(module)
        url, data = change_requests(module)[action]
        response = post(client, url, data)
        assert response.status_code == 302, (action, response.status_code)
        assert state(module) != before, action


def test_every_post_needs_the_csrf_token(people):
    owner = people["owner"]
    module = with_three_items(owner)
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    before = state(module)
    urls = [url for url, _ in change_requests(module).values()] + [
        f"/modules/{module.pk}/duplicate/",
        "/modules/add/",
        "/modules/new/",
    ]
    for url in urls:
        response = client.post(url, {"version": module.version, "title": "x", "item": "tool:x"})
        assert response.status_code == 403, url
    assert state(module) == before
    assert Module.objects.count() == 1


# Content that changes under a module -------------------------------------------------------


def test_a_removed_section_or_tool_leaves_a_clear_placeholder(people):
    owner = people["owner"]
    module = make_module(owner)
    section = Section.objects.filter(guide__slug="process-mapping").order_by("order").last()
    section_title = ModuleItem.title_of(ItemKind.SECTION, section)
    add(module, ItemKind.SECTION, section)
    tool = Tool.objects.get(slug="five-whys")
    add(module, ItemKind.TOOL, tool)
    add(module, ItemKind.TERM, GlossaryTerm.objects.get(slug="pdsa"))
    section.delete()
    tool.delete()
    items = list(module.items.order_by("order"))
    assert [i.missing for i in items] == [True, True, False]
    response = csrf_client(owner).get(module.get_absolute_url())
    assert response.status_code == 200
    page = html(response)
    assert page.count("No longer available:") == 2
    assert escape(section_title) in page and "Five whys" in page
    handout = csrf_client(owner).get(f"/modules/{module.pk}/handout/")
    assert handout.status_code == 200
    assert html(handout).count("No longer available:") == 2


def test_a_renamed_section_shows_its_new_title_and_what_it_was(people):
    owner = people["owner"]
    module = make_module(owner)
    section = Section.objects.filter(guide__slug="process-mapping").order_by("order").first()
    add(module, ItemKind.SECTION, section)
    old = module.items.get().title
    Section.objects.filter(pk=section.pk).update(title="A brand new name")
    page = html(csrf_client(owner).get(module.get_absolute_url()))
    assert "Process mapping, analysis and redesign: A brand new name" in page
    assert f"Added as “{escape(old)}”" in page


def test_an_unpublished_example_becomes_a_placeholder(people):
    owner = people["owner"]
    example = make_example(people["facilitator"], status=ExampleStatus.PUBLISHED)
    module = make_module(owner)
    add(module, ItemKind.EXAMPLE, example)
    example.status = ExampleStatus.DRAFT
    example.save()
    page = html(csrf_client(owner).get(module.get_absolute_url()))
    assert "this local example is no longer published" in page
    assert example.get_absolute_url() not in page


# Escaping -------------------------------------------------------------------------------


def test_text_from_trainers_is_escaped_or_sanitised(people):
    from tests.factories import unsafe_parts

    owner = people["owner"]
    evil = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    module = make_module(
        owner,
        title=f"Title {evil}",
        audience=evil,
        duration=evil,
        objectives=evil,
        trainer_notes=f"Notes {evil} [link](javascript:alert(3))",
        visibility=ModuleVisibility.STAFF,
    )
    add(module, ItemKind.NOTE, title=f"Note {evil}", text=f"Body {evil} [x](javascript:alert(4))")
    client = csrf_client(owner)
    for url in (
        "/modules/",
        module.get_absolute_url(),
        f"/modules/{module.pk}/handout/",
        f"/modules/{module.pk}/edit/",
        "/tools/run-charts/",
    ):
        page = html(client.get(url))
        assert "<script>alert" not in page, url
        assert unsafe_parts(page) == [], (url, unsafe_parts(page))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html(client.get(module.get_absolute_url()))


# Navigation and query counts --------------------------------------------------------------


def test_the_header_links_to_modules_for_signed_in_staff(people):
    assert 'href="/modules/"' in html(csrf_client(people["facilitator"]).get("/"))
    assert 'href="/modules/"' not in html(Client().get("/"))


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        assert response.status_code == 200, url
    return len(queries)


def grow_modules(owner, other) -> None:
    for n in range(15):
        module = with_three_items(owner, title=f"Extra {n}")
        add(module, ItemKind.TERM, GlossaryTerm.objects.get(slug="pdsa"))
        make_module(other, title=f"Shared {n}", visibility=ModuleVisibility.STAFF)


@pytest.mark.parametrize(
    ("url", "bound"),
    [
        ("/modules/", 8),
        ("/guides/process-mapping/", 12),
        ("/tools/run-charts/", 10),  # + the local examples of its steps
        ("/glossary/pdsa/", 10),
    ],
)
def test_pages_for_a_trainer_have_bounded_queries_that_do_not_grow(
    people, url, bound, django_assert_max_num_queries
):
    client = csrf_client(people["owner"])
    with_three_items(people["owner"])
    with django_assert_max_num_queries(bound):
        client.get(url)
    before = count_queries(client, url)
    grow_modules(people["owner"], people["trainer"])
    assert count_queries(client, url) == before


@pytest.mark.parametrize("edition", ["trainer", "participant"])
def test_module_page_and_handout_queries_do_not_grow_with_items(
    people, edition, django_assert_max_num_queries
):
    owner = people["owner"]
    module = with_three_items(owner)
    client = csrf_client(owner)
    urls = [module.get_absolute_url(), f"/modules/{module.pk}/handout/?edition={edition}"]
    with django_assert_max_num_queries(14):
        client.get(urls[0])
    with django_assert_max_num_queries(14):
        client.get(urls[1])
    before = [count_queries(client, url) for url in urls]
    example = make_example(people["facilitator"], status=ExampleStatus.PUBLISHED)
    for slug in ("process-mapping", "working-with-groups", "redesigning-roles"):
        add(module, ItemKind.GUIDE, Guide.objects.get(slug=slug))
    for section in Section.objects.select_related("guide")[:5]:
        add(module, ItemKind.SECTION, section)
    for tool in Tool.objects.all()[:5]:
        add(module, ItemKind.TOOL, tool)
    add(module, ItemKind.EXAMPLE, example)
    add(module, ItemKind.TERM, GlossaryTerm.objects.get(slug="pdsa"))
    add(module, ItemKind.NOTE, title="n", text="t", for_participants=False)
    # The handout draws the examples' charts: one query for all of them.
    assert [count_queries(client, url) for url in urls] == [before[0], before[1] + 1]
    add(
        module,
        ItemKind.EXAMPLE,
        make_example(people["facilitator"], status=ExampleStatus.PUBLISHED),
    )
    assert [count_queries(client, url) for url in urls] == [before[0], before[1] + 1]


@pytest.mark.parametrize(
    "value",
    ["example:²", "example:99999999999999999999999999", "example:-1", "example: 1"],
)
def test_odd_ids_are_refused_cleanly(people, value):
    module = make_module(people["owner"])
    client = csrf_client(people["owner"])
    response = post(
        client, f"/modules/{module.pk}/items/add/", {"item": value, "version": 1}, follow=True
    )
    assert response.status_code == 200 and messages_in(response)
    response = post(
        client, "/modules/add/", {"item": "tool:run-charts", "module": "99999999999999999999"},
        follow=True,
    )  # fmt: skip
    assert "Choose one of your modules" in messages_in(response)
    assert not module.items.exists()
