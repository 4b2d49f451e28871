"""Plain helpers for the local example tests: users with roles, examples, and posting
through a client that enforces CSRF like a browser would."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.utils import timezone

from guides.examples.models import ExampleStatus, LocalExample, parse_tags
from guides.library.models import Guide, Tool

PASSWORD = "a-long-test-password-1"
GROUPS = {"facilitator": "Facilitators", "editor": "Editors", "trainer": "Trainers"}


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Tests make many users: a fast hasher keeps them quick (never in production)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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
