"""Forms for training modules: every value from a user is validated here, including
which guide, section, tool, term or local example an item points at."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.core.exceptions import ValidationError

from guides.core.forms import MARKDOWN_HELP, Labelled
from guides.core.models import MAX_TEXT_LENGTH
from guides.examples.models import ExampleStatus, LocalExample
from guides.library import markup
from guides.library.models import GlossaryTerm, Guide, Section, Tool
from guides.training.models import MAX_MINUTES, ItemKind, ItemTarget, Module, ModuleVisibility

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

# An item is named as "kind:reference": guide:<slug>, section:<guide slug>#<anchor>,
# tool:<slug>, term:<slug>, example:<id>.


def is_id(value: str) -> bool:
    """A row id as typed: ASCII digits only (not "²"), and small enough for any database."""
    return value.isascii() and value.isdigit() and len(value) <= 18


def resolve_item(value: str) -> tuple[str, ItemTarget]:
    """The content an item value names, or a ValidationError that says what is wrong."""
    kind, _, ref = (value or "").strip().partition(":")
    target = None
    if kind == ItemKind.GUIDE:
        target = Guide.objects.filter(slug=ref).first()
    elif kind == ItemKind.SECTION:
        guide_slug, _, anchor = ref.partition("#")
        target = (
            Section.objects.select_related("guide")
            .filter(guide__slug=guide_slug, anchor=anchor)
            .first()
        )
    elif kind == ItemKind.TOOL:
        target = Tool.objects.filter(slug=ref).first()
    elif kind == ItemKind.TERM:
        target = GlossaryTerm.objects.filter(slug=ref).first()
    elif kind == ItemKind.EXAMPLE:
        # Only published ones, and the same answer for an unpublished id as for a missing
        # one: nothing tells a stranger which ids are drafts.
        published = LocalExample.objects.filter(status=ExampleStatus.PUBLISHED)
        target = published.filter(pk=int(ref)).first() if is_id(ref) else None
        if target is None:
            raise ValidationError(
                "That local example could not be found, or is not published: only "
                "published local examples can be added to a module.",
                code="missing",
            )
    else:
        raise ValidationError("Choose a guide, section, tool, term or example.", code="kind")
    if target is None:
        raise ValidationError(
            "That part of the library could not be found: it may have been renamed or "
            "removed. Search for it again.",
            code="missing",
        )
    return kind, target


def item_value(kind: str, target: ItemTarget) -> str:
    """The value resolve_item() reads back."""
    if kind == ItemKind.SECTION:
        return f"section:{target.guide.slug}#{target.anchor}"
    if kind == ItemKind.EXAMPLE:
        return f"example:{target.pk}"
    return f"{kind}:{target.slug}"


class MinutesField(forms.IntegerField):
    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_MINUTES)
        kwargs.setdefault("label", "Timing in minutes (optional)")
        kwargs.setdefault("help_text", "How long you plan to spend on it, e.g. 20.")
        kwargs.setdefault("widget", forms.NumberInput(attrs={"class": "input-short"}))
        super().__init__(**kwargs)


def version_field(required: bool = True) -> forms.IntegerField:
    """The version of the module the user was looking at: a change based on an older
    version is refused, so nobody overwrites someone else's change unseen."""
    return forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=required)


