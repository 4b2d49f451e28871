"""The library's content: guides, their sections, tools and techniques, glossary terms.

Everything here is loaded from `fixtures/` by `load_guides` (guides/content.py) and keyed
by natural keys (slugs), so a reload updates rows in place instead of replacing them.
User data (local examples, modules) will point at these rows, never the other way round.
"""

from __future__ import annotations

import secrets
import unicodedata
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from taggit.managers import TaggableManager

from . import markup


class Side(models.TextChoices):
    SYSTEMS = "systems", "Systems and process"
    PEOPLE = "people", "People and culture"


class SlugManager(models.Manager):
    def get_by_natural_key(self, slug: str):
        return self.get(slug=slug)


class Guide(models.Model):
    number = models.PositiveSmallIntegerField(unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200)
    purpose = models.CharField(max_length=300, help_text="One line: what the guide advises on.")
    summary = models.TextField(blank=True)
    plain_summary = models.TextField(blank=True)
    side = models.CharField(max_length=10, choices=Side.choices)
    tools = models.ManyToManyField("Tool", through="GuideTool", related_name="guides", blank=True)
    related_guides = models.ManyToManyField("self", symmetrical=False, blank=True)

    objects = SlugManager()

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    def get_absolute_url(self) -> str:
        return reverse("guides:guide", args=[self.slug])


class GuideTool(models.Model):
    """A tool listed by a guide, in the guide's own order."""

    guide = models.ForeignKey(Guide, on_delete=models.CASCADE)
    tool = models.ForeignKey("Tool", on_delete=models.CASCADE)
    order = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["order"]
        constraints = [
            models.UniqueConstraint(fields=["guide", "tool"], name="unique_guide_tool"),
        ]


class SectionManager(models.Manager):
    def get_by_natural_key(self, guide_slug: str, anchor: str):
        return self.get(guide__slug=guide_slug, anchor=anchor)


class Section(models.Model):
    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="sections")
    order = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    anchor = models.SlugField(max_length=100)
    body = models.TextField(help_text="Markdown, as written in the content file.")
    html = models.TextField(help_text="Rendered once when the content is loaded.")
    text = models.TextField(help_text="Plain text of the body, for search and the API.")

    objects = SectionManager()

    class Meta:
        ordering = ["guide__number", "order"]
        constraints = [
            models.UniqueConstraint(fields=["guide", "anchor"], name="unique_section_anchor"),
        ]

    def __str__(self) -> str:
        return f"{self.guide.title}: {self.title}"

    def natural_key(self) -> tuple[str, str]:
        return (self.guide.slug, self.anchor)

    natural_key.dependencies = ["guides.guide"]

    def get_absolute_url(self) -> str:
        return f"{self.guide.get_absolute_url()}#{self.anchor}"


class Tool(models.Model):
    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    also_known_as = models.JSONField(default=list, blank=True)
    summary = models.TextField()
    body = models.TextField(help_text="Markdown, as written in the content file.")
    html = models.TextField(help_text="Rendered once when the content is loaded.")
    text = models.TextField(help_text="Plain text of the body, for search and the API.")
    related_tools = models.ManyToManyField("self", symmetrical=False, blank=True)

    objects = SlugManager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    def get_absolute_url(self) -> str:
        return reverse("guides:tool", args=[self.slug])


class GlossaryTerm(models.Model):
    slug = models.SlugField(max_length=80, unique=True)
    term = models.CharField(max_length=200)
    definition = models.TextField()
    plain_alternatives = models.JSONField(
        default=list, help_text="The words people actually say, e.g. 'running a pilot'."
    )
    match_forms = models.JSONField(
        default=list, blank=True, help_text="Words in running text that mean this term."
    )
    related_terms = models.ManyToManyField("self", symmetrical=False, blank=True)
    # Worked out by the loader from where the term is linked in the content.
    used_in_guides = models.ManyToManyField(Guide, blank=True, related_name="terms")
    used_in_tools = models.ManyToManyField(Tool, blank=True, related_name="terms")

    objects = SlugManager()

    class Meta:
        ordering = ["term"]

    def __str__(self) -> str:
        return self.term

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    def get_absolute_url(self) -> str:
        return reverse("guides:term", args=[self.slug])

    @property
    def letter(self) -> str:
        first = self.term[:1].upper()
        return first if first.isalpha() else "#"


