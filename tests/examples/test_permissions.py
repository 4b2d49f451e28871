"""Who may do what to a local example: every cell of the matrix, with CSRF enforced.

Actors: anonymous, facilitator A (the author), facilitator B, an editor, a trainer.
Actions by id: view, add, edit, submit, publish, return, unpublish, delete.
Outcomes: "ok" (done, and the stored state shows it), "login" (sent to sign in),
404 (may not even know it exists) and 403 (may see it but not do this); anything other
than "ok" must leave the example exactly as it was.
"""

from __future__ import annotations

import pytest
from django.test import Client

from guides.examples.models import ExampleStatus, LocalExample
from tests.factories import (
    csrf_client,
    form_data,
    make_example,
    make_user,
    post,
)

pytestmark = pytest.mark.django_db

ACTORS = ["anonymous", "author", "other", "editor", "trainer"]


@pytest.fixture
def people() -> dict:
    return {
        "anonymous": None,
        "author": make_user("fac_a", "facilitator"),
        "other": make_user("fac_b", "facilitator"),
        "editor": make_user("editor", "editor"),
        "trainer": make_user("trainer", "trainer"),
    }


def client_for(people: dict, actor: str) -> Client:
    return csrf_client(people[actor])


def snapshot(example: LocalExample) -> tuple:
    example = LocalExample.objects.filter(pk=example.pk).first()
    if example is None:
        return ("deleted",)
    return (example.status, example.version, example.title, example.editor_comment)


def assert_outcome(response, expected, *, ok_check, before, example) -> None:
    if expected == "ok":
        assert response.status_code in (200, 302), response.status_code
        ok_check()
        return
    if expected == "login":
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")
    else:
        assert response.status_code == expected
        if expected == 404:
            assert "Page not found" in response.content.decode()
        if expected == 403:
            assert "You cannot do that" in response.content.decode()
    assert snapshot(example) == before


# View -------------------------------------------------------------------------------

VIEW = {
    ExampleStatus.DRAFT: ["404", "ok", "404", "ok", "404"],
    ExampleStatus.SUBMITTED: ["404", "ok", "404", "ok", "404"],
    ExampleStatus.RETURNED: ["404", "ok", "404", "ok", "404"],
    ExampleStatus.PUBLISHED: ["ok", "ok", "ok", "ok", "ok"],
}


@pytest.mark.parametrize("status", list(VIEW))
@pytest.mark.parametrize("actor", ACTORS)
def test_view(people, status, actor):
    example = make_example(people["author"], status=status, title="Echo waits")
    response = client_for(people, actor).get(f"/examples/{example.pk}/")
    expected = VIEW[status][ACTORS.index(actor)]
    if expected == "ok":
        assert response.status_code == 200
        assert "<h1>Echo waits</h1>" in response.content.decode()
    else:
        assert response.status_code == 404
        assert "Echo waits" not in response.content.decode()


# Add --------------------------------------------------------------------------------

ADD = {"anonymous": "login", "author": "ok", "other": "ok", "editor": "ok", "trainer": 403}


@pytest.mark.parametrize("actor", ACTORS)
def test_add(people, actor):
    client = client_for(people, actor)
    shown = client.get("/examples/new/")
    response = post(client, "/examples/new/", form_data(title="Added by " + actor))
    expected = ADD[actor]
    created = LocalExample.objects.filter(title="Added by " + actor).first()
    if expected == "ok":
        assert shown.status_code == 200
        assert created is not None and created.author == people[actor]
        assert created.status == ExampleStatus.DRAFT
        assert response["Location"] == f"/examples/{created.pk}/"
    elif expected == "login":
        assert shown.status_code == 302 and response.status_code == 302
        assert response["Location"] == "/accounts/login/?next=/examples/new/"
        assert created is None
    else:
        assert shown.status_code == 403 and response.status_code == 403
        assert "Facilitators role" in response.content.decode()
        assert created is None


# Changes to an existing example --------------------------------------------------------
# (action, starting status, expected outcome per actor in ACTORS order)

MATRIX = [
    ("edit", ExampleStatus.DRAFT, ["login", "ok", 404, "ok", 404]),
    ("edit", ExampleStatus.SUBMITTED, ["login", "ok", 404, "ok", 404]),
    ("edit", ExampleStatus.RETURNED, ["login", "ok", 404, "ok", 404]),
    ("edit", ExampleStatus.PUBLISHED, ["login", 403, 403, "ok", 403]),
    ("submit", ExampleStatus.DRAFT, ["login", "ok", 404, 403, 404]),
    ("submit", ExampleStatus.RETURNED, ["login", "ok", 404, 403, 404]),
    ("publish", ExampleStatus.SUBMITTED, ["login", 403, 404, "ok", 404]),
    ("return", ExampleStatus.SUBMITTED, ["login", 403, 404, "ok", 404]),
    ("unpublish", ExampleStatus.PUBLISHED, ["login", 403, 403, "ok", 403]),
    ("delete", ExampleStatus.DRAFT, ["login", "ok", 404, "ok", 404]),
    ("delete", ExampleStatus.SUBMITTED, ["login", "ok", 404, "ok", 404]),
    ("delete", ExampleStatus.PUBLISHED, ["login", 403, 403, "ok", 403]),
]

AFTER = {
    "submit": ExampleStatus.SUBMITTED,
    "publish": ExampleStatus.PUBLISHED,
    "return": ExampleStatus.RETURNED,
    "unpublish": ExampleStatus.RETURNED,
}


