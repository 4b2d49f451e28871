"""Signed-in guide, tool and glossary pages from a cached shell of the public page, with
the personal parts made per request (guides/core/personal.py): fast, and nothing
personal ever crosses from one person to another."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from guides.core import caching, personal
from guides.examples.models import ExampleStatus
from guides.training.models import Module, ModuleVisibility
from tests.factories import GROUPS, csrf_client, grow_content, make_example, make_user

pytestmark = pytest.mark.django_db

GUIDE = "/guides/process-mapping/"
TOOL = "/tools/run-charts/"
TERM_LIST = "/glossary/"


def get(client: Client, url: str):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    response.queries = len(queries)
    response.text = response.content.decode()
    return response


def shell_of(url: str) -> personal.Shell:
    found = caching.caches[caching.CACHE_ALIAS].get(
        personal.shell_key(RequestFactory().get(url), caching.current_token())
    )
    assert isinstance(found, personal.Shell), found
    return found


def shell_text(shell: personal.Shell) -> str:
    return "".join(shell.texts) + repr(shell.holes)


@pytest.fixture
def people():
    trainer = make_user("tara_trainer", "trainer")
    Module.objects.create(
        owner=trainer, title="Tara's flow module", visibility=ModuleVisibility.STAFF
    )
    facilitator = make_user("fred_facilitator", "facilitator")
    return {"trainer": trainer, "facilitator": facilitator}


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_each_person_sees_only_their_own_parts_of_the_same_cached_page(page_cache, people):
    tara, fred, visitor = signed_in(people["trainer"]), signed_in(people["facilitator"]), Client()
    for _ in range(2):  # the second time, every page comes from the cache
        as_tara, as_fred, as_visitor = get(tara, GUIDE), get(fred, GUIDE), get(visitor, GUIDE)
    # Tara: her name, her module, "Add to a training module"; nothing of Fred's.
    assert "tara_trainer" in as_tara.text and "Tara&#x27;s flow module" in as_tara.text
    assert "Add to a training module" in as_tara.text and "Sign out" in as_tara.text
    assert "fred_facilitator" not in as_tara.text
    # Fred (a facilitator): "Add a local example here" beside each section, no modules.
    assert "fred_facilitator" in as_fred.text and "Add a local example here" in as_fred.text
    assert "Add to a training module" not in as_fred.text and "Tara" not in as_fred.text
    assert "tara_trainer" not in as_fred.text
    # The visitor: the sign-in link, no one's name, no staff panels.
    for name in ("tara_trainer", "fred_facilitator", "Tara&#x27;s", "Sign out"):
        assert name not in as_visitor.text
    assert "Staff sign in" in as_visitor.text and "you will be asked to sign in" in as_visitor.text
    assert "Add a local example here" not in as_visitor.text
    assert "you will be asked to sign in" not in as_tara.text + as_fred.text
    # One shell, made without anyone's session: no name, no module, no token in it.
    text = shell_text(shell_of(GUIDE))
    for personal_text in ("tara_trainer", "fred_facilitator", "Tara", "csrfmiddlewaretoken"):
        assert personal_text not in text
    # Signed-in pages cost the site version, the session, the user and the permissions
    # (and Tara's modules), not the guide.
    assert as_fred.queries <= 5 and as_tara.queries <= 6, (as_fred.queries, as_tara.queries)
    for response in (as_tara, as_fred):
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_the_page_is_the_page_the_view_renders(page_cache, people, settings):
    """The filled shell is the same HTML as the view makes for that person (but for the
    CSRF token, which is new for each render)."""
    tara = signed_in(people["trainer"])
    get(tara, GUIDE)
    from_shell = get(tara, GUIDE).text
    settings.PAGE_CACHE_SECONDS = 0
    from_view = get(tara, GUIDE).text
    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    assert token.sub("", from_shell) == token.sub("", from_view)


@pytest.mark.parametrize(
    ("url", "panel"),
    [(GUIDE, True), (TOOL, True), ("/glossary/pdsa/", True), ("/", False), ("/tools/", False)]
    + [("/glossary/", False)],
)
def test_every_browse_page_comes_from_a_shell(page_cache, people, url, panel):
    tara = signed_in(people["trainer"])
    first = get(tara, url)
    second = get(tara, url)
    assert second.queries < first.queries and second.queries <= 6, (first.queries, second.queries)
    assert "tara_trainer" in second.text and "My examples" in second.text
    assert ("Add to a training module" in second.text) is panel
    assert "tara_trainer" not in shell_text(shell_of(url))


def test_a_role_change_and_signing_out_show_at_once(page_cache, people):
    tara = people["trainer"]
    client = signed_in(tara)
    get(client, GUIDE)
    assert "Add to a training module" in get(client, GUIDE).text
    tara.groups.remove(Group.objects.get(name=GROUPS["trainer"]))
    tara.groups.add(Group.objects.get(name=GROUPS["facilitator"]))
    page = get(client, GUIDE).text
    assert "Add to a training module" not in page and "Add a local example here" in page
    client.post("/accounts/logout/")
    page = get(client, GUIDE).text
    assert "tara_trainer" not in page and "Staff sign in" in page
    assert "Add a local example here" not in page


def test_a_stale_session_cookie_gets_the_visitors_parts(page_cache, people):
    client = signed_in(people["facilitator"])
    get(client, GUIDE)
    from django.contrib.sessions.models import Session

    Session.objects.all().delete()  # signed out elsewhere (or expired)
    page = get(client, GUIDE).text
    assert "fred_facilitator" not in page and "Staff sign in" in page


def test_a_newly_published_example_shows_at_once(page_cache, people):
    client = signed_in(people["facilitator"])
    get(client, GUIDE)
    assert "Waits for echo on ward 9" not in get(client, GUIDE).text
    make_example(
        people["facilitator"],
        title="Waits for echo on ward 9",
        status=ExampleStatus.PUBLISHED,
        section_anchor="",
    )
    assert "Waits for echo on ward 9" in get(client, GUIDE).text


def test_flash_messages_show_once_and_are_never_cached(page_cache, people):
    client = csrf_client(people["trainer"])
    get(client, GUIDE)
    page = get(client, GUIDE).text  # from the shell
    form = page[page.index('action="/modules/add/"') :]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    module = Module.objects.get(owner=people["trainer"])
    response = client.post(
        "/modules/add/",
        {
            "csrfmiddlewaretoken": token,
            "item": "guide:process-mapping",
            "module": module.pk,
            "next": GUIDE,
        },
    )
    assert response.status_code == 302, response.content[:300]  # the shell's token works
    assert module.items.count() == 1
    shown = get(client, GUIDE).text
    assert "to your module" in shown
    assert "to your module" not in get(client, GUIDE).text  # shown once
    assert "to your module" not in shell_text(shell_of(GUIDE))


def test_an_address_with_no_public_page_is_rendered_as_usual(page_cache, people):
    client = signed_in(people["facilitator"])
    for _ in range(2):
        assert client.get("/guides/no-such-guide/").status_code == 404
    # Not remembered: made-up addresses cannot fill the cache.
    request = RequestFactory().get("/guides/no-such-guide/")
    assert page_cache.get(personal.shell_key(request, caching.current_token())) is None
    assert client.get(GUIDE + "?unknown=1").status_code == 200


def test_a_shell_from_another_release_falls_back_to_the_view(page_cache, people):
    client = signed_in(people["facilitator"])
    get(client, GUIDE)
    shell = shell_of(GUIDE)
    stale = personal.Shell(
        texts=shell.texts,
        holes=tuple(personal.Hole(h.kind, h.key + "-old", h.values) for h in shell.holes),
        headers=shell.headers,
    )
    key = personal.shell_key(RequestFactory().get(GUIDE), caching.current_token())
    page_cache.set(key, stale)
    page = get(client, GUIDE)
    assert "fred_facilitator" in page.text and page.queries > 6


# A page of one's own: kept per person -------------------------------------------------


def test_my_examples_is_kept_per_person_and_follows_every_change(page_cache, people):
    fred = people["facilitator"]
    flo = make_user("flo_facilitator", "facilitator")
    make_example(fred, title="Fred's discharge letters")
    make_example(flo, title="Flo's theatre lists")
    as_fred, as_flo = signed_in(fred), signed_in(flo)
    for _ in range(2):
        fred_page, flo_page = get(as_fred, "/examples/mine/"), get(as_flo, "/examples/mine/")
    assert "Fred&#x27;s discharge letters" in fred_page.text and "Flo" not in fred_page.text
    assert "Flo&#x27;s theatre lists" in flo_page.text and "Fred" not in flo_page.text
    assert "fred_facilitator" in fred_page.text and "fred_facilitator" not in flo_page.text
    assert fred_page.queries <= 5, fred_page.queries  # the page itself is kept
    assert "no-store" in fred_page["Cache-Control"]
    # His own new draft shows at once; so does a role taken away in the admin.
    make_example(fred, title="Fred's second try")
    assert "Fred&#x27;s second try" in get(as_fred, "/examples/mine/").text
    assert "Add a local example</a>" in get(as_fred, "/examples/mine/").text
    group = Group.objects.get(name=GROUPS["facilitator"])
    group.permissions.remove(group.permissions.get(codename="add_localexample"))
    fresh = signed_in(fred)  # permissions are read once per request
    assert "Add a local example</a>" not in get(fresh, "/examples/mine/").text
    # Signed out: the sign-in page, not his list.
    as_fred.post("/accounts/logout/")
    response = as_fred.get("/examples/mine/")
    assert response.status_code == 302 and "Fred" not in response.content.decode()


@pytest.mark.parametrize("url", [GUIDE, TOOL, "/examples/mine/"])
def test_signed_in_queries_do_not_grow_with_the_data(page_cache, people, url):
    client = signed_in(people["trainer"])
    get(client, url)
    before = get(client, url).queries
    for i in range(5):
        make_example(people["trainer"], title=f"Example {i}", status=ExampleStatus.PUBLISHED)
        Module.objects.create(owner=people["trainer"], title=f"Module {i}")
    grow_content()
    get(client, url)
    assert get(client, url).queries <= before <= 5, before