class SearchDocument(models.Model):
    """One searchable thing (a guide, section, tool, glossary term or published local
    example), flattened for the full-text engines. guides/search.py owns these rows and
    the vendor-specific index over them (PostgreSQL: a weighted tsvector column with a
    GIN index; SQLite: an FTS5 table kept in step by triggers)."""

    kind = models.CharField(max_length=10)
    object_id = models.BigIntegerField()
    title = models.CharField(max_length=300)
    url = models.CharField(max_length=300)
    # "|slug|slug|" so that a filter is a simple LIKE on either engine.
    guides = models.CharField(max_length=1000, blank=True, default="")
    tags = models.CharField(max_length=2000, blank=True, default="")
    keywords = models.TextField(blank=True, default="")
    summary = models.TextField(blank=True, default="")
    body = models.TextField(blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="unique_search_document"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.title}"


class SearchWord(models.Model):
    """The words of the library's own content, for spelling suggestions."""

    word = models.CharField(max_length=100, unique=True)
    frequency = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return self.word


class ContentVersion(models.Model):
    """One row per load that changed something: what the content was, and when."""

    digest = models.CharField(max_length=64, help_text="SHA-256 of every content file.")
    loaded_at = models.DateTimeField(auto_now_add=True)
    summary = models.TextField(blank=True)

    class Meta:
        ordering = ["-loaded_at", "-id"]
        get_latest_by = "loaded_at"

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return f"{self.loaded_at:%Y-%m-%d}.{self.digest[:7]}"


# Local examples -------------------------------------------------------------------
# Written by staff in the site, moderated by editors. User data: it points at the
# content (a guide, tools) and the loader never deletes it (see guides/content.py).

MAX_TEXT_LENGTH = 10_000
MAX_TAGS = 12
MAX_TAG_LENGTH = 40
MARKDOWN_FIELDS = ("problem", "what_was_done", "results", "lessons")

# The roles are groups (created by migration 0003) holding these permissions.
ADD_EXAMPLE = "guides.add_localexample"  # Facilitators, Editors: write examples
VIEW_ANY_EXAMPLE = "guides.view_localexample"  # Editors: see drafts and submissions
CHANGE_ANY_EXAMPLE = "guides.change_localexample"  # Editors: edit any example
DELETE_ANY_EXAMPLE = "guides.delete_localexample"  # Editors: delete any example
REVIEW_EXAMPLES = "guides.review_localexample"  # Editors: publish, return, unpublish


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


def example_glossary() -> markup.Glossary:
    """The glossary as loaded, so that jargon in an example links to its definition."""
    return markup.Glossary(
        markup.TermEntry(
            slug=t.slug,
            term=t.term,
            definition=t.definition,
            forms=tuple(t.match_forms),
            url=t.get_absolute_url(),
        )
        for t in GlossaryTerm.objects.only("slug", "term", "definition", "match_forms")
    )


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

    def visible_to(self, user) -> LocalExampleQuerySet:
        """Published examples, plus the user's own; editors see everything."""
        if user is None or not user.is_authenticated:
            return self.published()
        if user.has_perm(VIEW_ANY_EXAMPLE):
            return self.all()
        return self.filter(Q(status=ExampleStatus.PUBLISHED) | Q(author=user))

    def for_guide(self, guide: Guide) -> LocalExampleQuerySet:
        return self.filter(guide=guide)

    def for_tool(self, tool: Tool) -> LocalExampleQuerySet:
        return self.filter(tools=tool)

    def newest_first(self) -> LocalExampleQuerySet:
        return self.order_by(models.F("published_at").desc(nulls_last=True), "-updated_at", "-pk")

    def awaiting_review(self) -> LocalExampleQuerySet:
        return self.filter(status=ExampleStatus.SUBMITTED).order_by("updated_at", "pk")


class LocalExampleManager(models.Manager.from_queryset(LocalExampleQuerySet)):
    def get_by_natural_key(self, uid: str) -> LocalExample:
        return self.get(uid=uid)


