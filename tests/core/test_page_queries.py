"""Every page's database queries are bounded, signed out and signed in, and do not grow
with the number of tools, terms, examples, tags or modules (test_pages.py does the same
for the content pages; this covers every other page type)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from guides.examples.models import ExampleStatus
from guides.library.models import GlossaryTerm, Guide, Tool
from guides.training.models import ItemKind, Module, ModuleItem, ModuleVisibility
from tests.factories import (
    grow_content,
    make_example,
    make_user,
)

pytestmark = pytest.mark.django_db

GUIDE = "process-mapping"

# (who, address, most queries). {example}, {draft} and {module} are filled in.
PAGES = [
    (None, "/", 2),  # the guides and the "Start here" tools
    (None, f"/guides/{GUIDE}/", 7),
    (None, "/tools/run-charts/", 5),  # + the examples of its steps
    (None, "/search/?q=pdsa", 7),
    (None, "/search/?q=waits+echo", 12),  # 11 on SQLite
    (None, "/api/search/?q=pdsa", 7),
    (None, "/examples/", 7),
    (None, f"/examples/?guide={GUIDE}&tag=discharge", 10),
    (None, "/api/examples/", 4),
    (None, "/api/examples/{example}/", 3),
    (None, "/examples/{example}/", 4),  # + its charts
    (None, "/run-chart/", 0),
    (None, "/run-chart/?data=1%0A2%0A3%0A4%0A5%0A6%0A7%0A8%0A9%0A10%0A11%0A12", 1),
    (None, "{module_link}", 3),
    (None, f"/guides/{GUIDE}/handout/", 5),
    (None, "/accounts/login/", 0),
    ("facilitator", "/", 6),
    ("facilitator", f"/guides/{GUIDE}/", 11),
    ("facilitator", "/examples/mine/", 6),
    ("facilitator", "/examples/new/", 11),  # + the steps offered
    ("facilitator", "/examples/{draft}/", 8),  # + its charts
    ("facilitator", "/examples/{draft}/edit/", 14),  # + the steps offered
    ("facilitator", "/accounts/profile/", 8),
    ("editor", "/examples/review/", 6),
    ("editor", "/examples/{submitted}/", 8),  # + its charts
    ("trainer", "/modules/", 6),
    ("trainer", "/modules/new/", 4),
    ("trainer", "/modules/{module}/", 7),
    ("trainer", "/modules/{module}/edit/", 5),
    ("trainer", "/modules/{module}/handout/", 9),  # + the examples' charts, in one query
    ("trainer", f"/guides/{GUIDE}/", 12),
]


@pytest.fixture
def people() -> dict:
    return {role: make_user(role, role) for role in ("facilitator", "editor", "trainer")}


def grow_user_data(people: dict, n: int) -> None:
    """n more published examples (with tools and tags), drafts, submissions, and modules
    with items of every kind."""
    guide = Guide.objects.get(slug=GUIDE)
    tools = list(Tool.objects.all()[:3])
    terms = list(GlossaryTerm.objects.all()[:3])
    for i in range(n):
        published = make_example(
            people["facilitator"],
            title=f"Waits for echo cut, ward {i}",
            status=ExampleStatus.PUBLISHED,
            tools=tuple(t.slug for t in tools),
            tags=("discharge", f"tag {i}"),
        )
        make_example(people["facilitator"], title=f"Draft {i}")
        make_example(people["facilitator"], title=f"Sent {i}", status=ExampleStatus.SUBMITTED)
        for owner in (people["trainer"], people["editor"]):
            module = Module.objects.create(
                owner=owner, title=f"Module {i}", visibility=ModuleVisibility.STAFF
            )
            targets = [
                (ItemKind.GUIDE, guide), (ItemKind.TOOL, tools[0]), (ItemKind.TERM, terms[0]),
                (ItemKind.SECTION, guide.sections.first()), (ItemKind.EXAMPLE, published),
            ]  # fmt: skip
            for order, (kind, target) in enumerate(targets, start=1):
                ModuleItem.objects.create(
                    module=module, order=order, kind=kind, title=str(target), **{kind: target}
                )
            ModuleItem.objects.create(
                module=module, order=9, kind=ItemKind.NOTE, title="Exercise", text="Talk."
            )


@pytest.mark.parametrize(("who", "url", "bound"), PAGES)
def test_every_page_is_bounded_and_does_not_grow_with_the_data(
    people, who, url, bound, django_assert_max_num_queries
):
    grow_user_data(people, 1)
    example = make_example(people["facilitator"], status=ExampleStatus.PUBLISHED)
    draft = make_example(people["facilitator"], title="My draft")
    submitted = make_example(people["facilitator"], status=ExampleStatus.SUBMITTED)
    module = Module.objects.filter(owner=people["trainer"]).first()
    module.visibility = ModuleVisibility.LINK
    module.save()
    url = url.format(
        example=example.pk,
        draft=draft.pk,
        submitted=submitted.pk,
        module=module.pk,
        module_link=module.get_share_url(),
    )
    client = Client()
    if who:
        client.force_login(people[who])
    client.get(url)  # warm the per-process caches (glossary, vocabulary), as in production

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return len(queries)

    with django_assert_max_num_queries(bound):
        client.get(url)
    before = count()
    grow_user_data(people, 3)
    grow_content()
    client.get(url)
    after = count()
    # Fewer is fine (a misspelling that more data teaches the speller costs less).
    assert after <= before, f"{url}: {before} queries before, {after} with more data"
