"""The run chart maker's form: pasted or typed data, or an uploaded CSV file, and options."""

from django import forms

from guides.measurement.options import parse_target
from guides.measurement.runchart import MAX_POINTS, Parsed, parse_data

# The page's address carries the data so that a chart can be bookmarked and shared. Many
# proxies refuse request lines longer than 8 KB, and a tab or line break costs three
# characters once encoded, so the pasted data is limited to this many characters.
MAX_ADDRESS_DATA = 3000
# Posted data (an upload, or the hidden fields of a download button) can be longer.
MAX_POSTED_DATA = 200_000
MAX_UPLOAD_BYTES = 1_000_000

CHART_CHOICES = [
    ("run", "Run chart: the median, and the run chart rules"),
    ("xmr", "XmR chart (SPC): the mean and process limits"),
]
RULE_CHOICES = [
    ("", "The usual rules for the chart (IHI for a run chart, Making Data Count for XmR)"),
    ("ihi", "Run chart: IHI rules (Perla, Provost and Murray 2011)"),
    ("anhoej", "Run chart: Anhøj rules (longest run and crossings)"),
    ("mdc7", "XmR: Making Data Count, seven-point rules"),
    ("mdc6", "XmR: Making Data Count, six-point rules (2024)"),
]
DIRECTION_CHOICES = [
    ("neutral", "Neither: no direction is better"),
    ("increase", "Higher is better"),
    ("decrease", "Lower is better"),
]
# The fields that, in a page address, mean "draw a chart" rather than "show the empty form".
FIELDS = (
    "data", "chart", "rules", "baseline", "changes", "astronomical", "title", "units",
    "direction", "target", "rebase", "screen",
)  # fmt: skip


class RunChartForm(forms.Form):
    data = forms.CharField(
        required=False,
        strip=False,
        label="Your numbers, in time order",
        help_text=(
            "Paste two columns from a spreadsheet (a date or label, then the value), or type "
            "one value on each line. Commas, % signs and units are fine."
        ),
        widget=forms.Textarea(attrs={"rows": 10, "cols": 40, "spellcheck": "false"}),
    )
    file = forms.FileField(
        required=False,
        label="Or upload a CSV file",
        help_text="Two columns: a date or label, then the value. Up to 1 MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,text/csv,text/plain"}),
    )
    chart = forms.ChoiceField(
        required=False,
        choices=CHART_CHOICES,
        initial="run",
        label="Type of chart",
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose a run chart or an XmR chart."},
    )
    rules = forms.ChoiceField(
        required=False,
        choices=RULE_CHOICES,
        label="Rules for spotting signals",
        error_messages={"invalid_choice": "Choose one of the rule sets in the list."},
    )
    baseline = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_POINTS,
        label="Baseline: how many points, from the first, set the middle line (optional)",
        help_text=(
            "For example 12 if the first 12 points are from before you changed anything. "
            "Leave it empty to use all the points."
        ),
        error_messages={
            "invalid": "The baseline must be a whole number of points, such as 12.",
            "min_value": "The baseline must be at least 1 point, or leave it empty.",
            "max_value": f"The baseline can be at most {MAX_POINTS:,} points.",
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "input-short"}),
    )
    direction = forms.ChoiceField(
        required=False,
        choices=DIRECTION_CHOICES,
        initial="neutral",
        label="Which way is better?",
        help_text="Used to say whether a change is an improvement or a concern.",
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose higher is better, lower is better, or neither."},
    )
    target = forms.CharField(
        required=False,
        max_length=30,
        label="Target (optional)",
        help_text="For example 95. An XmR chart says whether the target will be met.",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "input-short"}),
        error_messages={"max_length": "Keep the target to 30 characters, such as 95."},
    )
    rebase = forms.CharField(
        required=False,
        max_length=300,
        label="New phases: where the process changed (optional)",
        help_text=(
            "The first point of each new phase, by its label or number, separated by "
            "commas. Each phase gets its own centre line and limits."
        ),
        error_messages={"max_length": "Keep the new phases to 300 characters."},
    )
    screen = forms.BooleanField(
        required=False,
        label="Leave out unusually large moving ranges before setting the limits (screening)",
    )
    changes = forms.CharField(
        required=False,
        max_length=2000,
        label="Changes you made, such as PDSA cycles (optional)",
        help_text=(
            "One a line: the point's date, label or number, a colon, then what you changed. "
            "For example “Week 13: board round at 8.30am”."
        ),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 40}),
        error_messages={"max_length": "Keep the changes to 2,000 characters."},
    )
    astronomical = forms.CharField(
        required=False,
        max_length=200,
        label="Astronomical points (optional)",
        help_text=(
            "Only if your team agrees a point is obviously, strikingly different from the "
            "rest: its number or label. Separate several with commas."
        ),
        error_messages={"max_length": "Keep the astronomical points to 200 characters."},
    )
    title = forms.CharField(
        required=False,
        max_length=120,
        label="Chart title (optional)",
        error_messages={"max_length": "Keep the title to 120 characters."},
    )
    units = forms.CharField(
        required=False,
        max_length=60,
        label="What is measured, with its units (optional)",
        help_text="For example “% of patients discharged before midday”.",
        error_messages={"max_length": "Keep this to 60 characters."},
    )

    def __init__(
        self, *args, max_data: int = MAX_ADDRESS_DATA, file_chosen: bool = False, **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        self.max_data = max_data
        self.file_chosen = file_chosen

    def clean_data(self) -> str:
        data = self.cleaned_data["data"]
        if len(data) > self.max_data:
            raise forms.ValidationError(
                f"That is too much data to keep in the page’s address ({len(data):,} "
                f"characters; the limit is {self.max_data:,}). Save it as a CSV file and use "
                "“Upload the file and draw” instead, or use fewer points."
            )
        return data

    def clean_target(self) -> str:
        text = self.cleaned_data.get("target") or ""
        _, problem = parse_target(text)
        if problem:
            raise forms.ValidationError(
                "The target must be a number, such as 95: leave it empty for no target."
            )
        return text

    def clean_file(self) -> str:
        upload = self.cleaned_data.get("file")
        if not upload:
            return ""
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"The file is {upload.size / 1_000_000:.1f} MB: the limit is 1 MB. "
                "Try weekly or monthly figures instead."
            )
        raw = upload.read()
        if b"\0" in raw[:4096]:
            raise forms.ValidationError(
                "That file is not a CSV or text file. In your spreadsheet, use “Save as” "
                "and choose CSV."
            )
        for encoding in ("utf-8-sig", "cp1252"):
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError:
                continue
        return raw.decode("latin-1")

    def clean(self) -> dict:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        text = cleaned.get("file") or cleaned.get("data") or ""
        field = "file" if cleaned.get("file") else "data"
        if not text.strip():
            message = "Enter or paste some numbers, or choose a CSV file."
            if self.file_chosen:
                message = (
                    "To use the file you chose, press “Upload the file and draw”. "
                    "Or paste or type your numbers here."
                )
            self.add_error("data", message)
            return cleaned
        parsed: Parsed = parse_data(text)
        if not parsed.points and parsed.too_large:
            for message in parsed.messages:
                self.add_error(field, message)
            return cleaned
        if not parsed.points:
            self.add_error(
                field,
                "We could not find any numbers in "
                f"{'that file' if field == 'file' else 'your data'}. Put one value on each "
                "line, or two columns: a date or label, then the value.",
            )
            return cleaned
        cleaned["parsed"] = parsed
        if field == "file" and cleaned.get("data"):
            parsed.messages.insert(0, "The chart uses the uploaded file, not the pasted data.")
        return cleaned