class LocalExample(models.Model):
    """A facilitator's own case example, attached to one guide and optionally tools."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    guide = models.ForeignKey(Guide, on_delete=models.PROTECT, related_name="examples")
    tools = models.ManyToManyField(Tool, blank=True, related_name="examples")
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
    # Optimistic locking: every change moves the version on by one, and a change based
    # on an older version is refused (see claim()).
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Made once in save() from the Markdown fields, through guides.markup.
    problem_html = models.TextField(blank=True, editable=False)
    what_was_done_html = models.TextField(blank=True, editable=False)
    results_html = models.TextField(blank=True, editable=False)
    lessons_html = models.TextField(blank=True, editable=False)
    excerpt = models.CharField(max_length=300, blank=True, editable=False)
    text = models.TextField(blank=True, editable=False, help_text="Plain text, for search.")

    objects = LocalExampleManager()

    class Meta:
        ordering = ["-published_at", "-updated_at", "-pk"]
        permissions = [
            ("review_localexample", "Can publish, return and unpublish local examples"),
        ]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="example_status_published"),
            models.Index(fields=["guide", "status"], name="example_guide_status"),
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
        return reverse("guides:example", args=[self.pk])

    # Rendering ------------------------------------------------------------------

    def render(self, glossary: markup.Glossary | None = None) -> None:
        """Make the HTML, excerpt and search text from the Markdown fields."""
        glossary = glossary if glossary is not None else example_glossary()
        seen: set[str] = set()
        texts = []
        for name in MARKDOWN_FIELDS:
            rendered = markup.render(
                getattr(self, name),
                glossary=glossary,
                seen_terms=seen,
                id_prefix=f"ex{self.pk or 'new'}-{name.replace('_', '-')}-",
            )
            setattr(self, f"{name}_html", rendered.html)
            texts.append(rendered.text)
        self.excerpt = texts[0] if len(texts[0]) <= 280 else texts[0][:279].rsplit(" ", 1)[0] + "…"
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
            glossary = example_glossary()
            self.render(glossary)
        super().save(*args, **kwargs)
        if rerender and needs_pk:
            # Heading and tooltip ids carry the pk, which a new row only has now.
            self.render(glossary)
            fields = [f"{n}_html" for n in MARKDOWN_FIELDS]
            type(self).objects.filter(pk=self.pk).update(**{f: getattr(self, f) for f in fields})

    # Moderation -----------------------------------------------------------------

    def claim(self, version: int) -> bool:
        """Move the stored row from `version` to the next one, or return False when it
        has moved on since (someone else saved it). Call inside transaction.atomic() and
        save the change in the same transaction."""
        moved = type(self).objects.filter(pk=self.pk, version=version).update(version=version + 1)
        if moved:
            self.version = version + 1
        return bool(moved)

    def is_author(self, user) -> bool:
        return user.is_authenticated and self.author_id is not None and self.author_id == user.pk

    def can_view(self, user) -> bool:
        return (
            self.status == ExampleStatus.PUBLISHED
            or self.is_author(user)
            or (user.is_authenticated and user.has_perm(VIEW_ANY_EXAMPLE))
        )

    @staticmethod
    def can_add(user) -> bool:
        return user.is_authenticated and user.has_perm(ADD_EXAMPLE)

    def can_edit(self, user) -> bool:
        if user.is_authenticated and user.has_perm(CHANGE_ANY_EXAMPLE):
            return True
        return (
            self.is_author(user)
            and user.has_perm(ADD_EXAMPLE)
            and self.status != ExampleStatus.PUBLISHED
        )

    def can_submit(self, user) -> bool:
        return (
            self.is_author(user)
            and user.has_perm(ADD_EXAMPLE)
            and self.status in (ExampleStatus.DRAFT, ExampleStatus.RETURNED)
        )

    def can_review(self, user) -> bool:
        """Publish or return: an editor, for an example waiting for review."""
        return (
            user.is_authenticated
            and user.has_perm(REVIEW_EXAMPLES)
            and self.status == ExampleStatus.SUBMITTED
        )

    def can_unpublish(self, user) -> bool:
        return (
            user.is_authenticated
            and user.has_perm(REVIEW_EXAMPLES)
            and self.status == ExampleStatus.PUBLISHED
        )

    def can_delete(self, user) -> bool:
        if user.is_authenticated and user.has_perm(DELETE_ANY_EXAMPLE):
            return True
        return (
            self.is_author(user)
            and user.has_perm(ADD_EXAMPLE)
            and self.status != ExampleStatus.PUBLISHED
        )

    def set_status(self, status: str, *, by, comment: str = "") -> None:
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
    def setting(self) -> str:
        parts = [self.get_organisation_type_display(), self.service, self.team]
        return " · ".join(p for p in parts if p)


# Training modules -----------------------------------------------------------------
# Built by trainers (and editors) from parts of the guides and printed as handouts
# (guides/handouts.py). User data: every item points at the content with SET_NULL and
# keeps a snapshot of its title, so a content load that renames or removes a section or
# tool leaves a clear placeholder in the module, never an error.

BUILD_MODULES = "guides.add_module"  # Trainers, Editors: create modules and change their own
CHANGE_SHARED_MODULES = "guides.change_module"  # Editors: also change modules shared with staff
MAX_MODULE_ITEMS = 200
MAX_MINUTES = 24 * 60


def format_minutes(minutes: int | None) -> str:
    """20 -> "20 min", 90 -> "1 h 30 min"."""
    if not minutes:
        return ""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest} min" if rest else f"{hours} h"


def new_share_token() -> str:
    """An unguessable token for a module's public link (256 bits)."""
    return secrets.token_urlsafe(32)


