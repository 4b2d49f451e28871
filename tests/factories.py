"""Plain factories and helpers shared by every test (no test file imports another):
users with roles, local examples and modules, posting through a client that enforces
CSRF like a browser would, the HTML safety checker, more content for the query-count
tests, row counts for the backup tests, the security headers every response carries,
and running manage.py in a subprocess."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

from django.apps import apps
from django.contrib.auth.models import Group, User
from django.db.models import Count
from django.test import Client
from django.utils import timezone

from guides.examples.models import ExampleStatus, LocalExample, parse_tags
from guides.library.models import GlossaryTerm, Guide, GuideTool, Section, Tool
from guides.training.models import ItemKind, Module, ModuleItem, ModuleVisibility

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "a-long-test-password-1"
GROUPS = {"facilitator": "Facilitators", "editor": "Editors", "trainer": "Trainers"}


def make_user(username: str, role: str | None = None, **fields) -> User:
    user = User.objects.create_user(
        username, email=f"{username}@nhs.example", password=PASSWORD, **fields
    )
    if role:
        user.groups.add(Group.objects.get(name=GROUPS[role]))
    return user


def make_example(
    author: User | None,
    *,
    guide: str = "process-mapping",
    tools: tuple[str, ...] = (),
    tags: tuple[str, ...] = (),
    status: str = ExampleStatus.DRAFT,
    **fields,
) -> LocalExample:
    values = {
        "title": "Cutting waits for echo",
        "problem": "Patients waited **twelve weeks** for an echo.",
        "what_was_done": "We ran three PDSA cycles on the booking process.",
        "results": "The median wait fell from 12 to 4 weeks on a run chart.",
        "lessons": "Start small.",
        "service": "Cardiology outpatients",
        **fields,
    }
    example = LocalExample(author=author, guide=Guide.objects.get(slug=guide), status=status)
    for name, value in values.items():
        setattr(example, name, value)
    if status == ExampleStatus.PUBLISHED and example.published_at is None:
        example.published_at = timezone.now()
    example._tag_names = tags = parse_tags(list(tags))
    example.save()
    example.tools.set(Tool.objects.filter(slug__in=tools))
    example.tags.set(tags)
    return example


def add_item(module: Module, kind: str, target=None, **fields) -> ModuleItem:
    """Append an item to a module (its title as the content's, unless given)."""
    values = {"title": ModuleItem.title_of(kind, target)} if target is not None else {}
    item = ModuleItem(
        module=module,
        order=module.next_order(),
        kind=kind,
        **({kind: target} if target is not None else {}),
        **{**values, **fields},
    )
    item.save()
    return item


def csrf_client(user: User | None = None) -> Client:
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    return client


def csrf_token(client: Client) -> str:
    """The token a browser would send: from the cookie set when a form page is shown."""
    if "csrftoken" not in client.cookies:
        client.get("/accounts/login/")
    return client.cookies["csrftoken"].value


def post(client: Client, url: str, data: dict | None = None, **extra):
    return client.post(url, {**(data or {}), "csrfmiddlewaretoken": csrf_token(client)}, **extra)


def form_data(**overrides) -> dict:
    """A complete, valid add/edit form."""
    guide = Guide.objects.get(slug="process-mapping")
    data = {
        "title": "Same-day discharge letters",
        "guide": str(guide.pk),
        "organisation_type": "acute",
        "service": "Acute medical unit",
        "team": "Ward 7 nurses and pharmacists",
        "period_start": "2004-04-01",
        "period_end": "2005-03-31",
        "problem": "Discharge letters took **three days**.",
        "what_was_done": "We mapped the process and tested changes.",
        "results": "Letters out the same day rose from 20% to 85%.",
        "lessons": "Involve the pharmacists early.",
        "contact": "Service improvement lead",
        "tags": "discharge, acute medicine",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


class SafetyChecker(HTMLParser):
    """Collects everything on a page that could run script or leave the site's control."""

    BANNED_TAGS = {
        "iframe", "frame", "frameset", "object", "embed", "applet", "svg", "math", "style",
        "base", "template", "noscript", "xmp", "plaintext", "portal",
    }  # fmt: skip
    URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "poster", "xlink:href"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag in self.BANNED_TAGS:
            self.problems.append(f"<{tag}> element")
        if tag == "script":
            self.in_script = True
            if not (attributes.get("src") or "").startswith("/static/"):
                self.problems.append(f"script not from /static/: {attrs}")
        if tag == "meta" and "http-equiv" in attributes:
            self.problems.append(f"meta http-equiv: {attrs}")
        if tag == "link" and not (attributes.get("href") or "").startswith("/static/"):
            self.problems.append(f"link not to /static/: {attrs}")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"event handler {name}={value!r} on <{tag}>")
            if name in ("style", "srcdoc", "formaction"):
                self.problems.append(f"{name} attribute on <{tag}>")
            if name in self.URL_ATTRIBUTES and value is not None and not safe_url(value):
                self.problems.append(f"unsafe {name}={value!r} on <{tag}>")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self.in_script = False

    def handle_data(self, data: str) -> None:
        if self.in_script and data.strip():
            self.problems.append(f"inline script: {data[:80]!r}")


def safe_url(value: str) -> bool:
    # As a browser reads a URL (the WHATWG URL standard): leading and trailing control
    # characters and spaces are stripped, and tabs and newlines are dropped anywhere.
    squashed = value.strip("".join(map(chr, range(33)))).lower()
    squashed = squashed.replace("\t", "").replace("\n", "").replace("\r", "")
    if squashed.startswith(("//", "/\\", "\\")):
        return False
    scheme = re.match(r"([a-z][a-z0-9+.-]*):", squashed)
    if scheme:
        return scheme.group(1) in ("http", "https", "mailto")
    return True  # relative


def unsafe_parts(html: str) -> list[str]:
    checker = SafetyChecker()
    checker.feed(html)
    checker.close()
    return checker.problems


# More content, for the query-count tests -------------------------------------------


def grow_content() -> None:
    """Add twenty more tools and terms, all linked to a guide, a tool and each other."""
    guide = Guide.objects.get(slug="process-mapping")
    run_charts = Tool.objects.get(slug="run-charts")
    term = GlossaryTerm.objects.first()
    start = GuideTool.objects.filter(guide=guide).count()
    for i in range(20):
        tool = Tool.objects.create(
            slug=f"extra-{i}", name=f"Extra {i}", summary="s", body="b", html="<p>b</p>", text="b"
        )
        GuideTool.objects.create(guide=guide, tool=tool, order=start + i)
        tool.related_tools.add(run_charts)
        run_charts.related_tools.add(tool)
        extra = GlossaryTerm.objects.create(
            slug=f"extra-{i}", term=f"Extra {i}", definition="d", plain_alternatives=["p"]
        )
        extra.related_terms.add(term)
        term.related_terms.add(extra)
        extra.used_in_guides.add(guide)
        term.used_in_tools.add(tool)
        guide.related_guides.add(Guide.objects.get(number=2 + i % 10))
        Section.objects.create(
            guide=guide,
            order=100 + i,
            title=f"S{i}",
            anchor=f"extra-{i}",
            body="b",
            html="<p>b</p>",
            text="b",
        )


# Everything a backup must carry -----------------------------------------------------


# Sign-in records and sessions are not part of a restore: they are about this server.
NOT_RESTORED = {
    "sessions.session", "axes.accessattempt", "axes.accesslog", "axes.accessfailurelog",
    "admin.logentry",
}  # fmt: skip


def every_count() -> dict[str, int]:
    """The number of rows of every model, plus the facts an export must keep."""
    counts = {
        model._meta.label_lower: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.label_lower not in NOT_RESTORED
    }
    examples = LocalExample.objects
    for status in ExampleStatus.values:
        counts[f"examples {status}"] = examples.filter(status=status).count()
    counts["example tool links"] = LocalExample.tools.through.objects.count()
    counts["examples without an author"] = examples.filter(author=None).count()
    counts["examples reviewed"] = examples.exclude(reviewed_by=None).count()
    counts["examples per guide"] = dict(
        examples.values_list("guide__slug").annotate(n=Count("id")).order_by()
    )
    return counts


def populate() -> None:
    """Staff, examples in every state (with tools, tags, an editor's review, an author
    who has left) and a module: everything a backup must carry."""
    author = make_user("fac_backup", "facilitator", first_name="Asha", last_name="Patel")
    editor = make_user("ed_backup", "editor")
    trainer = make_user("tr_backup", "trainer")
    gone = make_user("gone_backup", "facilitator")
    make_example(author, tools=("run-charts",), tags=("cardiac", "a&e"))
    make_example(author, status=ExampleStatus.SUBMITTED, tags=("primary care",))
    make_example(
        author,
        status=ExampleStatus.RETURNED,
        editor_comment="Add the measures.",
        reviewed_by=editor,
        guide="measurement-for-improvement",
    )
    published = make_example(
        author, status=ExampleStatus.PUBLISHED, reviewed_by=editor, tags=("café",),
        tools=("run-charts", "pdsa-cycles"),
    )  # fmt: skip
    make_example(gone, status=ExampleStatus.PUBLISHED, tags=("discharge",))
    gone.delete()
    module = Module.objects.create(
        owner=trainer, title="Flow for ward sisters", visibility=ModuleVisibility.STAFF
    )
    ModuleItem.objects.create(
        module=module, order=1, kind=ItemKind.EXAMPLE, example=published, title=published.title
    )
    ModuleItem.objects.create(module=module, order=2, kind=ItemKind.NOTE, title="Talk", text="x")


# The headers every response carries --------------------------------------------------


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def assert_hardened(response) -> None:
    """The headers every response must carry, whatever made it."""
    csp = policy(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]
    assert not any(
        "unsafe" in v or v in ("*", "data:", "http:", "https:") for v in csp["script-src"]
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


# manage.py in a subprocess, as a deployment runs it ----------------------------------


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for themselves: not for a deployment.
    dropped = (
        "SECRET_KEY", "HTTPS", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE", "SITE_URL", "CACHE_URL",
        "NUM_PROXIES",
    )  # fmt: skip
    environment = {k: v for k, v in os.environ.items() if k not in dropped}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment,
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


PRODUCTION = {
    "DEBUG": "false",
    "HTTPS": "true",
    "SECRET_KEY": "x7Gq2-production-like-secret-key-for-the-check-0123456789abcdefghij",
    "ALLOWED_HOSTS": "ilg.example.org",
    "SITE_URL": "https://ilg.example.org",
    "NUM_PROXIES": "1",
}
