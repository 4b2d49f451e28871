"""Local examples: staff-written case examples, moderated by editors."""

from __future__ import annotations

import re
import unicodedata
import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from taggit.managers import TaggableManager

from guides.core.models import MAX_TEXT_LENGTH, VersionedModel
from guides.library import markup
from guides.library.glossary import current_glossary
from guides.library.models import Guide, Section, Tool

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

# Local examples -------------------------------------------------------------------
# Written by staff in the site, moderated by editors. User data: it points at the
# content (a guide, tools) and the loader never deletes it (guides/examples/receivers.py).

MAX_TAGS = 12
MAX_TAG_LENGTH = 40
MARKDOWN_FIELDS = ("problem", "what_was_done", "results", "lessons")

# The roles are groups (made by this app's migrations) holding these permissions.
ADD_EXAMPLE = "examples.add_localexample"  # Facilitators, Editors: write examples
VIEW_ANY_EXAMPLE = "examples.view_localexample"  # Editors: see drafts and submissions
CHANGE_ANY_EXAMPLE = "examples.change_localexample"  # Editors: edit any example
DELETE_ANY_EXAMPLE = "examples.delete_localexample"  # Editors: delete any example
REVIEW_EXAMPLES = "examples.review_localexample"  # Editors: publish, return, unpublish


def normalise_tag(name: str) -> str:
    """One spelling per tag: Unicode NFKC (so fullwidth and ligature forms fold), no
    invisible or control characters, single spaces, lower case."""
    name = unicodedata.normalize("NFKC", name)
    name = "".join(c for c in name if c.isspace() or unicodedata.category(c) not in ("Cc", "Cf"))
    return " ".join(name.split()).lower()


def parse_tags(value: str | list[str]) -> list[str]:
    """Comma-separated text (or a list) -> normalised, de-duplicated tags, in order.
    Raises ValueError with a sentence for the user when a tag or the list is too long."""
    items = value.split(",") if isinstance(value, str) else list(value)
    tags = list(dict.fromkeys(t for t in (normalise_tag(i) for i in items) if t))
    for tag in tags:
        if len(tag) > MAX_TAG_LENGTH:
            raise ValueError(
                f"Each tag can be at most {MAX_TAG_LENGTH} characters: “{tag[:MAX_TAG_LENGTH]}…” "
                "is longer. Separate tags with commas."
            )
    if len(tags) > MAX_TAGS:
        raise ValueError(f"Use at most {MAX_TAGS} tags (you gave {len(tags)}).")
    return tags