class ModuleVisibility(models.TextChoices):
    PRIVATE = "private", "Private: only you"
    STAFF = "staff", "Shared with all signed-in staff (they can read and copy it)"
    LINK = "link", "Public: anyone with the link can read it"


class ItemKind(models.TextChoices):
    GUIDE = "guide", "Guide"
    SECTION = "section", "Guide section"
    TOOL = "tool", "Tool or technique"
    TERM = "term", "Glossary term"
    EXAMPLE = "example", "Local example"
    NOTE = "note", "Note or exercise"


class ModuleQuerySet(models.QuerySet):
    def owned_by(self, user) -> ModuleQuerySet:
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(owner=user)

    def visible_to(self, user) -> ModuleQuerySet:
        """The modules a user may open: their own and, for any signed-in member of staff,
        those shared with staff. A public-by-link module is opened with its token
        (`with_link()`); a private one is nobody's but its owner's."""
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(Q(owner=user) | Q(visibility=ModuleVisibility.STAFF))

    def with_link(self, token: str) -> ModuleQuerySet:
        if not token:
            return self.none()
        return self.filter(visibility=ModuleVisibility.LINK, share_token=token)


class Module(models.Model):
    """A trainer's module: details and an ordered list of items (ModuleItem)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="modules",
    )
    title = models.CharField(max_length=200)
    audience = models.CharField(max_length=200, blank=True)
    duration = models.CharField(max_length=100, blank=True)
    objectives = models.TextField("learning objectives", blank=True, max_length=4000)
    trainer_notes = models.TextField("trainer's notes", blank=True, max_length=MAX_TEXT_LENGTH)
    trainer_notes_html = models.TextField(blank=True, editable=False)
    visibility = models.CharField(
        max_length=10, choices=ModuleVisibility.choices, default=ModuleVisibility.PRIVATE
    )
    share_token = models.CharField(
        max_length=64, unique=True, default=new_share_token, editable=False
    )
    # Optimistic locking, as for local examples: every change moves the version on by
    # one, and a change based on an older version is refused (see claim()).
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ModuleQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-pk"]
        indexes = [
            models.Index(fields=["owner", "-updated_at"], name="module_owner_updated"),
            models.Index(fields=["visibility", "-updated_at"], name="module_visibility_updated"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("guides:module", args=[self.pk])

    def get_share_url(self) -> str:
        """The public link (only answers while the module is public by link)."""
        return f"{self.get_absolute_url()}?key={self.share_token}"

    @property
    def objective_list(self) -> list[str]:
        return [
            line.strip(" -•*\t") for line in self.objectives.splitlines() if line.strip(" -•*\t")
        ]

    @property
    def owner_name(self) -> str:
        if self.owner is None:
            return "a former member of staff"
        return self.owner.get_full_name() or self.owner.get_username()

    def render(self) -> None:
        self.trainer_notes_html = markup.render(
            self.trainer_notes, glossary=example_glossary(), id_prefix="module-notes-"
        ).html

    def save(self, *args, **kwargs) -> None:
        self.updated_at = timezone.now()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "updated_at"}
        if update_fields is None or "trainer_notes" in update_fields:
            self.render()
            if update_fields is not None:
                kwargs["update_fields"].add("trainer_notes_html")
        super().save(*args, **kwargs)

    # Who may do what ------------------------------------------------------------

    def is_owner(self, user) -> bool:
        return user.is_authenticated and self.owner_id is not None and self.owner_id == user.pk

    @staticmethod
    def can_build(user) -> bool:
        return user.is_authenticated and user.has_perm(BUILD_MODULES)

    def can_edit(self, user) -> bool:
        """The owner; an editor may also change a module that is shared."""
        if not self.can_build(user):
            return False
        if self.is_owner(user):
            return True
        return self.visibility != ModuleVisibility.PRIVATE and user.has_perm(CHANGE_SHARED_MODULES)

    def can_manage(self, user) -> bool:
        """Share and delete: the owner only."""
        return self.can_build(user) and self.is_owner(user)

    # Changes --------------------------------------------------------------------

    def claim(self, version: int) -> bool:
        """Move the stored row from `version` to the next one, or return False when it
        has moved on since (someone else changed the module). Call inside
        transaction.atomic() and make the change in the same transaction."""
        moved = (
            type(self)
            .objects.filter(pk=self.pk, version=version)
            .update(version=version + 1, updated_at=timezone.now())
        )
        if moved:
            self.version = version + 1
        return bool(moved)

    def touch(self) -> None:
        """Move the version on without a check: for changes that cannot overwrite
        anything, such as adding an item at the end from a guide page."""
        type(self).objects.filter(pk=self.pk).update(
            version=models.F("version") + 1, updated_at=timezone.now()
        )
        self.refresh_from_db(fields=["version", "updated_at"])

    def next_order(self) -> int:
        last = self.items.aggregate(last=models.Max("order"))["last"]
        return (last or 0) + 1

    def duplicate(self, owner) -> Module:
        """A private copy, with all its items, for `owner` to adapt."""
        prefix = "Copy of "
        copy = Module.objects.create(
            owner=owner,
            title=(prefix + self.title)[:200],
            audience=self.audience,
            duration=self.duration,
            objectives=self.objectives,
            trainer_notes=self.trainer_notes,
        )
        fields = [
            "order", "kind", "guide_id", "section_id", "tool_id", "term_id", "example_id",
            "title", "text", "text_html", "minutes", "for_participants",
        ]  # fmt: skip
        ModuleItem.objects.bulk_create(
            ModuleItem(module=copy, **{f: getattr(item, f) for f in fields})
            for item in self.items.all()
        )
        return copy


class ModuleItem(models.Model):
    """One part of a module: a guide, a section, a tool, a glossary term, a published
    local example, or the trainer's own note or exercise."""

    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveIntegerField()
    kind = models.CharField(max_length=10, choices=ItemKind.choices)
    guide = models.ForeignKey(
        Guide, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    section = models.ForeignKey(
        Section, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    tool = models.ForeignKey(
        Tool, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    term = models.ForeignKey(
        GlossaryTerm, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    example = models.ForeignKey(
        LocalExample, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Content items: the title when it was added, shown if the content goes away.
    # Notes: the trainer's own heading.
    title = models.CharField(max_length=300, blank=True)
    text = models.TextField(blank=True, max_length=MAX_TEXT_LENGTH)
    text_html = models.TextField(blank=True, editable=False)
    minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    # Notes only: an exercise for everyone, or a note for the trainer's edition only.
    for_participants = models.BooleanField(default=True)

    class Meta:
        ordering = ["order", "pk"]
        indexes = [models.Index(fields=["module", "order"], name="moduleitem_module_order")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"

    def save(self, *args, **kwargs) -> None:
        if self.kind == ItemKind.NOTE:
            update_fields = kwargs.get("update_fields")
            if update_fields is None or "text" in update_fields:
                self.text_html = markup.render(
                    self.text, glossary=example_glossary(), id_prefix=f"note{self.order}-"
                ).html
                if update_fields is not None:
                    kwargs["update_fields"] = {*update_fields, "text_html"}
        super().save(*args, **kwargs)

    @property
    def target(self):
        return {
            ItemKind.GUIDE: self.guide,
            ItemKind.SECTION: self.section,
            ItemKind.TOOL: self.tool,
            ItemKind.TERM: self.term,
            ItemKind.EXAMPLE: self.example,
        }.get(self.kind)

    @property
    def missing(self) -> bool:
        """A content item whose content has gone (or an example no longer published)."""
        if self.kind == ItemKind.NOTE:
            return False
        target = self.target
        if target is None:
            return True
        return self.kind == ItemKind.EXAMPLE and target.status != ExampleStatus.PUBLISHED

    @staticmethod
    def title_of(kind: str, target) -> str:
        if kind == ItemKind.SECTION:
            return f"{target.guide.title}: {target.title}"
        if kind == ItemKind.TOOL:
            return target.name
        if kind == ItemKind.TERM:
            return target.term
        return target.title

    @property
    def current_title(self) -> str:
        if self.kind == ItemKind.NOTE or self.missing:
            return self.title
        return self.title_of(self.kind, self.target)

    @property
    def renamed(self) -> bool:
        return not self.missing and self.kind != ItemKind.NOTE and self.current_title != self.title

    @property
    def url(self) -> str:
        if self.kind == ItemKind.NOTE or self.missing:
            return ""
        return self.target.get_absolute_url()

    @property
    def trainer_only(self) -> bool:
        return self.kind == ItemKind.NOTE and not self.for_participants

    @property
    def timing(self) -> str:
        return format_minutes(self.minutes)


# Page cache ---------------------------------------------------------------------------


class SiteVersion(models.Model):
    """One row whose token changes whenever anything a visitor can see changes (a content
    load, a local example, a module). The anonymous page cache (guides/caching.py) keys
    its pages on it, so every app server sees a change at once."""

    token = models.CharField(max_length=32)

    def __str__(self) -> str:
        return self.token
