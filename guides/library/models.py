"""The library's content, loaded from fixtures/ by load_guides (guides/library/content/):
guides, their sections, tools and techniques, glossary terms and the record of content
versions. Keyed by natural keys (slugs), so a reload updates
rows in place. User data points at these rows, never the other way round."""

from __future__ import annotations

from django.db import models
from django.urls import reverse


class Side(models.TextChoices):
    SYSTEMS = "systems", "Systems and process"
    PEOPLE = "people", "People and culture"


class SlugManager(models.Manager):
    def get_by_natural_key(self, slug: str) -> Guide | Tool | GlossaryTerm:
        return self.get(slug=slug)


class Guide(models.Model):
    number = models.PositiveSmallIntegerField(unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200)
    purpose = models.CharField(max_length=300, help_text="One line: what the guide advises on.")
    summary = models.TextField(blank=True)
    plain_summary = models.TextField(blank=True)
    side = models.CharField(max_length=10, choices=Side.choices)
    questions = models.JSONField(
        default=list, blank=True, help_text="The questions people ask that this guide answers."
    )
    tools = models.ManyToManyField("Tool", through="GuideTool", related_name="guides", blank=True)
    related_guides = models.ManyToManyField("self", symmetrical=False, blank=True)
    last_reviewed = models.DateField(
        null=True, blank=True, help_text="When the content was last checked (front matter)."
    )
    review_due = models.DateField(
        null=True, blank=True, help_text="When the content is next due a check (front matter)."
    )

    objects = SlugManager()

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    def get_absolute_url(self) -> str:
        return reverse("library:guide", args=[self.slug])


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
    def get_by_natural_key(self, guide_slug: str, anchor: str) -> Section:
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
    questions = models.JSONField(
        default=list, blank=True, help_text="The questions people ask that this tool answers."
    )
    summary = models.TextField()
    body = models.TextField(help_text="Markdown, as written in the content file.")
    html = models.TextField(help_text="Rendered once when the content is loaded.")
    text = models.TextField(help_text="Plain text of the body, for search and the API.")
    # The "Steps" section's numbered list, split out on load so that each step has a
    # stable anchor and its own panel slot (content/steps.py): [{anchor, number, title,
    # html}], with the body before and after the list. Empty: the tool has no steps.
    steps = models.JSONField(default=list, blank=True)
    steps_before_html = models.TextField(blank=True)
    steps_after_html = models.TextField(blank=True)
    related_tools = models.ManyToManyField("self", symmetrical=False, blank=True)
    last_reviewed = models.DateField(
        null=True, blank=True, help_text="When the content was last checked (front matter)."
    )
    review_due = models.DateField(
        null=True, blank=True, help_text="When the content is next due a check (front matter)."
    )
    # The facts box and the tool finder (the tool's `facts:`; choices in finder.yaml).
    stages = models.JSONField(default=list, blank=True, help_text="Stage slugs.")
    time = models.SlugField(max_length=40, blank=True, help_text="How long it takes.")
    people = models.SlugField(max_length=40, blank=True, help_text="Who you need.")
    needs = models.JSONField(default=list, blank=True, help_text="What you need.")
    difficulty = models.SlugField(max_length=40, blank=True)
    next_tools = models.JSONField(default=list, blank=True, help_text="Tool slugs, in order.")
    # The same with the names to show, worked out on load, so the page needs no query.
    facts_box = models.JSONField(default=dict, blank=True)
    worksheet = models.JSONField(
        null=True, blank=True, help_text="The structured template (guides.library.worksheets)."
    )

    objects = SlugManager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    def get_absolute_url(self) -> str:
        return reverse("library:tool", args=[self.slug])

    def step(self, anchor: str) -> dict | None:
        """The step with this anchor, if the tool has it."""
        return next((s for s in self.steps if s["anchor"] == anchor), None)


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
        return reverse("library:term", args=[self.slug])

    @property
    def letter(self) -> str:
        first = self.term[:1].upper()
        return first if first.isalpha() else "#"


class ChoiceGroup(models.TextChoices):
    STAGE = "stage", "Stage of the work"
    TIME = "time", "Time it takes"
    PEOPLE = "people", "Who you need"
    DIFFICULTY = "difficulty", "Difficulty"


class FinderChoice(models.Model):
    """One of the tool finder's choices, from finder.yaml: a stage of the work (with its
    purpose), a length of time, who you need, or a difficulty."""

    group = models.CharField(max_length=20, choices=ChoiceGroup.choices)
    slug = models.SlugField(max_length=80)
    name = models.CharField(max_length=200)
    purpose = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["group", "order"]
        constraints = [
            models.UniqueConstraint(fields=["group", "slug"], name="unique_finder_choice"),
        ]

    def __str__(self) -> str:
        return f"{self.get_group_display()}: {self.name}"


class Problem(models.Model):
    """A common problem in users' words, answered with tools and a guide section."""

    slug = models.SlugField(max_length=80, unique=True)
    text = models.CharField(max_length=200)
    order = models.PositiveSmallIntegerField()
    tools = models.JSONField(default=list, help_text="Tool slugs, in order.")
    section = models.ForeignKey(
        Section, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["order"]

    def __str__(self) -> str:
        return self.text


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
