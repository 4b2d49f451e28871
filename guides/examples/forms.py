"""Forms for local examples: every value from a user is validated here."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from guides.core.forms import MARKDOWN_HELP, Labelled
from guides.examples.models import (
    MARKDOWN_FIELDS,
    MAX_TAG_LENGTH,
    MAX_TAGS,
    LocalExample,
    OrganisationType,
    parse_tags,
)
from guides.library import markup
from guides.library.glossary import current_glossary
from guides.library.models import Guide, Tool


class ExampleForm(Labelled, forms.ModelForm):
    """Add or edit a local example. The status, the author and the dates are never taken
    from the form: the views set them."""

    tags = forms.CharField(
        required=False,
        max_length=MAX_TAGS * (MAX_TAG_LENGTH + 2),
        help_text=f"Words to find it by, separated by commas, e.g. cardiac, primary care, A&E. "
        f"Up to {MAX_TAGS} tags of up to {MAX_TAG_LENGTH} characters.",
    )
    # The version the user's copy was based on: a save from an older copy is refused.
    based_on_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    class Meta:
        model = LocalExample
        fields = [
            "title",
            "guide",
            "tools",
            "organisation_type",
            "service",
            "team",
            "period_start",
            "period_end",
            "problem",
            "what_was_done",
            "results",
            "lessons",
            "contact",
            "tags",
        ]
        labels = {
            "guide": "Guide",
            "tools": "Tools and techniques used",
            "organisation_type": "Type of organisation",
            "service": "Service",
            "team": "Team",
            "period_start": "From",
            "period_end": "To",
            "problem": "The problem",
            "what_was_done": "What you did",
            "results": "What happened, with the measures",
            "lessons": "Lessons and tips",
            "contact": "Contact or your role",
        }
        help_texts = {
            "title": "A short name, e.g. “Cutting waits for cardiac echo in outpatients”.",
            "guide": "The guide this example brings to life.",
            "tools": "Optional. Choose any that you used.",
            "service": "e.g. Cardiology outpatients",
            "team": "e.g. Echo department and booking team",
            "period_start": "When the work started (optional).",
            "period_end": "When it finished, or the date of the latest results (optional).",
            "problem": "What was wrong, and for whom. " + MARKDOWN_HELP,
            "what_was_done": "The changes you tested and how. " + MARKDOWN_HELP,
            "results": "What changed, with the measures over time. " + MARKDOWN_HELP,
            "lessons": "What you would tell another team. " + MARKDOWN_HELP,
            "contact": "How to reach you, or your role, e.g. “Service improvement lead”.",
        }
        widgets = {
            "tools": forms.CheckboxSelectMultiple,
            "period_start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "period_end": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "problem": forms.Textarea(attrs={"rows": 6}),
            "what_was_done": forms.Textarea(attrs={"rows": 8}),
            "results": forms.Textarea(attrs={"rows": 8}),
            "lessons": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["guide"].queryset = Guide.objects.only("number", "title")
        self.fields["guide"].empty_label = "Choose a guide"
        # A real first choice, not Django's "---------".
        self.fields["organisation_type"].choices = [
            ("", "Not given (optional)"),
            *OrganisationType.choices,
        ]
        self.fields["tools"].queryset = Tool.objects.only("name")
        self.fields["based_on_version"].required = bool(self.instance.pk)
        if self.instance.pk and not self.is_bound:
            self.initial["tags"] = ", ".join(sorted(self.instance.tags.names()))
            self.initial["based_on_version"] = self.instance.version

    def clean_tags(self) -> list[str]:
        try:
            return parse_tags(self.cleaned_data.get("tags") or "")
        except ValueError as exc:
            raise ValidationError(str(exc), code="tags") from exc

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", "The end date must be on or after the start date.")
        return data

    def save(self, commit: bool = True) -> LocalExample:
        # The search text includes the tags, which are saved after the row.
        self.instance._tag_names = self.cleaned_data["tags"]
        return super().save(commit=commit)

    def preview(self) -> dict[str, str]:
        """The Markdown fields as they will look, rendered the same way as on save."""
        glossary = current_glossary()
        seen: set[str] = set()
        out = {}
        for name in MARKDOWN_FIELDS:
            text = self.cleaned_data.get(name) or ""
            out[name] = markup.render(
                text, glossary=glossary, seen_terms=seen, id_prefix=f"preview-{name}-"
            ).html
        return out


class ReturnForm(Labelled, forms.Form):
    """An editor returns an example to its author, saying what to change."""

    comment = forms.CharField(
        label="What the author should change",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The author sees this on the example and in their list of examples.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class UnpublishForm(Labelled, forms.Form):
    comment = forms.CharField(
        label="Why it is being taken down (optional)",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class VersionForm(forms.Form):
    """Submit, publish and delete carry the version the user was looking at."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ExampleFilterForm(forms.Form):
    """The filters on /examples/, from the query string."""

    guide = forms.SlugField(required=False, max_length=80)
    tool = forms.SlugField(required=False, max_length=80)
    tag = forms.CharField(required=False, max_length=MAX_TAG_LENGTH)
    page = forms.IntegerField(required=False, min_value=1, max_value=100_000)

    def clean_guide(self) -> Guide | None:
        slug = self.cleaned_data["guide"]
        if not slug:
            return None
        guide = Guide.objects.filter(slug=slug).only("slug", "number", "title").first()
        if guide is None:
            raise ValidationError("There is no guide with that name.")
        return guide

    def clean_tool(self) -> Tool | None:
        slug = self.cleaned_data["tool"]
        if not slug:
            return None
        tool = Tool.objects.filter(slug=slug).only("slug", "name").first()
        if tool is None:
            raise ValidationError("There is no tool with that name.")
        return tool

    def clean_tag(self) -> str:
        try:
            tags = parse_tags([self.cleaned_data["tag"]])
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc
        return tags[0] if tags else ""
