"""Forms for local examples: every value from a user is validated here."""

from __future__ import annotations

import json

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
from guides.library.models import Guide, GuideTool, Section, Tool


def step_options(tool: Tool) -> list[tuple[str, str]]:
    """A tool's steps as the step list offers them: ("<tool slug>#<step anchor>", label)."""
    return [
        (f"{tool.slug}#{step['anchor']}", f"Step {step['number']}: {step['title']}")
        for step in tool.steps
    ]


class ExampleForm(Labelled, forms.ModelForm):
    """Add or edit a local example. The status, the author and the dates are never taken
    from the form: the views set them."""

    tags = forms.CharField(
        required=False,
        max_length=MAX_TAGS * (MAX_TAG_LENGTH + 2),
        help_text=f"Words to find it by, separated by commas, e.g. cardiac, primary care, A&E. "
        f"Up to {MAX_TAGS} tags of up to {MAX_TAG_LENGTH} characters.",
    )
    # A choice checked against the chosen guide's sections in clean(), with a sentence
    # that says what to do (the choices are that guide's sections).
    section_anchor = forms.CharField(
        label="Section of the guide",
        required=False,
        max_length=100,
        widget=forms.Select,
        help_text="Optional. The part of the guide it shows in practice: the example is "
        "listed beside that section.",
    )
    # A step of one of the tools (the chosen guide's, and those ticked), as
    # "<tool slug>#<step anchor>", checked in clean() against the steps offered.
    tool_step = forms.CharField(
        label="Step of a tool",
        required=False,
        max_length=200,
        widget=forms.Select,
        help_text="Optional. The step of a tool it shows in practice: the example is listed "
        "under that step on the tool's page, and the tool is added to the tools used.",
    )
    # The version the user's copy was based on: a save from an older copy is refused.
    based_on_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    class Meta:
        model = LocalExample
        fields = [
            "title",
            "guide",
            "section_anchor",
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
        given = kwargs.get("initial") or {}
        super().__init__(*args, **kwargs)
        self.fields["guide"].queryset = Guide.objects.only("number", "title")
        self.fields["guide"].empty_label = "Choose a guide"
        # A real first choice, not Django's "---------".
        self.fields["organisation_type"].choices = [
            ("", "Not given (optional)"),
            *OrganisationType.choices,
        ]
        self.fields["tools"].queryset = Tool.objects.only("name")
        self.chosen_guide = self._chosen_guide()
        # Every guide's sections and tools, in two small queries: the chosen guide's
        # lists, and the script that changes them when the guide changes.
        self.choices_by_guide: dict[str, dict[str, list]] = {}
        for guide_id, anchor, title in Section.objects.order_by("order").values_list(
            "guide_id", "anchor", "title"
        ):
            self._lists(guide_id)["sections"].append([anchor, title])
        for guide_id, tool_id in GuideTool.objects.order_by("order").values_list(
            "guide_id", "tool_id"
        ):
            self._lists(guide_id)["tools"].append(str(tool_id))
        chosen = self._lists(self.chosen_guide.pk) if self.chosen_guide else None
        self.section_anchors = {a for a, _ in chosen["sections"]} if chosen else set()
        self.fields["section_anchor"].widget.choices = [
            ("", "The guide as a whole"),
            *(chosen["sections"] if chosen else []),
        ]
        self._offer_steps(chosen["tools"] if chosen else [])
        self.fields["based_on_version"].required = bool(self.instance.pk)
        for name in MARKDOWN_FIELDS:
            self.fields[name].validators.append(markup.validate_markdown)
        if self.instance.pk and not self.is_bound:
            # Unless the form is shown again from what the user sent (choose_guide).
            if "tags" not in given:
                self.initial["tags"] = ", ".join(sorted(self.instance.tags.names()))
            if "based_on_version" not in given:
                self.initial["based_on_version"] = self.instance.version

    def _chosen_guide(self) -> Guide | None:
        """The guide the form is for now: as sent, else as given, else the example's."""
        if self.is_bound:
            value = self.data.get(self.add_prefix("guide"))
        else:
            value = self.initial.get("guide") or self.instance.guide_id
        if isinstance(value, Guide):
            return value
        if self.instance.guide_id and str(value) == str(self.instance.guide_id):
            return self.instance.guide
        try:
            return Guide.objects.only("number", "title", "slug").get(pk=int(value))
        except (TypeError, ValueError, Guide.DoesNotExist):
            return None

    def _ticked_tool_ids(self) -> list[str]:
        if self.is_bound:
            return self.data.getlist(self.add_prefix("tools"))
        given = self.initial.get("tools")
        if given is None:
            given = (
                list(self.instance.tools.values_list("pk", flat=True)) if self.instance.pk else []
            )
        return [str(getattr(t, "pk", t)) for t in given]

    def _offer_steps(self, guide_tool_ids: list[str]) -> None:
        """The step choices: the steps of the chosen guide's tools (in the guide's order),
        then of any other ticked tool, grouped by tool; one query."""
        ids = list(dict.fromkeys([*guide_tool_ids, *self._ticked_tool_ids()]))
        if self.instance.step_tool_id:
            ids.append(str(self.instance.step_tool_id))
        wanted = [int(i) for i in ids if str(i).isdigit()]
        # Every tool's steps in the one query: the script offers any tool's when ticked.
        self.all_tools = {
            t.pk: t for t in Tool.objects.order_by("name").only("slug", "name", "steps")
        }
        tools = {pk: self.all_tools[pk] for pk in wanted if pk in self.all_tools}
        order = {pk: n for n, pk in enumerate(wanted)}
        self.step_choices: dict[str, tuple[Tool, str]] = {}
        groups = []
        for tool in sorted(tools.values(), key=lambda t: order[t.pk]):
            options = step_options(tool)
            for value, _ in options:
                self.step_choices[value] = (tool, value.split("#", 1)[1])
            if options:
                groups.append((tool.name, options))
        self.fields["tool_step"].widget.choices = [("", "None (no particular step)"), *groups]
        if self.instance.step_tool_id and not self.is_bound and "tool_step" not in self.initial:
            tool = tools.get(self.instance.step_tool_id)
            if tool:
                self.initial["tool_step"] = f"{tool.slug}#{self.instance.step_anchor}"

    def choices_json(self) -> str:
        """For the page's script, in a data attribute (escaped like any other text)."""
        return json.dumps(self.choices_by_guide, separators=(",", ":"))

    def steps_json(self) -> str:
        """Every tool's steps as the step list offers them, and the tool the example
        already names (offered whatever is ticked, as on the server), for the script
        that refreshes the list when the guide or the ticked tools change."""
        steps = {
            str(tool.pk): [tool.name, step_options(tool)]
            for tool in self.all_tools.values()
            if tool.steps
        }
        kept = str(self.instance.step_tool_id or "")
        return json.dumps({"tools": steps, "kept": kept}, separators=(",", ":"))

    def _lists(self, guide_id: int) -> dict[str, list]:
        return self.choices_by_guide.setdefault(str(guide_id), {"sections": [], "tools": []})

    def tool_groups(self) -> tuple[list, list, bool]:
        """The tool checkboxes split into the chosen guide's tools (in the guide's order)
        and all the others, and whether any of the others is ticked (so "show all" opens)."""
        ids = self._lists(self.chosen_guide.pk)["tools"] if self.chosen_guide else []
        boxes = {str(box.data["value"]): box for box in self["tools"]}
        mine = [boxes[i] for i in ids if i in boxes]
        others = [box for key, box in boxes.items() if key not in set(ids)]
        return mine, others, any(box.data["selected"] for box in others)

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
        anchor, guide = data.get("section_anchor"), data.get("guide")
        if anchor and guide and anchor not in self.section_anchors:
            self.add_error(
                "section_anchor",
                f"That section is not in “{guide.title}”. Choose one of its sections from the "
                "list, or “The guide as a whole”.",
            )
            data["section_anchor"] = ""
        step = data.get("tool_step")
        if step and step not in self.step_choices:
            self.add_error(
                "tool_step",
                "That step is not one of the steps of this guide's tools or of the tools you "
                "ticked. Choose a step from the list, or “None”.",
            )
            data["tool_step"] = ""
        elif step and "tools" in data:
            # The step's tool is one of the tools used.
            tool = self.step_choices[step][0]
            tools = list(data["tools"])
            if tool.pk not in {t.pk for t in tools}:
                data["tools"] = [*tools, tool]
        return data

    def save(self, commit: bool = True) -> LocalExample:
        # The search text includes the tags, which are saved after the row.
        self.instance._tag_names = self.cleaned_data["tags"]
        tool, anchor = self.step_choices.get(self.cleaned_data.get("tool_step") or "", (None, ""))
        self.instance.step_tool, self.instance.step_anchor = tool, anchor
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
    section = forms.SlugField(required=False, max_length=100)
    setting = forms.ChoiceField(required=False, choices=[("", ""), *OrganisationType.choices])
    tool = forms.SlugField(required=False, max_length=80)
    step = forms.SlugField(required=False, max_length=100)
    tag = forms.CharField(required=False, max_length=MAX_TAG_LENGTH)
    page = forms.IntegerField(required=False, min_value=1, max_value=100_000)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["setting"].error_messages["invalid_choice"] = (
            "Choose a type of organisation from the list."
        )

    def clean_guide(self) -> Guide | None:
        slug = self.cleaned_data["guide"]
        if not slug:
            return None
        guide = Guide.objects.filter(slug=slug).only("slug", "number", "title").first()
        if guide is None:
            raise ValidationError("There is no guide with that name.")
        return guide

    def clean(self) -> dict:
        data = super().clean()
        anchor, guide = data.get("section"), data.get("guide")
        if anchor and "guide" in data:
            if guide is None:
                self.add_error("section", "Choose the guide as well as its section.")
            elif not guide.sections.filter(anchor=anchor).exists():
                self.add_error("section", f"“{guide.title}” has no section with that name.")
        step, tool = data.get("step"), data.get("tool")
        if step and "tool" in data:
            if tool is None:
                self.add_error("step", "Choose the tool as well as its step.")
            elif not tool.step(step):
                self.add_error("step", f"“{tool.name}” has no step with that name.")
        return data

    def clean_tool(self) -> Tool | None:
        slug = self.cleaned_data["tool"]
        if not slug:
            return None
        tool = Tool.objects.filter(slug=slug).only("slug", "name", "steps").first()
        if tool is None:
            raise ValidationError("There is no tool with that name.")
        return tool

    def clean_tag(self) -> str:
        try:
            tags = parse_tags([self.cleaned_data["tag"]])
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc
        return tags[0] if tags else ""