class ModuleForm(Labelled, forms.ModelForm):
    version = version_field(required=False)
    # From "Add to module" on a guide, tool or term page, choosing "a new module".
    add = forms.CharField(widget=forms.HiddenInput, required=False, max_length=200)

    class Meta:
        model = Module
        fields = ["title", "audience", "duration", "objectives", "trainer_notes"]
        labels = {
            "title": "Title",
            "audience": "Audience (optional)",
            "duration": "Duration (optional)",
            "objectives": "Learning objectives (optional)",
            "trainer_notes": "Trainer's notes (optional)",
        }
        help_texts = {
            "title": "e.g. “Measuring for improvement: a morning for ward teams”.",
            "audience": "Who it is for, e.g. “Ward sisters and charge nurses, cardiac unit”.",
            "duration": "e.g. “Half a day” or “3 hours”.",
            "objectives": "One per line. They are printed on the handout's cover.",
            "trainer_notes": "For you and other trainers: printed only in the trainer's "
            "edition of the handout. " + MARKDOWN_HELP,
        }
        widgets = {
            "objectives": forms.Textarea(attrs={"rows": 4}),
            "trainer_notes": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["version"].required = bool(self.instance.pk)
        self.fields["trainer_notes"].validators.append(markup.validate_markdown)
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version

    def clean_title(self) -> str:
        title = " ".join(self.cleaned_data["title"].split())
        if not title:
            raise ValidationError("Enter a title.", code="required")
        return title

    def clean_add(self) -> str:
        value = self.cleaned_data.get("add") or ""
        if value:
            resolve_item(value)
        return value


class ItemForm(Labelled, forms.Form):
    """Add a guide, section, tool, term or published local example to a module."""

    item = forms.CharField(max_length=200, widget=forms.HiddenInput)
    minutes = MinutesField()
    version = version_field()

    def clean_item(self) -> tuple[str, ItemTarget]:
        return resolve_item(self.cleaned_data["item"])


class GuideChoiceForm(ItemForm):
    """The quick "add a whole guide" list on the module page."""

    item = forms.ChoiceField(label="Guide", choices=())

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [
            (f"guide:{g.slug}", f"{g.number}. {g.title}")
            for g in Guide.objects.only("number", "slug", "title")
        ]

    def clean_item(self) -> tuple[str, ItemTarget]:
        return resolve_item(self.cleaned_data["item"])


AUDIENCE_CHOICES = [
    ("everyone", "Everyone: an exercise or handout text, in both editions of the handout"),
    ("trainer", "The trainer only: a note printed only in the trainer's edition"),
]


class NoteForm(Labelled, forms.Form):
    title = forms.CharField(
        label="Heading (optional)",
        max_length=300,
        required=False,
        help_text="e.g. “Exercise: map your own clinic”.",
    )
    text = forms.CharField(
        label="Text",
        max_length=MAX_TEXT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=MARKDOWN_HELP,
        validators=[markup.validate_markdown],
    )
    audience = forms.ChoiceField(
        label="Who is it for?",
        choices=AUDIENCE_CHOICES,
        initial="everyone",
        widget=forms.RadioSelect,
    )
    minutes = MinutesField()
    version = version_field()

    def clean_title(self) -> str:
        return " ".join(self.cleaned_data["title"].split())


class TimingForm(Labelled, forms.Form):
    """Change the timing of a content item (and, for a section, whether the handout
    includes its local examples)."""

    minutes = MinutesField()
    with_examples = forms.BooleanField(
        label="Include local examples",
        required=False,
        help_text="The handout adds the published local examples about this section.",
    )
    version = version_field()


class VersionForm(forms.Form):
    version = version_field()


class MoveForm(forms.Form):
    version = version_field()
    # Drag and drop (static/js/modules.js) sends the new place, counted from 1.
    position = forms.IntegerField(min_value=1, required=False)


class ShareForm(Labelled, forms.Form):
    visibility = forms.ChoiceField(
        label="Who can see this module?",
        choices=ModuleVisibility.choices,
        widget=forms.RadioSelect,
    )
    new_link = forms.BooleanField(
        label="Make a new link (the old link stops working)",
        required=False,
    )
    version = version_field()


class AddToModuleForm(Labelled, forms.Form):
    """ "Add to module" on a guide, tool or glossary term page."""

    NEW = "new"

    item = forms.CharField(max_length=200)
    module = forms.CharField(max_length=20)

    def __init__(self, *args, user: AbstractBaseUser, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_item(self) -> tuple[str, ItemTarget]:
        return resolve_item(self.cleaned_data["item"])

    def clean_module(self) -> Module | str:
        value = self.cleaned_data["module"]
        if value == self.NEW:
            return value
        module = (
            Module.objects.owned_by(self.user).filter(pk=int(value)).first()
            if is_id(value)
            else None
        )
        if module is None:
            raise ValidationError("Choose one of your modules.", code="module")
        return module


class PickerForm(forms.Form):
    """The search box of the item picker on a module page."""

    q = forms.CharField(label="Search the library", max_length=200, required=False)