def _shorten(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a word with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def first_sentence(text: str) -> str:
    """The text up to its first full stop, question or exclamation mark followed by a
    space (so "4.5 weeks" and "e.g." inside a sentence mostly survive)."""
    text = " ".join(text.split())
    match = re.search(r"(?<!\be\.g)(?<!\bi\.e)[.!?](?=\s+[A-Z0-9“\"(])", text)
    return text[: match.end()] if match else text


class ExampleStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted for review"
    PUBLISHED = "published", "Published"
    RETURNED = "returned", "Returned to the author"


class OrganisationType(models.TextChoices):
    ACUTE = "acute", "Hospital (acute) trust"
    PRIMARY = "primary", "Primary care or general practice"
    COMMUNITY = "community", "Community services"
    MENTAL_HEALTH = "mental-health", "Mental health services"
    AMBULANCE = "ambulance", "Ambulance service"
    SOCIAL_CARE = "social-care", "Social care"
    COMMISSIONER = "commissioner", "Commissioner or network"
    OTHER = "other", "Other"


class LocalExampleQuerySet(models.QuerySet):
    def published(self) -> LocalExampleQuerySet:
        return self.filter(status=ExampleStatus.PUBLISHED)

    def visible_to(self, user: User | AnonymousUser | None) -> LocalExampleQuerySet:
        """Published examples, plus the user's own; editors see everything."""
        if user is None or not user.is_authenticated:
            return self.published()
        if user.has_perm(VIEW_ANY_EXAMPLE):
            return self.all()
        return self.filter(Q(status=ExampleStatus.PUBLISHED) | Q(author=user))

    def for_guide(self, guide: Guide) -> LocalExampleQuerySet:
        return self.filter(guide=guide)

    def for_section(self, section: Section) -> LocalExampleQuerySet:
        return self.filter(guide_id=section.guide_id, section_anchor=section.anchor)

    def for_tool(self, tool: Tool) -> LocalExampleQuerySet:
        return self.filter(tools=tool)

    def for_step(self, tool: Tool, anchor: str) -> LocalExampleQuerySet:
        return self.filter(step_tool=tool, step_anchor=anchor)

    def matching(self, chosen: dict, *leave_out: str) -> LocalExampleQuerySet:
        """The examples matching the filters of the list page and API (guide, section,
        setting, tool, tag), except those left out (for counts such as "each guide's
        examples with the other filters applied")."""
        examples = self
        if chosen.get("guide") and "guide" not in leave_out:
            examples = examples.for_guide(chosen["guide"])
        if chosen.get("section") and "section" not in leave_out:
            examples = examples.filter(section_anchor=chosen["section"])
        if chosen.get("setting"):
            examples = examples.filter(organisation_type=chosen["setting"])
        if chosen.get("tool"):
            examples = examples.for_tool(chosen["tool"])
            if chosen.get("step") and "step" not in leave_out:
                examples = examples.filter(step_tool=chosen["tool"], step_anchor=chosen["step"])
        if chosen.get("tag"):
            examples = examples.filter(tags__name=chosen["tag"])
        return examples

    def newest_first(self) -> LocalExampleQuerySet:
        return self.order_by(models.F("published_at").desc(nulls_last=True), "-updated_at", "-pk")

    def awaiting_review(self) -> LocalExampleQuerySet:
        return self.filter(status=ExampleStatus.SUBMITTED).order_by("updated_at", "pk")


class LocalExampleManager(models.Manager.from_queryset(LocalExampleQuerySet)):
    def get_by_natural_key(self, uid: str) -> LocalExample:
        return self.get(uid=uid)


class LocalExample(VersionedModel):
    """A facilitator's own case example, attached to one guide and optionally tools."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    guide = models.ForeignKey(Guide, on_delete=models.PROTECT, related_name="examples")
    tools = models.ManyToManyField(Tool, blank=True, related_name="examples")
    # The guide section it illustrates, by the section's stable anchor (sections are
    # rebuilt by the loader; the anchor is what stays). Blank: the guide as a whole.
    section_anchor = models.SlugField("section", max_length=100, blank=True)
    # A step of a tool it shows in practice, by the step's stable anchor (Tool.steps,
    # made by the loader). Both blank: no step. The tool is also one of its tools.
    step_tool = models.ForeignKey(
        Tool, on_delete=models.SET_NULL, null=True, blank=True, related_name="step_examples"
    )
    step_anchor = models.SlugField("step", max_length=100, blank=True)
    title = models.CharField(max_length=200)
    organisation_type = models.CharField(
        "type of organisation", max_length=20, choices=OrganisationType.choices, blank=True
    )
    service = models.CharField(max_length=200, blank=True)
    team = models.CharField(max_length=200, blank=True)
    problem = models.TextField("the problem", max_length=MAX_TEXT_LENGTH)
    what_was_done = models.TextField("what was done", max_length=MAX_TEXT_LENGTH)
    results = models.TextField("what happened, with the measures", max_length=MAX_TEXT_LENGTH)
    lessons = models.TextField("lessons and tips", max_length=MAX_TEXT_LENGTH, blank=True)
    contact = models.CharField("contact or author's role", max_length=200, blank=True)
    period_start = models.DateField("from", null=True, blank=True)
    period_end = models.DateField("to", null=True, blank=True)
    tags = TaggableManager(blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="local_examples",
    )
    status = models.CharField(
        max_length=12, choices=ExampleStatus.choices, default=ExampleStatus.DRAFT
    )
    editor_comment = models.TextField(blank=True, max_length=2000)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # version, created_at and updated_at: VersionedModel (a change based on an older
    # version is refused).
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Made once in save() from the Markdown fields, through guides.markup.
    problem_html = models.TextField(blank=True, editable=False)
    what_was_done_html = models.TextField(blank=True, editable=False)
    results_html = models.TextField(blank=True, editable=False)
    lessons_html = models.TextField(blank=True, editable=False)
    excerpt = models.CharField(max_length=300, blank=True, editable=False)
    # The first sentence of the results: the one line shown beside a guide section.
    result_line = models.CharField(max_length=200, blank=True, editable=False)
    text = models.TextField(blank=True, editable=False, help_text="Plain text, for search.")

    objects = LocalExampleManager()

    class Meta:
        ordering = ["-published_at", "-updated_at", "-pk"]
        permissions = [
            ("review_localexample", "Can publish, return and unpublish local examples"),
        ]
        indexes = [
            # The newest-first order has its own index, made in each engine's own words
            # (migrations/0006_newest_first_index.py: example_published_newest).
            models.Index(fields=["guide", "status"], name="example_guide_status"),
            models.Index(fields=["guide", "section_anchor"], name="example_guide_section"),
            models.Index(fields=["step_tool", "step_anchor"], name="example_tool_step"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_start__isnull=True)
                | Q(period_end__isnull=True)
                | Q(period_end__gte=models.F("period_start")),
                name="example_period_in_order",
                violation_error_message="The end of the period must be on or after its start.",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def natural_key(self) -> tuple[str]:
        return (str(self.uid),)

    def get_absolute_url(self) -> str:
        return reverse("examples:detail", args=[self.pk])

    # Rendering ------------------------------------------------------------------

    def render_html(self, glossary: markup.Glossary | None = None) -> list[str]:
        """Make the HTML of the Markdown fields; return their plain texts."""
        glossary = glossary if glossary is not None else current_glossary()
        seen: set[str] = set()
        texts = []
        for name in MARKDOWN_FIELDS:
            rendered = markup.render_safely(
                getattr(self, name),
                glossary=glossary,
                seen_terms=seen,
                id_prefix=f"ex{self.pk or 'new'}-{name.replace('_', '-')}-",
            )
            setattr(self, f"{name}_html", rendered.html)
            texts.append(rendered.text)
        return texts

    def render(self, glossary: markup.Glossary | None = None) -> None:
        """Make the HTML, excerpt and search text from the Markdown fields."""
        texts = self.render_html(glossary)
        self.excerpt = _shorten(texts[0], 280)
        self.result_line = _shorten(first_sentence(texts[2]), 180)
        tags = getattr(self, "_tag_names", None)
        if tags is None:
            tags = list(self.tags.names()) if self.pk else []
        parts = [self.title, self.get_organisation_type_display(), self.service, self.team]
        self.text = " ".join(p for p in [*parts, *texts, self.contact, *sorted(tags)] if p)

    def save(self, *args, touch: bool = True, **kwargs) -> None:
        """Render the Markdown (unless only other fields are being saved) and save.
        `touch=False` keeps updated_at as it is (for import_examples)."""
        update_fields = kwargs.get("update_fields")
        if touch:
            self.updated_at = timezone.now()
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "updated_at"}
        rerender = update_fields is None or bool(set(update_fields) & set(MARKDOWN_FIELDS))
        needs_pk = self.pk is None
        if rerender:
            glossary = current_glossary()
            self.render(glossary)
        super().save(*args, **kwargs)
        if rerender and needs_pk:
            # Heading and tooltip ids carry the pk, which a new row only has now.
            self.render(glossary)
            fields = [f"{n}_html" for n in MARKDOWN_FIELDS]
            type(self).objects.filter(pk=self.pk).update(**{f: getattr(self, f) for f in fields})

    # Moderation -----------------------------------------------------------------

    def is_author(self, user: User | AnonymousUser) -> bool:
        return user.is_authenticated and self.author_id is not None and self.author_id == user.pk

    def can_view(self, user: User | AnonymousUser) -> bool:
        return (
            self.status == ExampleStatus.PUBLISHED
            or self.is_author(user)
            or (user.is_authenticated and user.has_perm(VIEW_ANY_EXAMPLE))
        )

    @staticmethod
    def can_add(user: User | AnonymousUser) -> bool:
        return user.is_authenticated and user.has_perm(ADD_EXAMPLE)

    def can_edit(self, user: User | AnonymousUser) -> bool:
        if user.is_authenticated and user.has_perm(CHANGE_ANY_EXAMPLE):
            return True
        return (
            self.is_author(user)
            and user.has_perm(ADD_EXAMPLE)
            and self.status != ExampleStatus.PUBLISHED
        )

    def can_submit(self, user: User | AnonymousUser) -> bool:
        return (
            self.is_author(user)
            and user.has_perm(ADD_EXAMPLE)
            and self.status in (ExampleStatus.DRAFT, ExampleStatus.RETURNED)
        )

    def can_review(self, user: User | AnonymousUser) -> bool:
        """Publish or return: an editor, for an example waiting for review."""
        return (
            user.is_authenticated
            and user.has_perm(REVIEW_EXAMPLES)
            and self.status == ExampleStatus.SUBMITTED
        )

    def can_unpublish(self, user: User | AnonymousUser) -> bool:
        return (
            user.is_authenticated
            and user.has_perm(REVIEW_EXAMPLES)
            and self.status == ExampleStatus.PUBLISHED
        )

    def can_delete(self, user: User | AnonymousUser) -> bool:
        if user.is_authenticated and user.has_perm(DELETE_ANY_EXAMPLE):
            return True
        return (
            self.is_author(user)
            and user.has_perm(ADD_EXAMPLE)
            and self.status != ExampleStatus.PUBLISHED
        )

    def set_status(self, status: str, *, by: User, comment: str = "") -> None:
        """Apply a moderation step (after claim()); saved through save() so that signal
        receivers, such as a search index, see it."""
        self.status = status
        fields = ["status", "version"]
        if status == ExampleStatus.PUBLISHED:
            self.published_at = timezone.now()
            self.editor_comment = ""
            self.reviewed_by = by
            fields += ["published_at", "editor_comment", "reviewed_by"]
        elif status == ExampleStatus.RETURNED:
            self.published_at = None
            self.editor_comment = comment
            self.reviewed_by = by
            fields += ["published_at", "editor_comment", "reviewed_by"]
        self.save(update_fields=fields)

    @property
    def author_name(self) -> str:
        if self.author is None:
            return "a former member of staff"
        return self.author.get_full_name() or self.author.get_username()

    @property
    def section(self) -> Section | None:
        """The section it annotates, if it still exists (one query, kept)."""
        if not self.section_anchor:
            return None
        if not hasattr(self, "_section"):
            self._section = Section.objects.filter(
                guide_id=self.guide_id, anchor=self.section_anchor
            ).first()
        return self._section

    @property
    def step(self) -> dict | None:
        """The tool step it shows ({anchor, number, title, html}), if the step still
        exists (no query when step_tool was fetched with the example)."""
        if not (self.step_anchor and self.step_tool_id):
            return None
        return self.step_tool.step(self.step_anchor)

    @property
    def setting(self) -> str:
        parts = [self.get_organisation_type_display(), self.service, self.team]
        return " · ".join(p for p in parts if p)


# Charts of an example live in their own module; imported here so that Django finds them.
from guides.examples.charts import ExampleChart  # noqa: E402, F401