def request_action(client: Client, action: str, example: LocalExample):
    base = f"/examples/{example.pk}/"
    version = str(example.version)
    if action == "edit":
        shown = client.get(base + "edit/")
        response = post(
            client,
            base + "edit/",
            form_data(title="Changed title", based_on_version=version, save="1"),
        )
        return shown, response
    if action == "delete":
        shown = client.get(base + "delete/")
        return shown, post(client, base + "delete/", {"version": version})
    data = {"version": version}
    if action == "return":
        data = {"return-version": version, "return-comment": "Please add the measures."}
    if action == "unpublish":
        data = {"unpublish-version": version, "unpublish-comment": "Out of date."}
    return None, post(client, base + f"{action}/", data)


@pytest.mark.parametrize(
    ("action", "status", "expected"),
    [pytest.param(a, s, e, id=f"{a}-{s}") for a, s, e in MATRIX],
)
@pytest.mark.parametrize("actor", ACTORS)
def test_change(people, action, status, expected, actor):
    example = make_example(people["author"], status=status)
    before = snapshot(example)
    outcome = expected[ACTORS.index(actor)]
    shown, response = request_action(client_for(people, actor), action, example)

    def ok_check() -> None:
        if action == "delete":
            assert snapshot(example) == ("deleted",)
            assert response["Location"] == "/examples/mine/"
            return
        after = LocalExample.objects.get(pk=example.pk)
        assert response["Location"] == f"/examples/{example.pk}/"
        assert after.version == example.version + 1
        if action == "edit":
            assert after.title == "Changed title"
            assert after.status == status  # editing never publishes or unpublishes
        else:
            assert after.status == AFTER[action]
        if action == "return":
            assert after.editor_comment == "Please add the measures."
        if action == "unpublish":
            assert after.published_at is None and after.editor_comment == "Out of date."
        if action == "publish":
            assert after.published_at is not None and after.reviewed_by == people["editor"]

    if shown is not None and outcome == "ok":
        assert shown.status_code == 200
    elif shown is not None and outcome != "login":
        assert shown.status_code == outcome
    assert_outcome(response, outcome, ok_check=ok_check, before=before, example=example)


# CSRF --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "status", "actor"),
    [
        ("edit", ExampleStatus.DRAFT, "author"),
        ("submit", ExampleStatus.DRAFT, "author"),
        ("publish", ExampleStatus.SUBMITTED, "editor"),
        ("return", ExampleStatus.SUBMITTED, "editor"),
        ("unpublish", ExampleStatus.PUBLISHED, "editor"),
        ("delete", ExampleStatus.DRAFT, "author"),
    ],
)
def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(
    people, action, status, actor
):
    example = make_example(people["author"], status=status)
    before = snapshot(example)
    client = client_for(people, actor)
    data = {"version": example.version, "return-version": example.version}
    data |= {"return-comment": "x", "unpublish-version": example.version}
    if action == "edit":
        data = form_data(based_on_version=example.version)
    response = client.post(f"/examples/{example.pk}/{action}/", data)
    assert response.status_code == 403
    assert snapshot(example) == before


def test_adding_without_the_csrf_token_is_refused(people):
    client = client_for(people, "author")
    assert client.post("/examples/new/", form_data()).status_code == 403
    assert not LocalExample.objects.exists()


def test_the_moderation_endpoints_refuse_get(people):
    example = make_example(people["author"], status=ExampleStatus.SUBMITTED)
    client = client_for(people, "editor")
    for action in ("submit", "publish", "return", "unpublish"):
        assert client.get(f"/examples/{example.pk}/{action}/").status_code == 405
    assert snapshot(example)[0] == ExampleStatus.SUBMITTED


# Lists for staff ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actor", "expected"),
    [("anonymous", "login"), ("author", 403), ("other", 403), ("editor", 200), ("trainer", 403)],
)
def test_review_queue_is_for_editors_only(people, actor, expected):
    make_example(people["author"], status=ExampleStatus.SUBMITTED, title="Waiting one")
    response = client_for(people, actor).get("/examples/review/")
    if expected == "login":
        assert response.status_code == 302
        assert response["Location"] == "/accounts/login/?next=/examples/review/"
    else:
        assert response.status_code == expected
        assert ("Waiting one" in response.content.decode()) == (expected == 200)


@pytest.mark.parametrize("actor", ACTORS)
def test_my_examples_shows_only_your_own(people, actor):
    make_example(people["author"], title="A's draft")
    make_example(people["other"], title="B's draft")
    response = client_for(people, actor).get("/examples/mine/")
    if actor == "anonymous":
        assert response.status_code == 302
        return
    html = response.content.decode()
    assert ("A&#x27;s draft" in html) == (actor == "author")
    assert ("B&#x27;s draft" in html) == (actor == "other")


def test_an_inactive_role_cannot_edit_its_old_drafts(people):
    # A facilitator who loses the role keeps read access to their drafts, nothing more.
    example = make_example(people["author"])
    people["author"].groups.clear()
    client = csrf_client(people["author"])
    assert client.get(f"/examples/{example.pk}/").status_code == 200
    assert client.get(f"/examples/{example.pk}/edit/").status_code == 403


def test_visible_to_matches_the_pages(people):
    drafts = [make_example(people["author"], status=s) for s in VIEW]
    ids = {d.pk for d in drafts}
    published = {d.pk for d in drafts if d.status == ExampleStatus.PUBLISHED}
    from django.contrib.auth.models import AnonymousUser

    assert set(LocalExample.objects.visible_to(AnonymousUser()).values_list("pk", flat=True)) == (
        published
    )
    assert set(LocalExample.objects.visible_to(people["author"]).values_list("pk", flat=True)) == (
        ids
    )
    assert set(LocalExample.objects.visible_to(people["other"]).values_list("pk", flat=True)) == (
        published
    )
    assert set(LocalExample.objects.visible_to(people["editor"]).values_list("pk", flat=True)) == (
        ids
    )
