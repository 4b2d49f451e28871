"""Training modules built by trainers from parts of the guides."""

from __future__ import annotations

import re
import secrets
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from guides.core.models import MAX_TEXT_LENGTH, VersionedModel
from guides.examples.models import ExampleStatus, LocalExample
from guides.library import markup
from guides.library.glossary import current_glossary
from guides.library.models import GlossaryTerm, Guide, Section, Tool

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    User = AbstractBaseUser | AnonymousUser

# What a content item (every kind but a note) points at.
ItemTarget = Guide | Section | Tool | GlossaryTerm | LocalExample

# Training modules -----------------------------------------------------------------
# Built by trainers (and editors) from parts of the guides and printed as handouts
# (guides/training/handouts/). User data: every item points at the content with SET_NULL and
# keeps a snapshot of its title, so a content load that renames or removes a section or
# tool leaves a clear placeholder in the module, never an error.

BUILD_MODULES = "training.add_module"  # Trainers, Editors: create modules and change their own
CHANGE_SHARED_MODULES = "training.change_module"  # Editors: also change modules shared with staff
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


_DURATION_PART = re.compile(
    r"(\d+(?:[.,]\d+)?|an?|half an?)\s*(hours?|hrs?|h|minutes?|mins?|m)\b", re.IGNORECASE
)


def duration_minutes(text: str) -> int | None:
    """A module's duration as written ("2 hours", "90 min", "1 h 30 min", "1.5 hours",
    "an hour") in minutes; None when it gives no time we can read ("half a day")."""
    total, found = 0.0, False
    for amount, unit in _DURATION_PART.findall(text or ""):
        amount = amount.lower()
        value = (
            0.5
            if amount.startswith("half")
            else 1.0
            if amount in ("a", "an")
            else float(amount.replace(",", "."))
        )
        total += value * (60 if unit.lower().startswith("h") else 1)
        found = True
    return round(total) if found and total > 0 else None


def over_time(planned: int, duration: str) -> str:
    """What to tell the trainer when the items' timings add up to more than the module's
    duration (empty when they fit, or the duration gives no time)."""
    limit = duration_minutes(duration)
    if not planned or limit is None or planned <= limit:
        return ""
    return (
        f"The timings add up to {format_minutes(planned)}, {format_minutes(planned - limit)} "
        f"more than the module's duration ({duration.strip()})."
    )


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
    CHART = "chart", "Chart"  # a run or XmR chart from the maker, with its explanation


class ModuleQuerySet(models.QuerySet):
    def owned_by(self, user: User | None) -> ModuleQuerySet:
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(owner=user)

    def visible_to(self, user: User) -> ModuleQuerySet:
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


class Module(VersionedModel):
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
    # version, created_at and updated_at: VersionedModel (a change based on an older
    # version is refused).

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
        return reverse("training:detail", args=[self.pk])

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

    def render(self, glossary: markup.Glossary | None = None) -> None:
        self.trainer_notes_html = markup.render_safely(
            self.trainer_notes,
            glossary=glossary if glossary is not None else current_glossary(),
            id_prefix="module-notes-",
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

    def is_owner(self, user: User) -> bool:
        return user.is_authenticated and self.owner_id is not None and self.owner_id == user.pk

    @staticmethod
    def can_build(user: User) -> bool:
        return user.is_authenticated and user.has_perm(BUILD_MODULES)

    def can_edit(self, user: User) -> bool:
        """The owner; an editor may also change a module that is shared."""
        if not self.can_build(user):
            return False
        if self.is_owner(user):
            return True
        return self.visibility != ModuleVisibility.PRIVATE and user.has_perm(CHANGE_SHARED_MODULES)

    def can_manage(self, user: User) -> bool:
        """Share and delete: the owner only."""
        return self.can_build(user) and self.is_owner(user)

    # Changes --------------------------------------------------------------------

    def next_order(self) -> int:
        last = self.items.aggregate(last=models.Max("order"))["last"]
        return (last or 0) + 1

    def duplicate(self, owner: AbstractBaseUser, *, participants_only: bool = False) -> Module:
        """A private copy, with all its items, for `owner` to adapt. `participants_only`
        (a copy made through the public link by someone not entitled to the trainer's
        edition) leaves out the trainer's notes and the notes for the trainer only."""
        prefix = "Copy of "
        copy = Module.objects.create(
            owner=owner,
            title=(prefix + self.title)[:200],
            audience=self.audience,
            duration=self.duration,
            objectives=self.objectives,
            trainer_notes="" if participants_only else self.trainer_notes,
        )
        fields = [
            "order", "kind", "guide_id", "section_id", "tool_id", "term_id", "example_id",
            "title", "text", "text_html", "minutes", "for_participants", "chart_settings",
            "with_examples",
        ]  # fmt: skip
        ModuleItem.objects.bulk_create(
            ModuleItem(module=copy, **{f: getattr(item, f) for f in fields})
            for item in self.items.all()
            if not (participants_only and item.trainer_only)
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
    # Charts only: the run chart maker's settings (its GET parameters); `text` explains it.
    chart_settings = models.JSONField(null=True, blank=True)
    # Sections only: the handout adds the published local examples that annotate it.
    with_examples = models.BooleanField("include local examples", default=False)

    class Meta:
        ordering = ["order", "pk"]
        indexes = [models.Index(fields=["module", "order"], name="moduleitem_module_order")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"

    def save(self, *args, **kwargs) -> None:
        if self.kind in (ItemKind.NOTE, ItemKind.CHART):
            update_fields = kwargs.get("update_fields")
            if update_fields is None or "text" in update_fields:
                self.render()
                if update_fields is not None:
                    kwargs["update_fields"] = {*update_fields, "text_html"}
        super().save(*args, **kwargs)

    def render(self, glossary: markup.Glossary | None = None) -> None:
        """A note's HTML from its Markdown (content items have no text of their own)."""
        self.text_html = markup.render_safely(
            self.text,
            glossary=glossary if glossary is not None else current_glossary(),
            id_prefix=f"note{self.order}-",
        ).html

    @property
    def target(self) -> ItemTarget | None:
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
        if self.kind in (ItemKind.NOTE, ItemKind.CHART):
            return False
        target = self.target
        if target is None:
            return True
        return self.kind == ItemKind.EXAMPLE and target.status != ExampleStatus.PUBLISHED

    @staticmethod
    def title_of(kind: str, target: ItemTarget) -> str:
        if kind == ItemKind.SECTION:
            return f"{target.guide.title}: {target.title}"
        if kind == ItemKind.TOOL:
            return target.name
        if kind == ItemKind.TERM:
            return target.term
        return target.title

    @property
    def current_title(self) -> str:
        if self.kind in (ItemKind.NOTE, ItemKind.CHART) or self.missing:
            return self.title
        return self.title_of(self.kind, self.target)

    @property
    def renamed(self) -> bool:
        own = (ItemKind.NOTE, ItemKind.CHART)
        return not self.missing and self.kind not in own and self.current_title != self.title

    @property
    def url(self) -> str:
        if self.kind in (ItemKind.NOTE, ItemKind.CHART) or self.missing:
            return ""
        return self.target.get_absolute_url()

    @property
    def trainer_only(self) -> bool:
        return self.kind == ItemKind.NOTE and not self.for_participants

    @property
    def timing(self) -> str:
        return format_minutes(self.minutes)
