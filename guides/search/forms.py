"""Validation of search parameters, shared by the search page and the JSON API."""

from collections.abc import Iterable

from django import forms

from guides.library.models import Guide
from guides.search import engine as search

TYPE_CHOICES = [(k, v) for k, v in search.KINDS.items()]


class SearchForm(forms.Form):
    # Longer queries are cut to MAX_QUERY_LENGTH with a message, not refused.
    q = forms.CharField(required=False, strip=True)
    type = forms.MultipleChoiceField(required=False, choices=TYPE_CHOICES)
    guide = forms.ChoiceField(required=False)
    tag = forms.CharField(required=False, max_length=100)
    page = forms.IntegerField(required=False, min_value=1, max_value=500)
    limit = forms.IntegerField(required=False, min_value=1, max_value=50)
    offset = forms.IntegerField(required=False, min_value=0, max_value=10_000)

    def __init__(self, *args, guides: Iterable[Guide] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if guides is None:
            guides = Guide.objects.only("slug", "title", "number")
        self.guides = list(guides)
        self.fields["guide"].choices = [("", "All guides")] + [
            (g.slug, f"{g.number}. {g.title}") for g in self.guides
        ]

    def clean_q(self) -> str:
        return self.cleaned_data["q"].replace("\x00", " ")

    def clean_tag(self) -> str:
        return " ".join(self.cleaned_data["tag"].replace("\x00", " ").split()).lower()
